# The check runner shared by the *_api.py conformance scripts (Python 2.7 and 3). A script
# marks each check with @check and ends with `if __name__ == '__main__': run()`; its Java test
# reads the first line ("checks: a,b,...") and one "ok NAME" or "FAIL NAME: why" per check.
from __future__ import print_function

import sys
import traceback

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


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
        try:
            c()
            print('ok ' + c.__name__)
        except Exception:
            print('FAIL %s: %s' % (c.__name__, traceback.format_exc().replace('\n', ' | ')))
        sys.stdout.flush()
