#!/usr/bin/env bash
# The cluster's figures beside the process pool's and raw Orleans grain calls', in one run on this machine: an
# embedded cluster of 2 node processes (1 worker each) against a process pool of 2 workers, and Orleans calls to the
# same nodes' grains. Prints a Markdown table for docs/benchmarks.md.
# Usage: benchmarks/compare-cluster.sh [repeats]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-3}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

dotnet build -c Release benchmarks/Concur.Cluster.Benchmarks >/dev/null
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(dotnet --version)" >&2
dotnet benchmarks/Concur.Cluster.Benchmarks/bin/Release/net10.0/Concur.Cluster.Benchmarks.dll "$repeats" > "$out"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$out" <<'PY'
import json, sys
rows, order, impls = {}, [], []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["name"] not in rows:
        rows[r["name"]] = {}
        order.append(r["name"])
    if r["impl"] not in impls:
        impls.append(r["impl"])
    rows[r["name"]][r["impl"]] = (r["value"], r["unit"])
print("| figure | " + " | ".join(impls) + " | cluster / process pool |")
print("|---|" + "---|" * (len(impls) + 1))
for name in order:
    cells = []
    for impl in impls:
        v = rows[name].get(impl)
        cells.append(f"{v[0]:,} {v[1]}" if v else "")
    c, p = rows[name].get("cluster"), rows[name].get("process pool")
    ratio = f"{c[0] / p[0]:.2f}x" if c and p and p[0] else ""
    print(f"| {name} | " + " | ".join(cells) + f" | {ratio} |")
PY
