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
    return f"{r['value']:,} ({r['min']:,}-{r['max']:,}) {r['unit']}"
print("| figure | Concur | CPython | Concur / CPython |")
print("|---|---|---|---|")
for name in order:
    c, p = rows[name].get("concur"), rows[name].get("cpython")
    ratio = f"{c['value'] / p['value']:.1f}x" if c and p and p["value"] else ""
    print(f"| {name} | {cell(c)} | {cell(p)} | {ratio} |")
PY
