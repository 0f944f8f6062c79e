"""The lesson's prime programs, timed for `concur bench primes` (CPython's rows beside Concur's).

PRIMES and is_prime are the lesson's own (PrimeNoWithfuture.py, PrimeWithfuture.py), unchanged. The three ways of
running them are the lesson's three programs: the plain loop, and `with <Executor>() as pool: pool.map(is_prime,
PRIMES)` with ProcessPoolExecutor and with ThreadPoolExecutor; the only differences are that the worker count is
given (the lesson compares N=2,4,8,16), results are collected instead of printed, and the list is the lesson's
repeated `scale` times (scale 1 is the lesson's exact list).

Usage: python3 -u lesson_primes.py '{"scale": 2}'
Prints {"kind": "info", ...}, then serves one request per line on standard input, so that concur can interleave
CPython's runs with Concur's (machine load then weighs on both alike):
  {"mode": "sequential" | "threads" | "processes", "workers": 2, "start": "none" | "cold" | "warm"}
    -> {"kind": "sample", "seconds": ...} (sequential also gives "results" and per-call "taskSeconds")
  end of input -> warm pools are shut down and the script exits.
"""
import concurrent.futures
import json
import math
import multiprocessing
import os
import platform
import sys
import threading
import time
from time import perf_counter

PRIMES = [
    112272535095293,
    112582705942171,
    112272535095293,
    115280095190773,
    115797848077099,
    1099726899285419]


def is_prime(n):
    if n < 2:
        return False
    if n == 2:
        return True
    if n % 2 == 0:
        return False

    sqrt_n = int(math.floor(math.sqrt(n)))
    for i in range(3, sqrt_n + 1, 2):
        if n % i == 0:
            return False
    return True


def process_identity(_):
    # Warm-up only: a short pause lets the other workers take the next items, so every worker runs one.
    time.sleep(0.01)
    return os.getpid()


def thread_identity(_):
    time.sleep(0.01)
    return threading.get_ident()


def emit(obj):
    print(json.dumps(obj), flush=True)


def sequential(numbers):
    # PrimeNoWithfuture.py's loop; each call is timed too (the per-task times give the best-schedule bound).
    results, task_seconds = [], []
    for n in numbers:
        start = perf_counter()
        results.append(is_prime(n))
        task_seconds.append(perf_counter() - start)
    return results, task_seconds


def cold(executor, workers, numbers):
    # PrimeWithfuture.py's main: the pool is created and shut down inside the timing.
    with executor(max_workers=workers) as pool:
        return list(pool.map(is_prime, numbers))


def warm_up(pool, workers, identity):
    seen = set()
    deadline = perf_counter() + 60
    while len(seen) < workers and perf_counter() < deadline:
        seen.update(pool.map(identity, range(2 * workers)))
    return len(seen)


EXECUTORS = {
    "threads": (concurrent.futures.ThreadPoolExecutor, thread_identity),
    "processes": (concurrent.futures.ProcessPoolExecutor, process_identity),
}


def main():
    args = json.loads(sys.argv[1])
    numbers = PRIMES * args["scale"]
    emit({"kind": "info", "version": platform.python_version(),
          "startMethod": multiprocessing.get_start_method()})
    warm_pools = {}
    expected = None
    try:
        for line in sys.stdin:
            request = json.loads(line)
            mode, workers, start_kind = request["mode"], request["workers"], request["start"]
            if mode == "sequential":
                start = perf_counter()
                results, task_seconds = sequential(numbers)
                seconds = perf_counter() - start
                expected = results
                emit({"kind": "sample", "seconds": seconds, "results": results, "taskSeconds": task_seconds})
                continue
            executor, identity = EXECUTORS[mode]
            if start_kind == "cold":
                start = perf_counter()
                results = cold(executor, workers, numbers)
                seconds = perf_counter() - start
            else:
                key = (mode, workers)
                if key not in warm_pools:
                    pool = executor(max_workers=workers)
                    warm_up(pool, workers, identity)
                    warm_pools[key] = pool
                start = perf_counter()
                results = list(warm_pools[key].map(is_prime, numbers))
                seconds = perf_counter() - start
            if expected is not None and results != expected:
                raise SystemExit(f"{mode} x {workers} ({start_kind}) computed {results}, the sequential run {expected}")
            emit({"kind": "sample", "seconds": seconds})
    finally:
        for pool in warm_pools.values():
            pool.shutdown(wait=True)


if __name__ == '__main__':
    main()
