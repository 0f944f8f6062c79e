#!/usr/bin/env python3
"""CPython's side of benchmarks/compare-connections.sh: multiprocessing.Pipe measured the same way as
benchmarks/Concur.Benchmarks/Ipc/ConnectionComparison.cs, printed as one JSON object per line.

Usage: connection.py [repeats] [round-trips-pinned]; the second argument measures only the round trips and suffixes
their names with _pinned (compare-queues.sh runs that pass under taskset -c 0)."""
import json
import multiprocessing as mp
import os
import sys
import threading
import time

SIZE = 64 * 1024 * 1024
ROUND_TRIPS = 20_000


SUFFIX = ""


def emit(name, values, unit):
    if unit == "us":
        name += SUFFIX
        print(json.dumps({"impl": "cpython", "name": name + "_median", "value": round(values[0], 1), "unit": unit}), flush=True)
        print(json.dumps({"impl": "cpython", "name": name + "_p99", "value": round(values[1], 1), "unit": unit}), flush=True)
        return
    values = sorted(values)
    print(json.dumps({"impl": "cpython", "name": name, "value": round(values[len(values) // 2], 1),
                      "min": round(values[0], 1), "max": round(values[-1], 1), "unit": unit}), flush=True)


def runs(repeats, once):
    once()  # warm up
    return [once() for _ in range(repeats)]


def threads_once(data, into):
    reader, writer = mp.Pipe(False)
    with reader, writer:
        sender = threading.Thread(target=writer.send_bytes, args=(data,))
        start = time.perf_counter()
        sender.start()
        length = len(reader.recv_bytes()) if into is None else reader.recv_bytes_into(into)
        seconds = time.perf_counter() - start
        sender.join()
        assert length == SIZE
        return SIZE / seconds / 2**20


def child(data_reader, ack_writer, parent_ends):
    for end in parent_ends:
        end.close()  # Forked copies of the parent's ends: kept open, they would hide the parent's end of file.
    buffer = bytearray(SIZE)
    while True:
        try:
            length = data_reader.recv_bytes_into(buffer)
        except EOFError:
            return
        if length == SIZE:
            ack_writer.send_bytes(b"\x01")
        else:
            ack_writer.send_bytes(bytes(buffer[:length]))


def pickled_echo(conn, parent_end):
    parent_end.close()
    while True:
        try:
            conn.send(conn.recv())
        except EOFError:
            return


def raw_echo(reader, writer, parent_ends):
    for end in parent_ends:
        os.close(end)
    while True:
        data = os.read(reader, 64)
        if not data:
            return
        os.write(writer, data)


def raw_pipe_round_trip(ctx):
    """The raw limit: 64 bytes back and forth over two os.pipe()s with a forked child, os.read/os.write."""
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    process = ctx.Process(target=raw_echo, args=(to_child_r, from_child_w, (to_child_w, from_child_r)))
    process.start()
    os.close(to_child_r)
    os.close(from_child_w)
    small = bytes(64)

    def once():
        os.write(to_child_w, small)
        os.read(from_child_r, 64)

    emit("process_round_trip_raw_pipe_64_bytes", round_trip(once), "us")
    os.close(to_child_w)
    process.join()
    os.close(from_child_r)


def round_trip(once):
    for _ in range(2000):
        once()
    samples = []
    for _ in range(ROUND_TRIPS):
        start = time.perf_counter()
        once()
        samples.append((time.perf_counter() - start) * 1e6)
    samples.sort()
    return [samples[ROUND_TRIPS // 2], samples[int(ROUND_TRIPS * 0.99)]]


def main():
    global SUFFIX
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    round_trips_only = len(sys.argv) > 2 and sys.argv[2] == "round-trips-pinned"
    SUFFIX = "_pinned" if round_trips_only else ""
    data = b"" if round_trips_only else os.urandom(SIZE)
    into = bytearray(0 if round_trips_only else SIZE)
    if not round_trips_only:
        emit("pipe_64mib_threads_recv_bytes", runs(repeats, lambda: threads_once(data, None)), "MiB/s")
        emit("pipe_64mib_threads_recv_into", runs(repeats, lambda: threads_once(data, into)), "MiB/s")

    ctx = mp.get_context("fork")
    data_reader, data_writer = ctx.Pipe(False)
    ack_reader, ack_writer = ctx.Pipe(False)
    process = ctx.Process(target=child, args=(data_reader, ack_writer, (data_writer, ack_reader)))
    process.start()
    data_reader.close()
    ack_writer.close()

    def to_child_once():
        start = time.perf_counter()
        data_writer.send_bytes(data)
        assert len(ack_reader.recv_bytes()) == 1
        return SIZE / (time.perf_counter() - start) / 2**20

    if not round_trips_only:
        emit("process_64mib_parent_to_child", runs(repeats, to_child_once), "MiB/s")
    small = bytearray(64)

    def bytes_once():
        data_writer.send_bytes(small)
        ack_reader.recv_bytes_into(small)

    emit("process_round_trip_64_bytes", round_trip(bytes_once), "us")
    data_writer.close()
    process.join()

    mine, theirs = ctx.Pipe()
    process = ctx.Process(target=pickled_echo, args=(theirs, mine))
    process.start()
    theirs.close()

    def pickled_once():
        mine.send(1)
        mine.recv()

    emit("process_round_trip_typed_int", round_trip(pickled_once), "us")
    mine.close()
    process.join()
    raw_pipe_round_trip(ctx)


if __name__ == "__main__":
    main()
