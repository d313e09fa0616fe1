"""Pipe and Connection: each direction of a pipe is a shared-memory FIFO (Java: SharedQueue).

A receiver sees EOFError once nothing is left and every sending end is closed, in every
process that held one (a process closes its ends when it exits).
"""
import select
import time

from . import bridge
from . import context
from . import util
from .context import BufferTooShort
from .reduction import ForkingPickler

__all__ = ['Pipe', 'Connection', 'wait']

_SLICE = 0.1


def Pipe(duplex=True):
    runtime = bridge.runtime()
    if duplex:
        a = runtime.newQueue(0)
        b = runtime.newQueue(0)
        return Connection(a, b), Connection(b, a)
    q = runtime.newQueue(0)
    return Connection(q, None), Connection(None, q)


class Connection(object):
    def __init__(self, incoming, outgoing):
        self._incoming = incoming
        self._outgoing = outgoing
        self._closed = False
        # Like a file descriptor, this end is closed when the process ends.
        util.Finalize(self, Connection._close_outgoing, args=(outgoing,), exitpriority=-100)

    @property
    def closed(self):
        return self._closed

    @property
    def readable(self):
        return self._incoming is not None

    @property
    def writable(self):
        return self._outgoing is not None

    def _check_closed(self):
        if self._closed:
            raise OSError('handle is closed')

    def _check_readable(self):
        if self._incoming is None:
            raise OSError('connection is write-only')

    def _check_writable(self):
        if self._outgoing is None:
            raise OSError('connection is read-only')

    def fileno(self):
        raise OSError('mp4j connections live in shared memory and have no file descriptor')

    def send_bytes(self, buf, offset=0, size=None):
        self._check_closed()
        self._check_writable()
        data = bytes(memoryview(buf)) if not isinstance(buf, bytes) else buf
        if offset < 0:
            raise ValueError('offset is negative')
        if len(data) < offset:
            raise ValueError('buffer length < offset')
        if size is None:
            size = len(data) - offset
        elif size < 0:
            raise ValueError('size is negative')
        elif offset + size > len(data):
            raise ValueError('buffer length < offset + size')
        self._outgoing.put(bridge.java_bytes(data[offset:offset + size]), -1.0)

    def send(self, obj):
        self._check_closed()
        self._check_writable()
        self._outgoing.put(bridge.java_bytes(ForkingPickler.dumps(obj)), -1.0)

    def _recv(self, timeout=None):
        self._check_closed()
        self._check_readable()
        incoming = self._incoming
        while True:
            text = incoming.getLatin1(_SLICE)
            if text is not None:
                return bridge.python_bytes(text)
            if incoming.writersGone() and int(incoming.qsize()) == 0:
                raise EOFError

    def recv_bytes(self, maxlength=None):
        if maxlength is not None and maxlength < 0:
            raise ValueError('negative maxlength')
        data = self._recv()
        if maxlength is not None and len(data) > maxlength:
            self.close()
            raise OSError('bad message length')
        return data

    def recv_bytes_into(self, buf, offset=0):
        data = self._recv()
        view = memoryview(buf)
        itemsize = view.itemsize
        bytesize = itemsize * len(view)
        if offset < 0:
            raise ValueError('negative offset')
        if offset > bytesize:
            raise ValueError('offset too large')
        if bytesize - offset < len(data):
            raise BufferTooShort(data)
        view.cast('B')[offset:offset + len(data)] = data
        return len(data)

    def recv(self):
        return ForkingPickler.loads(self._recv())

    def poll(self, timeout=0.0):
        self._check_closed()
        self._check_readable()
        incoming = self._incoming
        deadline = None if timeout is None else time.time() + max(0.0, timeout)
        while True:
            left = _SLICE if deadline is None else max(0.0, min(deadline - time.time(), _SLICE))
            if incoming.poll(left):
                return True
            if incoming.writersGone():
                return True          # recv() will raise EOFError at once, as CPython's poll says
            if deadline is not None and time.time() >= deadline:
                return False

    @staticmethod
    def _close_outgoing(outgoing):
        if outgoing is not None:
            outgoing.removeWriter()

    def close(self):
        if not self._closed:
            self._closed = True
            Connection._close_outgoing(self._outgoing)
            self._outgoing = None

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()

    def __getstate__(self):
        context.assert_spawning(self)
        self._check_closed()
        if self._outgoing is not None:
            self._outgoing.addWriter()      # the receiving process's end, counted from now
        return (self._incoming and str(self._incoming.name()),
                self._outgoing and str(self._outgoing.name()))

    def __setstate__(self, state):
        runtime = bridge.runtime()
        incoming, outgoing = state
        self.__init__(incoming and runtime.attachQueue(incoming), outgoing and runtime.attachQueue(outgoing))


def _is_ready(obj):
    if isinstance(obj, Connection):
        return obj.poll(0)
    if isinstance(obj, int):
        from . import popen_jvm
        return popen_jvm.sentinel_is_ready(obj)
    return bool(select.select([obj], [], [], 0)[0])


def wait(object_list, timeout=None):
    """The objects of object_list that are ready: Connections with data or at EOF, ended
    processes' sentinels, readable sockets or file objects. Waits up to timeout (None: for ever).

    mp4j's connections are not file descriptors, so this polls, backing off from 0.5 ms to 10 ms.
    """
    object_list = list(object_list)
    deadline = None if timeout is None else time.time() + max(0.0, timeout)
    delay = 0.0005
    while True:
        ready = [obj for obj in object_list if _is_ready(obj)]
        if ready:
            return ready
        if deadline is not None:
            left = deadline - time.time()
            if left <= 0:
                return []
            time.sleep(min(delay, left))
        else:
            time.sleep(delay)
        delay = min(delay * 2, 0.01)
