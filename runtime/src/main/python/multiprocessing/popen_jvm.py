"""The parent's side of a child process: one child JVM, started through the mp4j runtime.

The three start methods share this class and differ in the name they give the runtime
(spawn: a fresh JVM; fork, forkserver: a warm one) and in how spawn.prepare() rebuilds the
child's __main__.
"""
import itertools
import os
import weakref

from . import bridge
from . import context
from . import reduction
from . import spawn
from . import util

__all__ = ['JvmPopen', 'sentinel_is_ready']

# sentinel -> JvmPopen, for connection.wait(); weak, so an unreachable child is forgotten.
_by_sentinel = weakref.WeakValueDictionary()

# Numbers the file descriptors this process sends (with its pid they are unique in the tree).
_fd_tokens = itertools.count(1)


def sentinel_is_ready(sentinel):
    """True once the child with this sentinel has ended (an unknown sentinel counts as ended)."""
    popen = _by_sentinel.get(sentinel)
    return popen is None or popen.poll() is not None


# Waiting in slices keeps other Python threads of this process running during a join.
_WAIT_SLICE = 0.05


class JvmPopen(object):
    method = None

    def __init__(self, process_obj):
        util._flush_std_streams()
        self.returncode = None
        self.finalizer = None
        self._launch(process_obj)

    def _launch(self, process_obj):
        reduction.register_socket_reducer()
        # The child first, so that its pid is known while pickling (see send_fd).
        self._child = bridge.runtime().takeProcess(self.method)
        self.pid = int(self._child.pid())
        context.set_spawning_popen(self)
        try:
            prep = spawn.get_preparation_data(process_obj._name, self.method)
            process_blob = reduction.dumps(process_obj)
            job = reduction.dumps((prep, process_blob))
        except BaseException:
            self._child.kill()          # a pickling error: the child never gets a job
            raise
        finally:
            context.set_spawning_popen(None)
        self._child.submit(bridge.java_bytes(job))
        self.sentinel = int(self._child.sentinel())
        _by_sentinel[self.sentinel] = self

    def duplicate_for_child(self, fd):
        return fd

    def send_fd(self, fd):
        """Sends a duplicate of fd to the child (SCM_RIGHTS); the token it will claim it by."""
        token = (os.getpid() << 24) | next(_fd_tokens)
        bridge.runtime().fdPassing().send(self.pid, fd, token, 120.0)
        return token

    def poll(self, flag=None):
        if self.returncode is None:
            code = self._child.poll()
            if code is not None:
                self.returncode = int(code)
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None:
            if timeout is None:
                while self.poll() is None:
                    self._child.waitFor(_WAIT_SLICE)
            else:
                self._child.waitFor(max(0.0, float(timeout)))
        return self.poll()

    def terminate(self):
        if self.returncode is None:
            self._child.terminate()

    def kill(self):
        if self.returncode is None:
            self._child.kill()

    def close(self):
        pass
