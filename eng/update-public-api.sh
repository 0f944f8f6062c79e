#!/usr/bin/env bash
# Keeps src/Concur/PublicAPI.Unshipped.txt in step with the code, so that every change to the public surface is
# visible in review: records new public members (the RS0016 code fix) and drops entries for members that are gone
# (RS0017). Run it after changing the public API, then read the diff of the file.
set -euo pipefail
cd "$(dirname "$0")/.."
api=src/Concur/PublicAPI.Unshipped.txt

stale=$(dotnet build src/Concur/Concur.csproj --no-incremental 2>&1 \
  | sed -n 's/.*PublicAPI\.Unshipped\.txt(\([0-9]*\),[0-9]*): warning RS0017.*/\1/p' | sort -un)
if [ -n "$stale" ]; then
  script=$(printf '%sd;' $stale)
  sed -i "$script" "$api"
fi

dotnet format analyzers src/Concur/Concur.csproj --diagnostics RS0016 --severity warn
