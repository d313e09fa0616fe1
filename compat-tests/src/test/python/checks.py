# The check runner shared by the *_api.py conformance scripts (Python 2.7 and 3). A script
# marks each check with @check and ends with `if __name__ == '__main__': run()`; its Java test
# reads the first line ("checks: a,b,...") and one "ok NAME (seconds)" or "FAIL NAME: why" per check.
from __future__ import print_function

import os
import signal
import sys
import threading
import time
import traceback

CHECKS = []

# How long a check waits for another process. A child that boots a fresh JVM on a loaded 2-core
# machine (CI runs three scripts at once) was measured at 22-23 s; waits on a child use this, so
# a check fails on a lost item or wake, never on a slow start.
PATIENCE = 120


def check(fn):
    CHECKS.append(fn)
    return fn


def ctrl_c_check(fn):
    """A check of what Ctrl-C does, run where it raises KeyboardInterrupt: on GraalPy, not on
    Jython, which ends at once on SIGINT (README)."""
    if sys.version_info[0] >= 3:
        CHECKS.append(fn)
    return fn


def interrupted(wait, *args):
    """Whether wait(*args) ended by the KeyboardInterrupt of a SIGINT that this process sends
    itself a second into the wait, as a Ctrl-C would come; False if it returned first."""
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        wait(*args)
    except KeyboardInterrupt:
        return True
    try:
        timer.cancel()
        timer.join()
        time.sleep(0.5)                 # a signal already sent lands here, not in the next check
    except KeyboardInterrupt:
        pass
    return False


def expect_raise(kind, fn, *args):
    """Calls fn(*args) and returns the `kind` exception it raised; fails if it raised none."""
    try:
        fn(*args)
    except kind as e:
        return e
    raise Exception('no %s' % kind.__name__)


def run():
    print('checks: ' + ','.join(c.__name__ for c in CHECKS))
    sys.stdout.flush()
    for c in CHECKS:
        started = time.time()
        try:
            c()
            print('ok %s (%.1f s)' % (c.__name__, time.time() - started))
        except Exception:
            print('FAIL %s: after %.1f s: %s' % (c.__name__, time.time() - started,
                                                traceback.format_exc().replace('\n', ' | ')))
        sys.stdout.flush()
