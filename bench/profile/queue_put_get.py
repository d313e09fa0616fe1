#!/usr/bin/env python3
"""One process, one Queue: put+get pairs for a while (see README.md here)."""
import time, sys
import multiprocessing as mp
if __name__ == '__main__':
    q = mp.Queue()
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    item = b'x' * size if size else 7
    end = time.time() + float(sys.argv[2] if len(sys.argv) > 2 else 20)
    n = 0
    t0 = time.time()
    while time.time() < end:
        for _ in range(100):
            q.put(item)
            q.get()
        n += 100
    print('%d put+get in %.1f s: %.1f us each' % (n, time.time() - t0, (time.time() - t0) / n * 1e6))
