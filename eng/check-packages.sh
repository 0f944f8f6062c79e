#!/usr/bin/env bash
# Issue 12 point 5: packs the two packages and checks what a user gets.
#   - Concur (the library): carries README.md and the version set once in Directory.Build.props.
#   - Concur.Cli (the `concur` tool): at most 20 MB; installs from the packed folder with
#     `dotnet tool install --tool-path <tmp> --add-source <dir> Concur.Cli`; `concur --help` runs; and the installed
#     tool still draws its chart (`bench primes --scale 1 --runs 1 --no-python --chart`, a PNG).
# Usage: eng/check-packages.sh [output dir]   (takes 1-3 minutes: two packs and a tool install; not part of dotnet test)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
limit=$((20 * 1024 * 1024))
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)"

dotnet pack -c Release src/Concur -o "$out" >/dev/null
dotnet pack -c Release src/Concur.Cli -o "$out" >/dev/null
lib="$out/Concur.$version.nupkg"
tool="$out/Concur.Cli.$version.nupkg"
for f in "$lib" "$tool"; do
  [[ -f "$f" ]] || { echo "FAIL: $f was not produced (is the version in Directory.Build.props $version?)" >&2; exit 1; }
  files="$(unzip -Z1 "$f")"
  grep -qx 'README.md' <<<"$files" || { echo "FAIL: $f has no README.md" >&2; exit 1; }
  echo "$(basename "$f"): $(stat -c %s "$f") bytes"
done
size="$(stat -c %s "$tool")"
(( size <= limit )) || { echo "FAIL: the tool package is $size bytes, above $limit" >&2; exit 1; }
files="$(unzip -Z1 "$tool")"
echo "native runtimes in the tool: $(grep -o 'runtimes/[^/]*' <<<"$files" | sort -u | sed 's:runtimes/::' | tr '\n' ' ')"

dotnet tool install --tool-path "$work/tools" --add-source "$out" --version "$version" Concur.Cli >/dev/null
help="$("$work/tools/concur" --help)"
grep -q 'concur \[command\]' <<<"$help" || { echo "FAIL: concur --help printed: $help" >&2; exit 1; }
echo "installed: $work/tools/concur --help works"
"$work/tools/concur" bench primes --scale 1 --runs 1 --no-python --chart "$work/primes.png" >/dev/null
[[ "$(head -c 4 "$work/primes.png" | tail -c 3)" == "PNG" ]] || { echo "FAIL: the installed tool did not write a PNG chart" >&2; exit 1; }
echo "chart from the installed tool: $(stat -c %s "$work/primes.png") bytes of PNG"
echo "OK: packages in $out"
