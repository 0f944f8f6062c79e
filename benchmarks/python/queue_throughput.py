#!/usr/bin/env python3
"""CPython's side of benchmarks/compare-queues.sh: multiprocessing.Queue measured the same way as
benchmarks/Concur.Benchmarks/Ipc/QueueComparison.cs, printed as one JSON object per line.

Usage: queue_throughput.py [repeats] [items] [1|4]. Children are forked once and do every run; a run starts when the
parent puts one go per producer and one per consumer, and ends when every consumer has reported (count, sum)."""
import json
import multiprocessing as mp
import sys
import time

BOUND = 300


def emit(name, values, unit):
    values = sorted(values)
    print(json.dumps({"impl": "cpython", "name": name, "value": round(values[len(values) // 2]),
                      "min": round(values[0]), "max": round(values[-1]), "unit": unit}), flush=True)


def producer(data, go, done, share, rounds):
    done.put(())
    for _ in range(rounds):
        go.get(timeout=BOUND)
        for i in range(share):
            data.put(i)


def consumer(data, go, done, share, rounds):
    done.put(())
    for _ in range(rounds):
        go.get(timeout=BOUND)
        total = 0
        for _ in range(share):
            total += data.get(timeout=BOUND)
        done.put((share, total))


def shape(ctx, pairs, items, repeats):
    share = items // pairs
    rounds = repeats + 1  # one warm-up
    data, producer_go, consumer_go, done = ctx.Queue(), ctx.Queue(), ctx.Queue(), ctx.Queue()
    children = [ctx.Process(target=producer, args=(data, producer_go, done, share, rounds)) for _ in range(pairs)]
    children += [ctx.Process(target=consumer, args=(data, consumer_go, done, share, rounds)) for _ in range(pairs)]
    for child in children:
        child.start()
    for _ in children:
        done.get(timeout=BOUND)
    expected_sum = share * (share - 1) // 2 * pairs
    values = []
    for round_ in range(rounds):
        start = time.perf_counter()
        for _ in range(pairs):
            consumer_go.put(1)
            producer_go.put(1)
        count = total = 0
        for _ in range(pairs):
            c, s = done.get(timeout=BOUND)
            count += c
            total += s
        seconds = time.perf_counter() - start
        assert count == share * pairs and total == expected_sum, (count, total)
        if round_ > 0:
            values.append(share * pairs / seconds)
    for child in children:
        child.join(30)
    return values


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    items = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    only = sys.argv[3] if len(sys.argv) > 3 else ""
    ctx = mp.get_context("fork")
    if only in ("", "1"):
        emit("queue_1_to_1_small_ints", shape(ctx, 1, items, repeats), "msgs/s")
    if only in ("", "4"):
        emit("queue_4_to_4_small_ints", shape(ctx, 4, items, repeats), "msgs/s")


if __name__ == "__main__":
    main()
