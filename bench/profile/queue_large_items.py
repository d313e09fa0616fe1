"""A child puts N items of SIZE bytes on a Queue; the parent gets them and prints the rate and
the queue's length every 1000 items (its steady state, beyond the shared benchmark's 2000).

Usage: queue_large_items.py [N] [SIZE]   (default 10000 items of 100000 bytes).
Runs on python3 and python2.7 too.
"""
from __future__ import print_function

import sys
import time
import multiprocessing as mp


def produce(q, n, size):
    payload = b'x' * size
    q.put(time.time())
    for _ in range(n):
        q.put(payload)
    q.put(None)


if __name__ == '__main__':
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q, n, size))
    p.start()
    q.get()
    began = t = time.time()
    got = 0
    while q.get() is not None:
        got += 1
        if got % 1000 == 0:
            now = time.time()
            print('%6d items: %4.0f MB/s, %5d queued' % (got, 1000 * size / 1e6 / (now - t), q.qsize()))
            sys.stdout.flush()
            t = now
    print('all %d: %.0f MB/s' % (got, got * size / 1e6 / (time.time() - began)))
    p.join()
