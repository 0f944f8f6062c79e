#!/usr/bin/env python3
"""CPython's side of benchmarks/compare-manager.sh: multiprocessing.Manager().dict() measured the same way as
benchmarks/Concur.Benchmarks/Ipc/ManagerComparison.cs, printed as one JSON object per line.

Also the floor of any design that makes one socket round trip per operation: a bare socketpair ping-pong between
two processes (os.fork, 16 bytes each way, no framing), in round trips per second.

Usage: manager.py [repeats]"""
import json
import multiprocessing as mp
import os
import socket
import sys
import time

SINGLE_OPS = 20_000
CLIENT_OPS = 5_000
CLIENTS = 4
BATCH = 1_000
BATCHES = 10
PING_PONGS = 50_000


def emit(name, values, unit):
    values = sorted(values)
    print(json.dumps({"impl": "cpython", "name": name, "value": round(values[len(values) // 2]),
                      "min": round(values[0]), "max": round(values[-1]), "unit": unit}), flush=True)


def runs(repeats, once):
    once()  # warm up
    return [once() for _ in range(repeats)]


def timed(operations, body):
    start = time.perf_counter()
    body()
    return operations / (time.perf_counter() - start)


def single_once(d):
    def body():
        for i in range(SINGLE_OPS // 2):
            d["k"] = i
            assert d["k"] == i
    return timed(SINGLE_OPS, body)


def client(d, key, go, spans):
    d[key] = 0
    go.wait(60)
    start = time.time()
    for i in range(CLIENT_OPS // 2):
        d[key] = i
        assert d[key] == i
    spans.put((start, time.time()))


def clients_once(manager, d):
    go = manager.Event()
    spans = manager.Queue()
    children = [mp.Process(target=client, args=(d, f"client{c}", go, spans)) for c in range(CLIENTS)]
    for child in children:
        child.start()
    deadline = time.time() + 60
    while any(f"client{c}" not in d for c in range(CLIENTS)) and time.time() < deadline:
        time.sleep(0.01)
    go.set()
    got = [spans.get(timeout=120) for _ in range(CLIENTS)]
    for child in children:
        child.join(30)
    for c in range(CLIENTS):
        del d[f"client{c}"]
    return CLIENTS * CLIENT_OPS / (max(e for _, e in got) - min(s for s, _ in got))


def ping_pong_once():
    a, b = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        a.close()
        while True:
            data = b.recv(64)
            if not data:
                os._exit(0)
            b.send(data)
    b.close()
    message = b"x" * 16
    start = time.perf_counter()
    for _ in range(PING_PONGS):
        a.send(message)
        a.recv(64)
    seconds = time.perf_counter() - start
    a.close()
    os.waitpid(pid, 0)
    return PING_PONGS / seconds


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with mp.Manager() as manager:
        d = manager.dict()
        emit("dict_get_set_1_client", runs(repeats, lambda: single_once(d)), "ops/s")
        emit(f"dict_get_set_{CLIENTS}_clients", runs(repeats, lambda: clients_once(manager, d)), "ops/s")
        batch = {f"key{i}": i for i in range(BATCH)}
        keys = list(batch)

        def updates():
            for _ in range(BATCHES):
                d.update(batch)

        def reads():
            for _ in range(BATCHES):
                values = [d[k] for k in keys]
                assert len(values) == BATCH

        emit("dict_update_batches_of_1000", runs(repeats, lambda: timed(BATCHES * BATCH, updates)), "entries/s")
        emit("dict_get_many_batches_of_1000", runs(repeats, lambda: timed(BATCHES * BATCH, reads)), "entries/s")
    emit("socketpair_round_trip_floor", runs(repeats, ping_pong_once), "round trips/s")


if __name__ == "__main__":
    main()
