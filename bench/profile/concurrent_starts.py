"""Wall time of N processes with an empty target started at once, then joined.

Usage: concurrent_starts.py [N]   (default 3). Runs on python3 and python2.7 too.
"""
from __future__ import print_function

import sys
import time
import multiprocessing as mp


def empty():
    pass


if __name__ == '__main__':
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    began = time.time()
    procs = [mp.Process(target=empty) for _ in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print('%d processes started and joined in %.1f s' % (n, time.time() - began))
