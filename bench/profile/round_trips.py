"""Round trips between two processes, in rounds, so that warm-up and steady state show apart.

    ./mp4j bench/profile/round_trips.py [ROUNDS]
    MP4J_SPIN_MICROS=0 ./mp4j bench/profile/round_trips.py      # waiters sleep at once

A child echoes over a Pipe (ROUNDS x 2000 round trips), then sets and reads back keys of a
Manager dict (ROUNDS x 1250 pairs). Prints each round's rate and the CPU time each side
spent per round trip (from /proc/self/stat: GraalPy's time.process_time() is not CPU time).
Runs unchanged on CPython for comparison.
"""
from __future__ import print_function, division

import os
import sys
import time
import multiprocessing as mp

PIPE_N = 2000
DICT_N = 1250


def cpu_seconds():
    fields = open('/proc/self/stat').read().rsplit(')', 1)[1].split()
    # Jython has no os.sysconf; the clock tick is 100 Hz on Linux/x86-64.
    ticks = os.sysconf('SC_CLK_TCK') if hasattr(os, 'sysconf') else 100
    return (int(fields[11]) + int(fields[12])) / float(ticks)


def echo(conn, results):
    c0 = cpu_seconds()
    while True:
        msg = conn.recv()
        if msg is None:
            break
        conn.send(msg)
    results.put(cpu_seconds() - c0)


def dict_rounds(d, rounds, results):
    rates = []
    for r in range(rounds):
        t0 = time.time()
        for i in range(DICT_N):
            d[i] = i
            if d[i] != i:
                raise RuntimeError('d[%d] read back wrong' % i)
        rates.append(DICT_N / (time.time() - t0))
    results.put(rates)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    results = mp.Queue()

    here, there = mp.Pipe()
    p = mp.Process(target=echo, args=(there, results))
    p.start()
    here.send(-1)
    here.recv()
    rates = []
    c0 = cpu_seconds()
    for r in range(rounds):
        t0 = time.time()
        for i in range(PIPE_N):
            here.send(i)
            here.recv()
        rates.append(PIPE_N / (time.time() - t0))
    parent_cpu = cpu_seconds() - c0
    here.send(None)
    child_cpu = results.get()
    p.join()
    n = rounds * PIPE_N
    print('pipe round trips/s by round: ' + ' '.join('%.0f' % x for x in rates))
    print('pipe CPU per round trip: parent %.0f us, child %.0f us' % (parent_cpu / n * 1e6, child_cpu / n * 1e6))

    manager = mp.Manager()
    try:
        d = manager.dict()
        p = mp.Process(target=dict_rounds, args=(d, rounds, results))
        p.start()
        rates = results.get()
        p.join()
        print('manager dict pairs/s by round: ' + ' '.join('%.0f' % x for x in rates))
    finally:
        manager.shutdown()


if __name__ == '__main__':
    main()
