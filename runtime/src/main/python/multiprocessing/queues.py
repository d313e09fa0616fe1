"""Queue, JoinableQueue and SimpleQueue: pickles in a shared-memory FIFO (Java: SharedQueue).

Unlike CPython there is no feeder thread: put() pickles in the caller (an unpicklable item
raises there, and nothing queued is lost) and returns with the item in shared memory, visible
to every process at once and kept when the producer exits.
"""
import sys
import time

try:
    from queue import Empty, Full
except ImportError:                      # Python 2
    from Queue import Empty, Full

from . import bridge
from . import context
from . import synchronize
from . import util
from .reduction import bytes_pickled_in_java, dumps_for_java, loads

_TEXT = bridge.TEXT
_SCALARS = bridge.SCALARS
_LONG_MIN, _LONG_MAX = bridge.LONG_MIN, bridge.LONG_MAX
_BYTES_IN_JAVA = bridge.BYTES_IN_JAVA

__all__ = ['Queue', 'SimpleQueue', 'JoinableQueue']

# Waits longer than this go in slices, so that other Python threads of the process run.
_SLICE = 0.1


def _deadline(block, timeout):
    if not block:
        return 0.0
    if timeout is None:
        return None
    if timeout <= 0:
        return 0.0                      # as CPython's: a negative timeout waits not at all
    return time.time() + timeout


def _is_item(result):
    return result is not None           # a get's item may be 0, False or an empty string


def _sliced(call, deadline, came=bool):
    """call(seconds) -> a result, retried in slices until came(result) or the deadline. A put,
    poll or join returns False when nothing came, a get None."""
    while True:
        if deadline is None:
            result = call(_SLICE)
        elif deadline == 0.0:
            return call(0.0)
        else:
            left = deadline - time.time()
            result = call(max(0.0, min(left, _SLICE)))
            if left <= _SLICE and not came(result):
                return result
        if came(result):
            return result


class Queue(object):
    def __init__(self, maxsize=0, ctx=None):
        if maxsize <= 0:
            maxsize = 0
        else:
            maxsize = synchronize._initial_value(maxsize)    # CPython's BoundedSemaphore(maxsize)
        self._maxsize = maxsize
        self._attach(bridge.runtime().newQueue(maxsize))

    def _attach(self, shared):
        self._shared = shared
        # Java methods looked up once: a lookup costs as much as the call (~1.5 us each).
        self._put = shared.put
        self._put_long = shared.putLong
        self._put_double = shared.putDouble
        self._put_bytes = shared.putBytes
        self._get = bridge.value_getter(shared)
        self._qsize = shared.qsize
        self._task_done = shared.taskDone      # JoinableQueue's
        self._closed = False

    def __getstate__(self):
        context.assert_spawning(self)
        return (str(self._shared.name()), self._maxsize)

    def __setstate__(self, state):
        name, self._maxsize = state
        self._attach(bridge.runtime().attachQueue(name))

    def _check_closed(self):
        if self._closed:
            raise ValueError('Queue %r is closed' % self)

    def put(self, obj, block=True, timeout=None):
        if self._closed:
            self._check_closed()
        kind = type(obj)
        if kind is int and _LONG_MIN <= obj <= _LONG_MAX:
            put, data = self._put_long, obj
        elif kind is float:
            put, data = self._put_double, obj
        elif kind is _BYTES_IN_JAVA and bytes_pickled_in_java(obj):
            put, data = self._put_bytes, obj    # its pickle written in Java
        else:
            try:
                put, data = self._put, dumps_for_java(obj)
            except Exception as e:
                if not _takes_feeder_errors(self):
                    raise
                # a subclass that handles what CPython's feeder thread fails to pickle
                # (concurrent.futures' call queue fails that call's future) gets it so
                self._on_queue_feeder_error(e, obj)
                return
        if put(data, 0.0):
            return                          # the common case: room at once
        if not _sliced(lambda t: put(data, t), _deadline(block, timeout)):
            raise Full

    def get(self, block=True, timeout=None):
        if self._closed:
            self._check_closed()
        get = self._get
        item = get(0.0)                     # the common case: an item is there
        if item is None:
            item = _sliced(get, _deadline(block, timeout), _is_item)
            if item is None:
                raise Empty
        kind = type(item)
        if kind is _TEXT:                   # bridge.item_bytes, inlined: one call less per item
            return loads(item.encode('latin-1'))
        if kind in _SCALARS:                # unpickled in Java (bridge.value_getter)
            return item
        return bridge.large_item_value(self._shared, item, loads)

    def qsize(self):
        return int(self._qsize())

    def empty(self):
        return self._qsize() == 0

    def full(self):
        return bool(self._shared.full())

    def get_nowait(self):
        return self.get(False)

    def put_nowait(self, obj):
        return self.put(obj, False)

    def close(self):
        """No more put() or get() through this handle; items already put stay for others."""
        self._closed = True

    def _on_queue_feeder_error(self, e, obj):
        """What CPython's feeder thread calls when it cannot pickle obj. put() raises that error
        itself instead, but for a subclass that replaces this method, which it calls."""
        import traceback
        traceback.print_exc()

    def _terminate_broken(self):
        """Closes this handle (Python 3.12's concurrent.futures calls it when its pool broke)."""
        self.close()

    def join_thread(self):
        """Nothing to wait for: mp4j queues have no feeder thread."""
        assert self._closed, 'Queue {0!r} not closed'.format(self)

    def cancel_join_thread(self):
        """Nothing to cancel: mp4j queues have no feeder thread."""


def _takes_feeder_errors(queue):
    """Whether queue's class replaces Queue._on_queue_feeder_error."""
    method = type(queue)._on_queue_feeder_error
    return getattr(method, '__func__', method) is not _BASE_FEEDER_ERROR


_BASE_FEEDER_ERROR = getattr(Queue._on_queue_feeder_error, '__func__', Queue._on_queue_feeder_error)


class JoinableQueue(Queue):
    def task_done(self):
        if not self._task_done():
            raise ValueError('task_done() called too many times')

    def join(self):
        shared = self._shared
        _sliced(lambda t: shared.join(t), None)


class SimpleQueue(object):
    def __init__(self, ctx=None):
        self._attach(bridge.runtime().newQueue(0))

    def _attach(self, shared):
        self._shared = shared
        self._put = shared.put              # looked up once, as in Queue
        self._put_bytes = shared.putBytes
        self._get = bridge.value_getter(shared)
        self._get_pickle = bridge.item_getter(shared)     # for the reader's recv_bytes
        self._closed = False
        # CPython's SimpleQueue is a pipe; code that waits on its read end with
        # connection.wait() (concurrent.futures) finds an end with the same calls here.
        self._reader = _QueueReader(self)

    def __getstate__(self):
        context.assert_spawning(self)
        return str(self._shared.name())

    def __setstate__(self, name):
        self._attach(bridge.runtime().attachQueue(name))

    def close(self):
        self._closed = True

    def _check_closed(self):
        if self._closed:
            raise IOError('handle is closed')       # as CPython's, whose pipe ends are closed

    def empty(self):
        self._check_closed()
        return int(self._shared.qsize()) == 0

    def put(self, obj):
        if self._closed:
            self._check_closed()
        if type(obj) is _BYTES_IN_JAVA and bytes_pickled_in_java(obj):
            put, data = self._put_bytes, obj    # its pickle written in Java
        else:
            put, data = self._put, dumps_for_java(obj)
        if not put(data, 0.0):
            _sliced(lambda t: put(data, t), None)

    def get(self):
        if self._closed:
            self._check_closed()
        get = self._get
        item = get(0.0)
        if item is None:
            item = _sliced(get, None, _is_item)
        kind = type(item)
        if kind is _TEXT:
            return loads(item.encode('latin-1'))
        if kind in _SCALARS:
            return item
        return bridge.large_item_value(self._shared, item, loads)


class _QueueReader(object):
    """The read end of a SimpleQueue, as a Connection: poll(), recv(), recv_bytes()."""

    def __init__(self, q):
        self._queue = q

    def poll(self, timeout=0.0):
        shared = self._queue._shared
        if timeout is None:
            while not shared.poll(_SLICE):
                pass
            return True
        return bool(_sliced(lambda t: shared.poll(t), time.time() + max(0.0, timeout)))

    def recv(self):
        return self._queue.get()

    def recv_bytes(self):
        q = self._queue
        return bridge.item_bytes(q._shared, _sliced(q._get_pickle, None, _is_item))   # the pickle itself

    def close(self):
        pass


def attach_queue(name, maxsize=0):
    """mp4j extension for Java hosts: the Queue a Java program made (org.mp4j.queues.PickledQueue),
    by its name. Items are pickles; use protocol 2 for objects Java must read back."""
    q = Queue.__new__(Queue)
    q.__setstate__((name, maxsize))
    return q
