#!/usr/bin/env python3
"""CPython's side of benchmarks/compare-processes.sh: the same figures, measured the same way as
benchmarks/Concur.Benchmarks/Processes/ProcessComparison.cs, printed as one JSON object per line."""
import concurrent.futures as cf
import json
import math
import multiprocessing as mp
import statistics
import sys
import time

WORKERS = 2
PRIMES = [
    112272535095293,
    112582705942171,
    112272535095293,
    115280095190773,
    115797848077099,
    1099726899285419]


def identity(x):
    return x


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


def emit(name, value, unit, method):
    print(json.dumps({"impl": f"cpython-{method}", "name": name, "value": round(value, 2), "unit": unit}), flush=True)


def median(repeats, measure):
    return statistics.median(measure() for _ in range(repeats))


def create_to_first_result(ctx):
    start = time.perf_counter()
    with cf.ProcessPoolExecutor(WORKERS, mp_context=ctx) as pool:
        pool.submit(identity, 1).result()
        elapsed = time.perf_counter() - start
    return elapsed * 1000


def round_trip(pool, count):
    samples = []
    for i in range(count):
        start = time.perf_counter()
        pool.submit(identity, i).result()
        samples.append((time.perf_counter() - start) * 1e6)
    samples.sort()
    return samples[count // 2], samples[int(count * 0.99)]


def submits(pool, count):
    start = time.perf_counter()
    futures = [pool.submit(identity, i) for i in range(count)]
    for f in futures:
        f.result()
    return count / (time.perf_counter() - start)


def pool_map(ctx, count):
    # multiprocessing.Pool.map with its default chunk size: ceil(n / (4 * workers)).
    items = list(range(count))
    with ctx.Pool(WORKERS) as pool:
        pool.map(identity, range(1000))
        start = time.perf_counter()
        pool.map(identity, items)
        return count / (time.perf_counter() - start)


def executor_map(pool, count, chunksize):
    start = time.perf_counter()
    for _ in pool.map(identity, range(count), chunksize=chunksize):
        pass
    return count / (time.perf_counter() - start)


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for method in ("spawn", "fork"):
        ctx = mp.get_context(method)
        emit("pool_create_to_first_result_ms", median(repeats, lambda: create_to_first_result(ctx)), "ms", method)
    method = "fork"
    ctx = mp.get_context(method)
    with cf.ProcessPoolExecutor(WORKERS, mp_context=ctx) as pool:
        list(pool.map(identity, range(1000)))
        med, p99 = round_trip(pool, 5000)
        emit("round_trip_median_us", med, "us", method)
        emit("round_trip_p99_us", p99, "us", method)
        emit("submit_20k_tasks_per_s", median(repeats, lambda: submits(pool, 20_000)), "tasks/s", method)
        emit("map_20k_chunk1_items_per_s", median(repeats, lambda: executor_map(pool, 20_000, 1)), "items/s", method)
    emit("map_1m_items_per_s", median(repeats, lambda: pool_map(ctx, 1_000_000)), "items/s", method)

    single = []
    for n in PRIMES:
        start = time.perf_counter()
        is_prime(n)
        single.append(time.perf_counter() - start)
    free = [0.0] * WORKERS
    for t in single:
        i = 0 if free[0] <= free[1] else 1
        free[i] += t
    with cf.ProcessPoolExecutor(WORKERS, mp_context=ctx) as pool:
        list(pool.map(identity, range(10)))

        def primes_once():
            start = time.perf_counter()
            list(pool.map(is_prime, PRIMES))
            return time.perf_counter() - start
        pooled = median(repeats, primes_once)
    emit("primes_sequential_ms", sum(single) * 1000, "ms", method)
    emit("primes_largest_single_task_ms", max(single) * 1000, "ms", method)
    emit("primes_ideal_in_order_schedule_ms", max(free) * 1000, "ms", method)
    emit("primes_process_pool_ms", pooled * 1000, "ms", method)


if __name__ == "__main__":
    main()
