#!/usr/bin/env bash
# Runs Concur's connection figures and CPython's multiprocessing.Pipe (same work, same method) in one run and prints a
# Markdown table for docs/benchmarks.md: median (min-max) of the runs for throughput, median and p99 for round trips,
# and the ratio Concur / CPython. Usage: benchmarks/compare-connections.sh [repeats]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-5}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

dotnet build -c Release benchmarks/Concur.Benchmarks >/dev/null
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(dotnet --version), $(python3 --version)" >&2
dotnet benchmarks/Concur.Benchmarks/bin/Release/net10.0/Concur.Benchmarks.dll connections "$repeats" > "$out/concur.jsonl"
python3 benchmarks/python/connection.py "$repeats" > "$out/cpython.jsonl"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 benchmarks/python/side_by_side.py "$out/concur.jsonl" "$out/cpython.jsonl"
