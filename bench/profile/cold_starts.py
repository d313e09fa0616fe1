"""Cold starts one after another: each child is a fresh process started with `spawn`.

Usage: cold_starts.py [N]   (default 4). Runs on python3 and python2.7 too.
Prints, per start, start() -> the first line of the target (wall clock) and the child's age
at that line (from /proc: how long since its process began, so the part spent before the
child's own program ran shows as the difference).
"""
from __future__ import print_function

import sys
import time
import multiprocessing as mp

CLOCK_TICKS = 100.0         # Linux USER_HZ; os.sysconf is missing on Jython


def age():
    with open('/proc/self/stat') as f:
        started = int(f.read().rsplit(')', 1)[1].split()[19])
    with open('/proc/uptime') as f:
        uptime = float(f.read().split()[0])
    return uptime - started / CLOCK_TICKS


def report(q, t0):
    q.put((time.time() - t0, age()))


if __name__ == '__main__':
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    ctx = mp.get_context('spawn')
    q = ctx.Queue()
    for _ in range(n):
        t0 = time.time()
        p = ctx.Process(target=report, args=(q, t0))
        p.start()
        to_target, child_age = q.get(timeout=300)
        p.join()
        print('start->target %.2f s, child age %.2f s' % (to_target, child_age))
        sys.stdout.flush()
