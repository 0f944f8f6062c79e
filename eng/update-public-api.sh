#!/usr/bin/env bash
# Records every new public member of src/Concur in PublicAPI.Unshipped.txt (the RS0016 code fix),
# so that a change to the public surface is always visible in review.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet format analyzers src/Concur/Concur.csproj --diagnostics RS0016 RS0017 --severity warn
