#!/usr/bin/env bash
# Runs Concur's ProcessManager dict figures and CPython's multiprocessing.Manager().dict() (same work, same method) in
# one run and prints a Markdown table for docs/benchmarks.md: median (min-max) of the runs, and the ratio
# Concur / CPython. CPython's run also measures the socket round-trip floor (a bare socketpair ping-pong between two
# processes), which bounds any design that makes one round trip per operation.
# Usage: benchmarks/compare-manager.sh [repeats]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-5}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

dotnet build -c Release benchmarks/Concur.Benchmarks >/dev/null
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(dotnet --version), $(python3 --version)" >&2
dotnet benchmarks/Concur.Benchmarks/bin/Release/net10.0/Concur.Benchmarks.dll manager "$repeats" > "$out/concur.jsonl"
echo "load average between: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 benchmarks/python/manager.py "$repeats" > "$out/cpython.jsonl"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 benchmarks/python/side_by_side.py "$out/concur.jsonl" "$out/cpython.jsonl"
