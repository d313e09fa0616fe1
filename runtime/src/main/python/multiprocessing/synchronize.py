"""Locks and friends across processes, each on named POSIX semaphores (Java: PosixSemaphore).

As in CPython, one SemLock base; Lock, RLock, Semaphore and BoundedSemaphore differ only in
kind and maximum, and Condition and Event are built from them.
"""
import errno
import operator
import os
import sys
import threading
import time

from . import bridge
from . import context
from . import process
from . import util

try:
    from threading import BrokenBarrierError
except ImportError:                     # Python 2 has no Barrier: the error is ours
    class BrokenBarrierError(RuntimeError):
        pass

__all__ = ['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition', 'Event', 'Barrier']

RECURSIVE_MUTEX, SEMAPHORE = 0, 1
SEM_VALUE_MAX = 2147483647

# Waits longer than this go in slices, so that other Python threads of the process run and a
# Ctrl-C (KeyboardInterrupt) ends the wait: a thread blocked in Java code sees no signal.
_SLICE = 0.1


def _wait_in_slices(wait, timeout):
    """wait(seconds) -> whether it came (a Java semaphore's acquire, an event's wait), called in
    slices until it came or `timeout` (None: for ever) passed; whether it came."""
    if timeout is None:
        while not wait(_SLICE):
            pass
        return True
    deadline = time.time() + max(0.0, timeout)
    while True:
        left = deadline - time.time()
        if wait(max(0.0, min(left, _SLICE))):
            return True
        if left <= _SLICE:
            return False


class SemLock(object):
    """A lock or semaphore across processes. As CPython's _multiprocessing.SemLock, each process
    keeps which of its threads acquired it last and how often it holds it: in Java (SemLock),
    so that an acquire or release is one Java call."""

    def __init__(self, kind, value, maxvalue, ctx=None):
        self._kind = kind
        self._maxvalue = maxvalue
        self._attach(bridge.runtime().newSemaphore(value))

    def _attach(self, sem):
        self._sem = sem
        semlock = bridge.runtime().semLock(sem, self._kind, self._maxvalue)
        self._semlock = semlock
        # Java methods looked up once: a lookup costs as much as the call (~1.5 us each).
        self._acquire_now = semlock.acquireNow
        self._acquire_within = semlock.acquireWithin
        self._release = semlock.release
        self._name = str(sem.name())

    def _is_mine(self):
        return bool(self._semlock.isMine())

    def _count(self):
        return int(self._semlock.count())

    def acquire(self, block=True, timeout=None):
        if self._acquire_now():
            return True
        if not block:
            return False
        return _wait_in_slices(self._acquire_within, timeout)

    def release(self):
        refused = self._release()
        if refused:
            self._refuse_release(refused)

    def _refuse_release(self, why):
        if why == _NOT_OWNED:
            raise AssertionError('attempt to release recursive lock not owned by thread')
        raise ValueError('semaphore or lock released too many times')

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *args):
        return self.release()

    def _get_value(self):
        return int(self._sem.value())

    def __getstate__(self):
        context.assert_spawning(self)
        return (self._name, self._kind, self._maxvalue)

    def __setstate__(self, state):
        name, self._kind, self._maxvalue = state
        self._attach(bridge.runtime().attachSemaphore(name))


# Java SemLock.release's answer for a release by a thread that does not hold an RLock (the
# other refusal, 2, is a release beyond the maximum).
_NOT_OWNED = 1


def _initial_value(value):
    """value as the C int of a semaphore, with CPython's errors: what is not an integer, a
    value a C int cannot hold, one sem_open refuses (EINVAL)."""
    value = int(operator.index(value))          # a bool is the int it is
    if value > SEM_VALUE_MAX:
        raise OverflowError('Python int too large to convert to C int')
    if value < 0:
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
    return value


def _owner_name():
    """How CPython's reprs name the holder in this process: the process, and the thread if
    it is not the main one."""
    name = process.current_process().name
    thread = threading.current_thread().name
    if thread != 'MainThread':
        name += '|' + thread
    return name


class Semaphore(SemLock):
    def __init__(self, value=1, ctx=None):
        value = _initial_value(value)
        SemLock.__init__(self, SEMAPHORE, value, SEM_VALUE_MAX, ctx=ctx)

    def get_value(self):
        return self._get_value()

    def __repr__(self):
        return '<%s(value=%s)>' % (type(self).__name__, self._get_value())


class BoundedSemaphore(Semaphore):
    def __init__(self, value=1, ctx=None):
        value = _initial_value(value)
        SemLock.__init__(self, SEMAPHORE, value, value, ctx=ctx)

    def __repr__(self):
        return '<%s(value=%s, maxvalue=%s)>' % (type(self).__name__, self._get_value(), self._maxvalue)


class Lock(SemLock):
    def __init__(self, ctx=None):
        SemLock.__init__(self, SEMAPHORE, 1, 1, ctx=ctx)

    def __repr__(self):
        if self._is_mine():
            owner = _owner_name()
        elif self._get_value() == 1:
            owner = 'None'
        elif self._count() > 0:
            owner = 'SomeOtherThread'
        else:
            owner = 'SomeOtherProcess'
        return '<%s(owner=%s)>' % (type(self).__name__, owner)


class RLock(SemLock):
    def __init__(self, ctx=None):
        SemLock.__init__(self, RECURSIVE_MUTEX, 1, 1, ctx=ctx)

    def __repr__(self):
        if self._is_mine():
            owner, count = _owner_name(), self._count()
        elif self._get_value() == 1:
            owner, count = 'None', 0
        elif self._count() > 0:
            owner, count = 'SomeOtherThread', 'nonzero'
        else:
            owner, count = 'SomeOtherProcess', 'nonzero'
        return '<%s(%s, %s)>' % (type(self).__name__, owner, count)


# Python 3's Condition.wait says whether it was woken (False: timed out); Python 2's returns None.
_WAIT_TELLS_IF_WOKEN = sys.version_info[0] >= 3


class Condition(object):
    """A condition variable across processes: a lock and three semaphores, as CPython's."""

    def __init__(self, lock=None, ctx=None):
        self._lock = lock or RLock()
        self._sleeping_count = Semaphore(0)
        self._woken_count = Semaphore(0)
        self._wait_semaphore = Semaphore(0)
        self._make_methods()

    def __getstate__(self):
        context.assert_spawning(self)
        return (self._lock, self._sleeping_count, self._woken_count, self._wait_semaphore)

    def __setstate__(self, state):
        (self._lock, self._sleeping_count, self._woken_count, self._wait_semaphore) = state
        self._make_methods()

    def _make_methods(self):
        self.acquire = self._lock.acquire
        self.release = self._lock.release

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *args):
        return self._lock.__exit__(*args)

    def _check_owned(self, message):
        if isinstance(self._lock, SemLock):
            assert self._lock._is_mine(), message

    def wait(self, timeout=None):
        self._check_owned('must acquire() condition before using wait()')
        self._sleeping_count.release()
        # Let go of the lock completely (an RLock may be held several times) ...
        count = self._lock._count() if isinstance(self._lock, SemLock) else 1
        for _ in range(count):
            self._lock.release()
        try:
            woken = self._wait_semaphore.acquire(True, timeout)
        finally:
            self._woken_count.release()
            # ... and take it back as often as it was held.
            for _ in range(count):
                self._lock.acquire()
        return woken if _WAIT_TELLS_IF_WOKEN else None

    def notify(self, n=1):
        self._check_owned('lock is not owned')
        assert not self._wait_semaphore.acquire(False)
        # Forget sleepers whose wait timed out after they were counted.
        while self._woken_count.acquire(False):
            res = self._sleeping_count.acquire(False)
            assert res, 'notify: bug in sleeping_count.acquire'
        sleepers = 0
        while sleepers < n and self._sleeping_count.acquire(False):
            self._wait_semaphore.release()
            sleepers += 1
        if sleepers:
            for _ in range(sleepers):
                self._woken_count.acquire()
            while self._wait_semaphore.acquire(False):
                pass

    def notify_all(self):
        self.notify(n=SEM_VALUE_MAX)

    notifyAll = notify_all

    def wait_for(self, predicate, timeout=None):
        return util.wait_for(self.wait, predicate, timeout)

    def __repr__(self):
        try:
            waiters = self._sleeping_count._get_value() - self._woken_count._get_value()
        except Exception:
            waiters = 'unknown'
        return '<%s(%s, %s)>' % (type(self).__name__, self._lock, waiters)


class Event(object):
    """A flag across processes, in shared memory (Java: synchronize/SharedEvent): one Java call
    an operation, where CPython's Condition and semaphore make 6-7 semaphore calls for a set()
    or a wait() that need not wait (counted in its code), more when waiters are woken."""

    def __init__(self, ctx=None):
        self._attach(bridge.runtime().newEvent())

    def _attach(self, shared):
        self._shared = shared
        # Java methods looked up once, as in SemLock.
        self._is_set = shared.isSet
        self._set = shared.set
        self._clear = shared.clear
        self._wait = shared.waitSet

    def is_set(self):
        return self._is_set()

    isSet = is_set

    def set(self):
        self._set()

    def clear(self):
        self._clear()

    def wait(self, timeout=None):
        """Waits until the flag is set or the timeout passes; returns the flag then, as CPython's."""
        return _wait_in_slices(self._wait, timeout)

    def __getstate__(self):
        context.assert_spawning(self)
        return str(self._shared.name())

    def __setstate__(self, name):
        self._attach(bridge.runtime().attachEvent(name))

    def __repr__(self):
        return '<%s at %#x %s>' % (type(self).__name__, id(self), 'set' if self.is_set() else 'unset')


class Barrier(object):
    """threading.Barrier across processes: a Condition, and its state and count in shared memory.

    state: 0 filling, 1 draining (the parties are leaving), -1 resetting, -2 broken.
    """
    _STATE, _COUNT = 0, 8

    def __init__(self, parties, action=None, timeout=None, ctx=None):
        if parties < 1:
            raise ValueError('parties must be >= 1')
        self._cond = Condition(Lock())
        self._block = bridge.runtime().newBlock(16)
        self._parties = parties
        self._action = action
        self._timeout = timeout

    def __getstate__(self):
        context.assert_spawning(self)
        return (self._parties, self._action, self._timeout, self._cond, str(self._block.name()))

    def __setstate__(self, state):
        (self._parties, self._action, self._timeout, self._cond, name) = state
        self._block = bridge.runtime().attachBlock(name)

    def _get(self, offset):
        return int(self._block.getLong(offset))

    def _set(self, offset, value):
        self._block.setLong(offset, value)

    def wait(self, timeout=None):
        if timeout is None:
            timeout = self._timeout
        with self._cond:
            self._enter()
            index = self._get(self._COUNT)
            self._set(self._COUNT, index + 1)
            try:
                if index + 1 == self._parties:
                    self._release()
                else:
                    self._wait(timeout)
                return index
            finally:
                self._set(self._COUNT, self._get(self._COUNT) - 1)
                self._exit()

    def _enter(self):
        # Wait until a previous round has drained or a reset has finished.
        while self._get(self._STATE) in (-1, 1):
            self._cond.wait()
        if self._get(self._STATE) < 0:
            raise BrokenBarrierError

    def _release(self):
        try:
            if self._action:
                self._action()
            self._set(self._STATE, 1)
            self._cond.notify_all()
        except BaseException:
            self._break()
            raise

    def _wait(self, timeout):
        if not self._cond.wait_for(lambda: self._get(self._STATE) != 0, timeout):
            self._break()
            raise BrokenBarrierError
        if self._get(self._STATE) < 0:
            raise BrokenBarrierError

    def _exit(self):
        if self._get(self._COUNT) == 0 and self._get(self._STATE) in (-1, 1):
            self._set(self._STATE, 0)
            self._cond.notify_all()

    def _break(self):
        self._set(self._STATE, -2)
        self._cond.notify_all()

    def reset(self):
        with self._cond:
            if self._get(self._COUNT) > 0:
                if self._get(self._STATE) in (0, -2):
                    self._set(self._STATE, -1)      # the waiting parties leave broken
            else:
                self._set(self._STATE, 0)
            self._cond.notify_all()

    def abort(self):
        with self._cond:
            self._break()

    @property
    def parties(self):
        return self._parties

    @property
    def n_waiting(self):
        if self._get(self._STATE) == 0:
            return self._get(self._COUNT)
        return 0

    @property
    def broken(self):
        return self._get(self._STATE) == -2

    def __repr__(self):
        where = '%s.%s at %#x' % (type(self).__module__, type(self).__name__, id(self))
        if self.broken:
            return '<%s: broken>' % where
        return '<%s: waiters=%d/%d>' % (where, self.n_waiting, self.parties)
