"""What a pool refill's workout buys (ChildMain.workOut, _mp4j_main.work_out).

The two children of the initial warm pool boot at normal priority and do no workout; later
children (refills) boot in the background and exercise the IPC paths before they say READY.
This script uses up the initial two, waits until the refills are ready, then measures a
Pool(2) made of refills and a 100 KB Queue transfer from a refill. Compare, alternating:

    MP4J_WORKOUT=0 ./mp4j bench/profile/refill_pool.py
    ./mp4j bench/profile/refill_pool.py
"""
from __future__ import print_function, division

import time

import multiprocessing as mp


def square(x):
    return x * x


def nothing():
    pass


def produce(q, n):
    payload = b'x' * 100000
    q.put(time.time())
    for _ in range(n):
        q.put(payload)
    q.put(None)


def main():
    for _ in range(2):                  # the initial pool's two children
        p = mp.Process(target=nothing)
        p.start()
        p.join()
    time.sleep(12)                      # the refills boot (and work out)
    t0 = time.time()
    pool = mp.Pool(2)
    pool.apply(square, (3,))
    startup = time.time() - t0
    t0 = time.time()
    pool.map(square, range(20000))
    map_rate = 20000 / (time.time() - t0)
    t0 = time.time()
    count = sum(1 for _ in pool.imap_unordered(square, range(5000)))
    imap_rate = count / (time.time() - t0)
    pool.terminate()
    time.sleep(12)                      # refills again, for the queue's producer
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q, 2000))
    p.start()
    t0 = q.get()
    while q.get() is not None:
        pass
    mbps = 2000 * 0.1 / (time.time() - t0)
    p.join()
    print('Pool(2) start %.0f ms, map %.0f items/s, imap_unordered %.0f items/s, '
          'Queue 100 KB %.0f MB/s' % (startup * 1e3, map_rate, imap_rate, mbps))


if __name__ == '__main__':
    main()
