"""The parent's side of a child process: one child JVM, started through the mp4j runtime.

The three start methods share this class and differ in the name they give the runtime
(spawn: a fresh JVM; fork, forkserver: a warm one) and in how spawn.prepare() rebuilds the
child's __main__.
"""
import weakref

from . import bridge
from . import context
from . import reduction
from . import spawn
from . import util

__all__ = ['JvmPopen', 'sentinel_is_ready']

# sentinel -> JvmPopen, for connection.wait(); weak, so an unreachable child is forgotten.
_by_sentinel = weakref.WeakValueDictionary()


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
        context.set_spawning_popen(self)
        try:
            prep = spawn.get_preparation_data(process_obj._name, self.method)
            process_blob = reduction.dumps(process_obj)
        finally:
            context.set_spawning_popen(None)
        job = reduction.dumps((prep, process_blob))
        self._child = bridge.runtime().startProcess(self.method, bridge.java_bytes(job))
        self.pid = int(self._child.pid())
        self.sentinel = int(self._child.sentinel())
        _by_sentinel[self.sentinel] = self

    def duplicate_for_child(self, fd):
        return fd

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
