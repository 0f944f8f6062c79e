#!/usr/bin/env bash
# A/B of two builds of the process pool on this noisy shared machine: runs each build's benchmark in turn, round by
# round, so load weighs on both alike, and prints every run's figures, then the medians per build.
# Usage: benchmarks/ab-processes.sh <dirA> <dirB> [rounds] [mode]   (a dir holds a built Concur.Benchmarks.dll;
# mode: throughput (default), round-trips-pinned under taskset -c 0, or round-trips for the full unpinned run).
# Make a build dir with: dotnet build -c Release -o /tmp/ab/NAME benchmarks/Concur.Benchmarks
set -euo pipefail
a="$1"; b="$2"; rounds="${3:-3}"; mode="${4:-throughput}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((r = 1; r <= rounds; r++)); do
  for dir in "$a" "$b"; do
    case "$mode" in
      round-trips-pinned) taskset -c 0 dotnet "$dir/Concur.Benchmarks.dll" processes 1 round-trips-pinned ;;
      round-trips) dotnet "$dir/Concur.Benchmarks.dll" processes 1 ;;
      *) dotnet "$dir/Concur.Benchmarks.dll" processes 1 "$mode" ;;
    esac | sed "s|^{|{\"build\": \"$dir\", |" >> "$out/all.jsonl"
  done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "$out/all.jsonl" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows.setdefault((r["name"], r["build"]), []).append(r["value"])
print("| figure | build | median | min | max | runs |")
print("|---|---|---:|---:|---:|---:|")
for (name, build), v in rows.items():
    print(f"| {name} | {build} | {statistics.median(v):,.1f} | {min(v):,.1f} | {max(v):,.1f} | {len(v)} |")
PY
