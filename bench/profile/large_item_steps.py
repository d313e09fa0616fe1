"""Where a consumer's time goes for 100 KB bytes items, round by round (GraalPy only: it calls
mp4j's Java steps one by one, as Queue.get does for such an item).

    ./mp4j bench/profile/large_item_steps.py [ITEMS]      (default 3000)

A child puts ITEMS items of 100 000 bytes; the root takes them in rounds of 100 and prints, per
item, the round's wall time, the time of each step (getValue: the ring's mutex and the copy out
of the ring; size: recognizing the bytes pickle; bytes(n): the new object; copy: the payload
into it), the root thread's own CPU (time.thread_time) and how many items the producer is ahead.
The first rounds show the consumer's warm-up, the last ones its steady state.
"""
from __future__ import print_function

import sys
import time
import multiprocessing as mp

import polyglot

SIZE = 100000
ROUND = 100


def produce(q, n):
    payload = b'x' * SIZE
    q.put(time.time())
    for _ in range(n):
        q.put(payload)
    q.put(None)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    q = mp.Queue()
    shared = q._shared
    p = mp.Process(target=produce, args=(q, n))
    p.start()
    q.get()
    clock = time.perf_counter
    for r in range(n // ROUND):
        took = [0.0, 0.0, 0.0, 0.0]
        cpu0, t0 = time.thread_time(), clock()
        for _ in range(ROUND):
            a = clock()
            item = shared.getValue(-1.0)
            b = clock()
            size = shared.bytesPickleSize(item)
            c = clock()
            data = bytes(size)
            d = clock()
            shared.copyBytesPickle(item, polyglot.storage(data))
            e = clock()
            took[0] += b - a
            took[1] += c - b
            took[2] += d - c
            took[3] += e - d
        wall, cpu = clock() - t0, time.thread_time() - cpu0
        print('round %2d: %5.0f us/item (getValue %4.0f, size %3.0f, bytes(n) %4.0f, copy %4.0f), '
              'thread cpu %4.0f, %4d queued'
              % (r, wall / ROUND * 1e6, took[0] / ROUND * 1e6, took[1] / ROUND * 1e6,
                 took[2] / ROUND * 1e6, took[3] / ROUND * 1e6, cpu / ROUND * 1e6, q.qsize()))
    while q.get() is not None:
        pass
    p.join()


if __name__ == '__main__':
    main()
