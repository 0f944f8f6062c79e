#!/usr/bin/env bash
# Issue 12 point 2: `new ProcessPoolExecutor(2)` to the first result, Concur beside CPython, in one run.
# Variants, alternated round by round so machine load weighs on each alike:
#   Concur (IL)          the normal Release build: Concur.dll and MessagePack.dll are JIT-compiled
#   Concur (R2R Concur)  built with -p:ConcurReadyToRun=true: Concur.dll is ReadyToRun (src/Concur/ReadyToRun.targets)
#   Concur (R2R all)     the app published with PublishReadyToRun (MessagePack.dll precompiled too)
#   Concur (IL, TieredPGO=0) the IL build with DOTNET_TieredPGO=0 (workers inherit it): no instrumented tier
#   .NET floor           `dotnet Concur.dll` alone (the runtime starts, Main prints a line, exit): no worker is faster
#   CPython spawn / forkserver / fork: concurrent.futures.ProcessPoolExecutor(2, mp_context=...)
# Usage: benchmarks/compare-pool-start.sh [rounds] [pools per round]   (default 5 rounds of 3 pools)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
pools="${2:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

dotnet build -c Release -p:ConcurReadyToRun=true -o "$out/r2r-concur" benchmarks/Concur.Benchmarks >/dev/null
dotnet build -c Release benchmarks/Concur.Benchmarks >/dev/null
dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$out/r2r" benchmarks/Concur.Benchmarks >/dev/null
il=benchmarks/Concur.Benchmarks/bin/Release/net10.0/Concur.Benchmarks.dll
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(dotnet --version), $(python3 --version)" >&2
for ((r = 1; r <= rounds; r++)); do
  dotnet "$il" pool-start "$pools" "Concur (IL)" >> "$out/all.jsonl"
  dotnet "$out/r2r-concur/Concur.Benchmarks.dll" pool-start "$pools" "Concur (R2R Concur)" >> "$out/all.jsonl"
  dotnet "$out/r2r/Concur.Benchmarks.dll" pool-start "$pools" "Concur (R2R all)" >> "$out/all.jsonl"
  DOTNET_TieredPGO=0 dotnet "$il" pool-start "$pools" "Concur (IL, TieredPGO=0)" >> "$out/all.jsonl"
  dotnet "$il" pool-start "$pools" ".NET floor: dotnet Concur.dll, start to exit" floor >> "$out/all.jsonl"
  for method in spawn forkserver fork; do
    python3 benchmarks/python/pool_start.py "$method" "$pools" >> "$out/all.jsonl"
  done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$out/all.jsonl" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows.setdefault(r["impl"], []).append(r)
print("| pool created -> first result | median | min | max | worker CPU median |")
print("|---|---:|---:|---:|---:|")
for impl, rs in rows.items():
    ms = sorted(r["ms"] for r in rs)
    cpu = [r["workerCpuMs"] for r in rs if "workerCpuMs" in r]
    cpu_text = f"{statistics.median(cpu):.0f} ms" if cpu else ""
    print(f"| {impl} ({len(ms)} pools) | {statistics.median(ms):.1f} ms | {ms[0]:.1f} ms | {ms[-1]:.1f} ms | {cpu_text} |")
PY
