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

python3 - "$out/concur.jsonl" "$out/cpython.jsonl" <<'PY'
import json, sys
rows, order = {}, []
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        if r["name"] not in rows:
            rows[r["name"]] = {}
            order.append(r["name"])
        rows[r["name"]][r["impl"]] = r
def cell(r):
    if r is None:
        return ""
    spread = f" ({r['min']:,}-{r['max']:,})" if "min" in r else ""
    return f"{r['value']:,}{spread} {r['unit']}"
print("| figure | Concur | CPython 3.11 | Concur / CPython |")
print("|---|---|---|---|")
for name in order:
    c, p = rows[name].get("concur"), rows[name].get("cpython")
    ratio = f"{c['value'] / p['value']:.2f}x" if c and p and p["value"] else ""
    print(f"| {name} | {cell(c)} | {cell(p)} | {ratio} |")
PY
