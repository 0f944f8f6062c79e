"""The lesson's prime programs, timed for `concur bench primes` (CPython's rows beside Concur's).

PRIMES and is_prime are the lesson's own (PrimeNoWithfuture.py, PrimeWithfuture.py), unchanged. The three ways of
running them are the lesson's three programs: the plain loop, and `with <Executor>() as pool: pool.map(is_prime,
PRIMES)` with ProcessPoolExecutor and with ThreadPoolExecutor; the only differences are that the worker count is
given (the lesson compares N=2,4,8,16), results are collected instead of printed, and the list is the lesson's
repeated `scale` times (scale 1 is the lesson's exact list).

Usage: python3 -u lesson_primes.py '{"scale": 2, "workers": [2], "runs": 5}'
Prints one JSON object per line: {"kind": "info", ...} first, then per configuration {"kind": "start", ...} as it
begins and {"kind": "row", ...} with its timings when it ends.
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


def median(values):
    s = sorted(values)
    k = len(s) // 2
    return s[k] if len(s) % 2 else (s[k - 1] + s[k]) / 2


def main():
    args = json.loads(sys.argv[1])
    scale, workers, runs = args["scale"], args["workers"], args["runs"]
    numbers = PRIMES * scale
    emit({"kind": "info", "version": platform.python_version(),
          "startMethod": multiprocessing.get_start_method()})

    emit({"kind": "start", "mode": "sequential", "workers": 1, "start": "none"})
    samples, per_task = [], [[] for _ in numbers]
    expected = None
    for _ in range(runs):
        start = perf_counter()
        results, task_seconds = sequential(numbers)
        samples.append(perf_counter() - start)
        expected = results
        for i, seconds in enumerate(task_seconds):
            per_task[i].append(seconds)
    emit({"kind": "row", "mode": "sequential", "workers": 1, "start": "none", "samples": samples,
          "results": expected, "taskSeconds": [median(t) for t in per_task]})

    modes = (("threads", concurrent.futures.ThreadPoolExecutor, thread_identity),
             ("processes", concurrent.futures.ProcessPoolExecutor, process_identity))
    for count in workers:
        for mode, executor, identity in modes:
            emit({"kind": "start", "mode": mode, "workers": count, "start": "cold"})
            samples = []
            for _ in range(runs):
                start = perf_counter()
                results = cold(executor, count, numbers)
                samples.append(perf_counter() - start)
                if results != expected:
                    raise SystemExit(f"{mode} x {count} (cold) computed {results}, the sequential run {expected}")
            emit({"kind": "row", "mode": mode, "workers": count, "start": "cold", "samples": samples})

            emit({"kind": "start", "mode": mode, "workers": count, "start": "warm"})
            samples = []
            with executor(max_workers=count) as pool:
                started = warm_up(pool, count, identity)
                for _ in range(runs):
                    start = perf_counter()
                    results = list(pool.map(is_prime, numbers))
                    samples.append(perf_counter() - start)
                    if results != expected:
                        raise SystemExit(f"{mode} x {count} (warm) computed {results}, the sequential run {expected}")
            emit({"kind": "row", "mode": mode, "workers": count, "start": "warm", "samples": samples,
                  "workersStarted": started})


if __name__ == '__main__':
    main()
