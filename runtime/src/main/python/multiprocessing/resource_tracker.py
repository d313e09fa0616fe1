"""multiprocessing.resource_tracker: which names in /dev/shm go when the process tree ends.

mp4j's tracker is not a Python process: the tree's root removes every name the tree made
(they share the prefix mp4j.<root pid>.) when it ends, and a watcher outside the tree does it
if the root was killed (Java: shm/SharedNames). `register` and `unregister` adjust that, as
with CPython's tracker: a registered name is removed too, an unregistered one of the tree's
names is kept. Unlike CPython, attaching to a SharedMemory block registers nothing, so the
usual `unregister(shm._name, 'shared_memory')` after attaching is not needed (and harmless).
"""
from . import bridge

__all__ = ['ensure_running', 'register', 'unregister']


def _shared_memory_file(name):
    return name.lstrip('/')


def _semaphore_file(name):
    return 'sem.' + name.lstrip('/')


# Resource type -> the file in /dev/shm that stands for a resource's name (None: nothing).
_CLEANUP_FUNCS = {
    'noop': None,
    'semaphore': _semaphore_file,
    'shared_memory': _shared_memory_file,
}


class ResourceTracker(object):
    def ensure_running(self):
        bridge.runtime().ensureResourceTracker()

    def register(self, name, rtype):
        """Remove `name` when the tree ends, unless it is unregistered before."""
        self._mark(name, rtype, True)

    def unregister(self, name, rtype):
        """Leave `name` in place when the tree ends, though the tree made it."""
        self._mark(name, rtype, False)

    def _mark(self, name, rtype, remove):
        if len('UNREGISTER:%s:%s\n' % (name, rtype)) > 512:
            raise ValueError('msg too long')            # CPython's limit for one message
        if rtype not in _CLEANUP_FUNCS:
            raise ValueError('Cannot register %s for automatic cleanup: unknown resource type %s'
                             % (name, rtype))
        to_file = _CLEANUP_FUNCS[rtype]
        if to_file is None:
            return
        filename = to_file(name)
        if filename in ('', '.', '..', 'sem.') or '/' in filename or '\n' in filename or '\0' in filename:
            raise ValueError('invalid %s name %r' % (rtype, name))
        bridge.runtime().markSharedName(filename, remove)


_resource_tracker = ResourceTracker()
ensure_running = _resource_tracker.ensure_running
register = _resource_tracker.register
unregister = _resource_tracker.unregister
