"""multiprocessing.dummy: the multiprocessing API over threads of this process, as in CPython.

Tutorials reach for `from multiprocessing.dummy import Pool as ThreadPool` to run I/O-bound
work in parallel; nothing here starts a JVM. A "process" is a thread, its queues and locks are
`queue` and `threading` ones, `Manager()` hands back this module (its dict and list are the
built-in ones), and `Pool` is `multiprocessing.pool.ThreadPool`.
"""
import array
import sys
import threading
import weakref

try:
    from queue import Queue
except ImportError:                 # Python 2
    from Queue import Queue

from threading import Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event

from .connection import Pipe

if sys.version_info[0] < 3:             # Python 2's dummy offers them too (3's does not)
    from multiprocessing import TimeoutError, cpu_count

__all__ = ['Process', 'current_process', 'active_children', 'freeze_support', 'Lock',
           'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition', 'Event', 'Queue',
           'Manager', 'Pipe', 'Pool', 'JoinableQueue']

if hasattr(threading, 'Barrier'):   # Python 3 only
    Barrier = threading.Barrier
    __all__.append('Barrier')

JoinableQueue = Queue               # queue.Queue has task_done() and join() already


class DummyProcess(threading.Thread):
    """A thread with the parts of Process's API that make sense for one."""

    def __init__(self, group=None, target=None, name=None, args=(), kwargs={}):
        threading.Thread.__init__(self, group, target, name, args, kwargs)
        self._pid = None
        self._children = weakref.WeakKeyDictionary()
        self._start_called = False
        self._parent = current_process()

    def start(self):
        if self._parent is not current_process():
            raise RuntimeError(
                "Parent is %r but current_process is %r" % (self._parent, current_process()))
        self._start_called = True
        if hasattr(self._parent, '_children'):
            self._parent._children[self] = None
        threading.Thread.start(self)

    @property
    def exitcode(self):
        """0 once the thread has run and ended; None before and while it runs."""
        if self._start_called and not self.is_alive():
            return 0
        return None


Process = DummyProcess
current_process = threading.current_thread
current_process()._children = weakref.WeakKeyDictionary()


def active_children():
    """The threads started from this one that still run."""
    children = current_process()._children
    for p in list(children):
        if not p.is_alive():
            children.pop(p, None)
    return list(children)


def freeze_support():
    pass


class Namespace(object):
    def __init__(self, **kwds):
        self.__dict__.update(kwds)

    def __repr__(self):
        shown = sorted('%s=%r' % (name, value) for name, value in self.__dict__.items()
                       if not name.startswith('_'))
        return '%s(%s)' % (type(self).__name__, ', '.join(shown))


dict = dict
list = list


def Array(typecode, sequence, lock=True):
    """An array.array: threads share it as it is."""
    return array.array(typecode, sequence)


class Value(object):
    def __init__(self, typecode, value, lock=True):
        self._typecode = typecode
        self._value = value

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, value):
        self._value = value

    def __repr__(self):
        return '<%s(%r, %r)>' % (type(self).__name__, self._typecode, self._value)


def Manager():
    """Threads share objects directly, so the "manager" is this module."""
    return sys.modules[__name__]


def shutdown():
    pass


def Pool(processes=None, initializer=None, initargs=()):
    from ..pool import ThreadPool
    return ThreadPool(processes, initializer, initargs)
