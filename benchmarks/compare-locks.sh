#!/usr/bin/env bash
# Issue 10 point 2 in one run: uncontended acquire + release of ProcessLock, ProcessReentrantLock and ProcessCondition
# (BenchmarkDotNet, beside ExclusiveLock and System.Threading.Lock) and of CPython's multiprocessing.Lock, RLock and
# Condition (benchmarks/python/process_lock.py), one after the other on the same machine. Usage: benchmarks/compare-locks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(uptime), $(dotnet --version), $(python3 --version)"
dotnet run -c Release --project benchmarks/Concur.Benchmarks -- --filter '*ProcessLockBenchmarks*' \
  --warmupCount 3 --iterationCount 10 --launchCount 1 --exporters markdown 2>&1 | sed -n '/^| Method\|^|---\|^| .*ns/p'
python3 benchmarks/python/process_lock.py 7 1000000
echo "after: $(uptime)"
