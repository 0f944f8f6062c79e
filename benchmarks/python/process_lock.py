"""CPython's multiprocessing.Lock and RLock, uncontended acquire + release, timed beside ProcessLockBenchmarks.

Prints one line per kind: nanoseconds per acquire/release pair (loop overhead subtracted), for the Lock, the RLock
(once, and nested twice), the Condition (with cond: cond.notify(), no waiter) and, for reference, threading.Lock.
Usage: python3 process_lock.py [runs] [pairs]
"""
import multiprocessing
import sys
import threading
import time


def per_pair(lock, pairs):
    acquire, release = lock.acquire, lock.release
    start = time.perf_counter_ns()
    for _ in range(pairs):
        acquire()
        release()
    return time.perf_counter_ns() - start


def nested(lock, pairs):
    start = time.perf_counter_ns()
    for _ in range(pairs):
        with lock:
            with lock:
                pass
    return time.perf_counter_ns() - start


def notify(cond, pairs):
    start = time.perf_counter_ns()
    for _ in range(pairs):
        with cond:
            cond.notify()
    return time.perf_counter_ns() - start


def empty_loop(pairs):
    start = time.perf_counter_ns()
    for _ in range(pairs):
        pass
    return time.perf_counter_ns() - start


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    pairs = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
    rlock = multiprocessing.RLock()
    kinds = (
        ("multiprocessing.Lock", per_pair, multiprocessing.Lock()),
        ("multiprocessing.RLock", per_pair, rlock),
        ("multiprocessing.RLock nested twice (with; with)", nested, rlock),
        ("multiprocessing.Condition (with cond: cond.notify())", notify, multiprocessing.Condition()),
        ("threading.Lock", per_pair, threading.Lock()),
    )
    for name, timed, lock in kinds:
        results = []
        for _ in range(runs):
            results.append((timed(lock, pairs) - empty_loop(pairs)) / pairs)
        results.sort()
        print(f"{name}: median {results[len(results) // 2]:.1f} ns per acquire+release "
              f"(min {results[0]:.1f}, max {results[-1]:.1f}; {runs} runs of {pairs:,})")


if __name__ == "__main__":
    main()
