"""Starts one after another, each joined before the next: how long until the target runs, and
which pid served it.

Usage: sequential_starts.py [METHOD] [N] [PAUSE]   (defaults: forkserver, 10, 0 seconds)
Runs on python3 too. PAUSE seconds between a join and the next start let a JVM that serves
again (mp4j's forkserver, see README "Start methods") renew its interpreter first; with no
pause the starts outrun it. Prints each start -> target time and pid, then the median and how
many starts a pid seen before served.
"""
from __future__ import print_function

import os
import sys
import time
import multiprocessing as mp


def report(q):
    q.put((time.time(), os.getpid()))


if __name__ == '__main__':
    method = sys.argv[1] if len(sys.argv) > 1 else 'forkserver'
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    pause = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    ctx = mp.get_context(method)
    q = ctx.Queue()
    times, seen, served_again = [], set(), 0
    for i in range(n):
        if pause and i:
            time.sleep(pause)
        p = ctx.Process(target=report, args=(q,))
        t0 = time.time()
        p.start()
        t1, pid = q.get()
        p.join()
        times.append((t1 - t0) * 1e3)
        served_again += pid in seen
        seen.add(pid)
        print('start -> target %7.1f ms  pid %d' % (times[-1], pid))
        sys.stdout.flush()
    times.sort()
    print('%s: median %.1f ms, max %.1f ms; %d of %d starts served by a pid seen before'
          % (method, times[len(times) // 2], times[-1], served_again, n))
