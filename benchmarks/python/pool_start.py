#!/usr/bin/env python3
"""CPython's side of benchmarks/compare-pool-start.sh: ProcessPoolExecutor(2) created -> first result, with the
given start method, one JSON line per pool (the first pool of the process is not reported, as on Concur's side).
Usage: python3 pool_start.py <spawn|forkserver|fork> [pools]"""
import concurrent.futures as cf
import json
import multiprocessing as mp
import sys
import time


def identity(x):
    return x


def main():
    method = sys.argv[1]
    pools = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    context = mp.get_context(method)
    for i in range(pools + 1):
        start = time.perf_counter()
        with cf.ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
            pool.submit(identity, 1).result()
            ms = (time.perf_counter() - start) * 1000
        if i > 0:
            print(json.dumps({"impl": f"CPython {method}", "ms": round(ms, 2)}), flush=True)


if __name__ == "__main__":
    main()
