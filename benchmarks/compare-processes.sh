#!/usr/bin/env bash
# Runs Concur's process-pool figures and CPython 3.11's (same work, same method) in one run and prints a Markdown
# table for docs/benchmarks.md. Usage: benchmarks/compare-processes.sh [repeats]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

dotnet build -c Release benchmarks/Concur.Benchmarks >/dev/null
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(dotnet --version), $(python3 --version)" >&2
dotnet benchmarks/Concur.Benchmarks/bin/Release/net10.0/Concur.Benchmarks.dll processes "$repeats" > "$out/concur.jsonl"
python3 benchmarks/python/process_pool.py "$repeats" > "$out/cpython.jsonl"

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
        rows[r["name"]][r["impl"]] = (r["value"], r["unit"])
print("| figure | " + " | ".join(impls) + " |")
print("|---|" + "---|" * len(impls))
for name in order:
    cells = []
    for impl in impls:
        v = rows[name].get(impl)
        cells.append(f"{v[0]:,} {v[1]}" if v else "")
    print(f"| {name} | " + " | ".join(cells) + " |")
PY
