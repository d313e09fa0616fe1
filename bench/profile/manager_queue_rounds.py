"""Manager Queue rates: the root alone (puts, then gets) and a child putting while the root gets.

    ./mp4j bench/profile/manager_queue_rounds.py [ITEMS]      (also runs on python3)

Three rounds each, so the warm-up of the first rounds shows beside the steady rate. With a
child, the rate is timed from the first item the root gets, and the wait for that item (the
child's start) is printed beside it: when starts outrun the warm pool, a start waits seconds
for a JVM to boot, which is not the queue's speed.
"""
from __future__ import print_function, division

import sys
import time
import multiprocessing as mp


def producer(q, n):
    for i in range(n):
        q.put(i)
    q.put(None)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    manager = mp.Manager()
    q = manager.Queue()
    for _ in range(3):
        t0 = time.time()
        for i in range(n):
            q.put(i)
        t1 = time.time()
        for i in range(n):
            q.get()
        t2 = time.time()
        print("root alone: put %.0f/s, get %.0f/s" % (n / (t1 - t0), n / (t2 - t1)))
    for _ in range(3):
        p = mp.Process(target=producer, args=(q, n))
        p.start()
        t0 = time.time()
        item = q.get()
        t1 = time.time()
        got = 0
        while item is not None:
            got += 1
            item = q.get()
        t2 = time.time()
        p.join()
        if got != n:
            raise RuntimeError("got %d of %d items" % (got, n))
        print("child puts, root gets: %.0f items/s after the first, which came %.2f s after start()"
              % ((n - 1) / (t2 - t1), t1 - t0))
    manager.shutdown()


if __name__ == "__main__":
    main()
