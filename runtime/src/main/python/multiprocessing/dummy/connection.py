"""multiprocessing.dummy.connection: Listener, Client and Pipe between threads, over queues.

A Listener's address is the queue on which clients hand it their pair of queues; a
Connection sends into one queue and receives from the other.
"""
try:
    from queue import Queue
except ImportError:                 # Python 2
    from Queue import Queue

__all__ = ['Client', 'Listener', 'Pipe']

families = [None]


class Listener(object):
    def __init__(self, address=None, family=None, backlog=1):
        self._backlog_queue = Queue(backlog)

    def accept(self):
        return Connection(*self._backlog_queue.get())

    def close(self):
        self._backlog_queue = None

    @property
    def address(self):
        return self._backlog_queue

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, exc_tb):
        self.close()


def Client(address):
    to_listener, from_listener = Queue(), Queue()
    address.put((to_listener, from_listener))
    return Connection(from_listener, to_listener)


def Pipe(duplex=True):
    """Both ends can send and receive, duplex or not, as in CPython's dummy."""
    a, b = Queue(), Queue()
    return Connection(a, b), Connection(b, a)


class Connection(object):
    def __init__(self, _in, _out):
        self._in = _in
        self._out = _out
        self.send = self.send_bytes = _out.put
        self.recv = self.recv_bytes = _in.get

    def poll(self, timeout=0.0):
        if self._in.qsize() > 0:
            return True
        if timeout <= 0.0:
            return False
        with self._in.not_empty:
            self._in.not_empty.wait(timeout)
        return self._in.qsize() > 0

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, exc_tb):
        self.close()
