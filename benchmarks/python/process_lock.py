"""CPython's multiprocessing.Lock, uncontended acquire + release, timed beside ProcessLockBenchmarks.

Prints one line per run: nanoseconds per acquire/release pair (loop overhead subtracted), for the Lock and, for
reference, threading.Lock. Usage: python3 process_lock.py [runs] [pairs]
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


def empty_loop(pairs):
    start = time.perf_counter_ns()
    for _ in range(pairs):
        pass
    return time.perf_counter_ns() - start


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    pairs = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
    for name, lock in (("multiprocessing.Lock", multiprocessing.Lock()), ("threading.Lock", threading.Lock())):
        results = []
        for _ in range(runs):
            results.append((per_pair(lock, pairs) - empty_loop(pairs)) / pairs)
        results.sort()
        print(f"{name}: median {results[len(results) // 2]:.1f} ns per acquire+release "
              f"(min {results[0]:.1f}, max {results[-1]:.1f}; {runs} runs of {pairs:,})")


if __name__ == "__main__":
    main()
