#!/usr/bin/env bash
# Issue 9 point 6 in one run, Concur beside CPython 3.11 doing the same work, same method: process queues of small
# ints (1 producer process -> 1 consumer process, 4 -> 4), 64 MiB through a pipe, and connection round trips beside a
# raw 64-byte pipe ping-pong (unpinned, then every process pinned to CPU 0). Prints a Markdown table for
# docs/benchmarks.md (median (min-max) of the runs; round trips: median and p99 of 20,000) and the goals' ratios.
# Usage: benchmarks/compare-queues.sh [repeats] [concur-items] [cpython-items]   (defaults 5, 1000000, 200000)
# Each side moves enough items to run for about a second or more per run at its own rate (CPython's queue moves
# 25,000-164,000 items/s here, so 1,000,000 would take a minute per run); the per-item work is the same.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-5}"
items="${2:-1000000}"
python_items="${3:-200000}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
dll=benchmarks/Concur.Benchmarks/bin/Release/net10.0/Concur.Benchmarks.dll

dotnet build -c Release benchmarks/Concur.Benchmarks >/dev/null
echo "machine: $(nproc) cores, $(uptime), $(dotnet --version), $(python3 --version)" >&2
dotnet "$dll" queues "$repeats" "$items" > "$out/concur.jsonl"
python3 benchmarks/python/queue_throughput.py "$repeats" "$python_items" > "$out/cpython.jsonl"
echo "after the queues: $(uptime)" >&2
dotnet "$dll" connections "$repeats" >> "$out/concur.jsonl"
python3 benchmarks/python/connection.py "$repeats" >> "$out/cpython.jsonl"
taskset -c 0 dotnet "$dll" connections "$repeats" round-trips-pinned >> "$out/concur.jsonl"
taskset -c 0 python3 benchmarks/python/connection.py "$repeats" round-trips-pinned >> "$out/cpython.jsonl"
echo "after: $(uptime)" >&2

PYTHONPATH=benchmarks/python python3 - "$out/concur.jsonl" "$out/cpython.jsonl" <<'PY'
import sys
from side_by_side import load, table
rows, order = load(sys.argv[1:])
table(rows, order)
def value(name, impl="concur"):
    return rows.get(name, {}).get(impl, {}).get("value")
print()
print("| goal (issue 9 point 6) | Concur | met |")
print("|---|---|---|")
v = value("queue_1_to_1_small_ints")
if v:
    print(f"| queue 1 -> 1, >= 1,000,000 msgs/s | {v:,.0f} msgs/s | {'yes' if v >= 1e6 else 'no'} |")
v, p = value("queue_4_to_4_small_ints"), value("queue_4_to_4_small_ints", "cpython")
if v and p:
    print(f"| queue 4 -> 4, faster than CPython (no figure set) | {v:,.0f} msgs/s, {v / p:.1f}x CPython | {'yes' if v > p else 'no'} |")
for name in ("pipe_64mib_threads_recv_into", "pipe_64mib_threads_recv_bytes", "process_64mib_parent_to_child"):
    v = value(name)
    if v:
        print(f"| {name}, >= 1 GiB/s | {v / 1024:.2f} GiB/s | {'yes' if v >= 1024 else 'no'} |")
for suffix in ("", "_pinned"):
    for stat in ("median", "p99"):
        conn, raw = value(f"process_round_trip_64_bytes{suffix}_{stat}"), value(f"process_round_trip_raw_pipe_64_bytes{suffix}_{stat}")
        if conn and raw:
            print(f"| round trip{suffix.replace('_', ' ')} {stat}, connection / raw pipe <= 1.5x | {conn} / {raw} us = {conn / raw:.2f}x | {'yes' if conn / raw <= 1.5 else 'no'} |")
PY
