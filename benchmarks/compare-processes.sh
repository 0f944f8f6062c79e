#!/usr/bin/env bash
# Runs Concur's process-pool figures and CPython 3.11's (same work, same method) in one run and prints a Markdown
# table for docs/benchmarks.md. Usage: benchmarks/compare-processes.sh [repeats]   (default 3)
# Beside the pool's warm round trip it measures the transport's limit in the same run: 64 bytes ping-ponged over two
# anonymous pipes between two .NET processes (Processes/RawPipe.cs), unpinned and with every process pinned to CPU 0
# (taskset -c 0: the steady limit on this virtual machine, where waking an idle vCPU costs tens of microseconds), and
# reports the pool's median and p99 as ratios of the pinned raw median (issue 12 point 3: at most 1.5x and 10x).
# A cell is the median of the runs, with (min-max) of the runs when the figure has several.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
dll="${CONCUR_BENCH_DLL:-benchmarks/Concur.Benchmarks/bin/Release/net10.0/Concur.Benchmarks.dll}"

[[ -n "${CONCUR_BENCH_DLL:-}" ]] || dotnet build -c Release benchmarks/Concur.Benchmarks >/dev/null
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(dotnet --version), $(python3 --version)" >&2
dotnet "$dll" processes "$repeats" > "$out/concur.jsonl"
taskset -c 0 dotnet "$dll" processes "$repeats" round-trips-pinned >> "$out/concur.jsonl"
[[ -n "${CONCUR_NO_PYTHON:-}" ]] || python3 benchmarks/python/process_pool.py "$repeats" > "$out/cpython.jsonl"
touch "$out/cpython.jsonl"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$out/concur.jsonl" "$out/cpython.jsonl" <<'PY'
import json, sys
rows = {}
order = []
impls = []
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        if r["name"] not in rows:
            rows[r["name"]] = {}
            order.append(r["name"])
        if r["impl"] not in impls:
            impls.append(r["impl"])
        rows[r["name"]][r["impl"]] = r

def cell(r):
    text = f"{r['value']:,} {r['unit']}"
    if "min" in r and r["min"] != r["max"]:
        text += f" ({r['min']:,}-{r['max']:,})"
    return text

print("| figure | " + " | ".join(impls) + " |")
print("|---|" + "---|" * len(impls))
for name in order:
    print(f"| {name} | " + " | ".join(cell(rows[name][i]) if i in rows[name] else "" for i in impls) + " |")

limit = rows.get("raw_pipe_round_trip_pinned_median_us", {}).get("concur")
if limit:
    print()
    print(f"Against the pinned raw pipe median ({limit['value']} us; target: pool median <= 1.5x, p99 <= 10x):")
    print()
    print("| round trip | ratio to the pinned raw median |")
    print("|---|---:|")
    for name in ["round_trip_median_us", "round_trip_p99_us", "round_trip_pinned_median_us", "round_trip_pinned_p99_us",
                 "raw_pipe_round_trip_median_us"]:
        r = rows.get(name, {}).get("concur")
        if r:
            print(f"| {name} | {r['value'] / limit['value']:.2f}x |")
PY
