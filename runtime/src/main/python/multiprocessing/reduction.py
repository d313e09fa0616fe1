"""Pickling for crossing process boundaries: the engine's own pickle, plus registered reducers."""
import io
import pickle
import sys

from . import bridge

try:
    import copyreg
except ImportError:                      # Python 2
    import copy_reg as copyreg

try:
    import cPickle as _fast_pickle       # Python 2: Jython's cPickle is Java, pickle is Python
except ImportError:
    _fast_pickle = pickle

# Whether the module's own dumps may take an object without looking at it first.
_ANY_OBJECT_IS_FAST = _fast_pickle is pickle
if _fast_pickle is pickle:
    def _fast_ok(obj):
        return True
else:
    # Jython's cPickle writes a reference to any function, also to one that cannot be found
    # (a lambda), which only fails when unpickled: only plain data takes its fast path.
    _PLAIN = (int, long, float, str, unicode, bool, type(None))    # noqa: F821 (Python 2)

    def _fast_ok(obj):
        t = type(obj)
        if t in _PLAIN:
            return True
        if t is tuple or t is list:
            return all(type(x) in _PLAIN for x in obj)
        if t is dict:
            return all(type(k) in _PLAIN and type(v) in _PLAIN for k, v in obj.items())
        return False

__all__ = ['ForkingPickler', 'register', 'dump', 'dumps', 'loads', 'HIGHEST_PROTOCOL']

# Both ends of every mp4j pipe run the same engine, so its highest protocol is safe.
HIGHEST_PROTOCOL = pickle.HIGHEST_PROTOCOL


class ForkingPickler(pickle.Pickler):
    """A Pickler that also knows the reducers registered with `register()`."""
    _extra_reducers = {}
    _only_when_unpicklable = set()      # types the engine's pickle refuses anyway (dict views)
    _fast_path_safe = True              # every registered type is one of those (see dumps)

    if sys.version_info[0] >= 3:
        def __init__(self, file, protocol=None, *args, **kwargs):
            pickle.Pickler.__init__(self, file, HIGHEST_PROTOCOL if protocol is None else protocol,
                                    *args, **kwargs)
            self.dispatch_table = copyreg.dispatch_table.copy()
            self.dispatch_table.update(self._extra_reducers)
    else:
        dispatch = pickle.Pickler.dispatch.copy()

        def __init__(self, file, protocol=None):
            pickle.Pickler.__init__(self, file, HIGHEST_PROTOCOL if protocol is None else protocol)

    @classmethod
    def register(cls, type_, reduce_):
        """Pickle objects of `type_` with `reduce_(obj)`."""
        cls._extra_reducers[type_] = reduce_
        cls._fast_path_safe = cls._only_when_unpicklable.issuperset(cls._extra_reducers)
        if sys.version_info[0] < 3:
            def save(pickler, obj, reduce_=reduce_):
                rv = reduce_(obj)
                pickler.save_reduce(obj=obj, *rv)
            cls.dispatch[type_] = save

    @classmethod
    def dumps(cls, obj, protocol=None):
        # The module's own dumps is several times faster than a Pickler per call. It must not
        # pass over a reducer registered for a type it can pickle by itself, so it is taken
        # only while every registered type is one it refuses (then it fails and the Pickler
        # below applies the reducer).
        # Checked on every put() and send(), so kept to what is known in advance.
        if cls._fast_path_safe and (_ANY_OBJECT_IS_FAST or _fast_ok(obj)):
            try:
                return _fast_pickle.dumps(obj, HIGHEST_PROTOCOL if protocol is None else protocol)
            except Exception:
                if not cls._extra_reducers:
                    raise
        buf = io.BytesIO()
        cls(buf, protocol).dump(obj)
        return buf.getvalue()

    loads = staticmethod(_fast_pickle.loads)


register = ForkingPickler.register


def register_for_unpicklable(type_, reduce_):
    """register() for a type the engine's pickle refuses: the fast path stays in use."""
    ForkingPickler._only_when_unpicklable.add(type_)
    ForkingPickler.register(type_, reduce_)

dumps = ForkingPickler.dumps
loads = _fast_pickle.loads


def _dumps_for_java():
    # What every put() and send() calls, so its common case is short: ForkingPickler.dumps's
    # fast path without the classmethod around it. GraalPy hands a bytes object to a Java
    # byte[] as it is; Jython's str must be converted.
    from . import bridge

    def dumps_as_is(obj):
        if ForkingPickler._fast_path_safe and _ANY_OBJECT_IS_FAST:
            try:
                return _fast_pickle.dumps(obj, HIGHEST_PROTOCOL)
            except Exception:
                if not ForkingPickler._extra_reducers:
                    raise
        return ForkingPickler.dumps(obj)

    def dumps_converted(obj):
        return bridge.java_bytes(ForkingPickler.dumps(obj))
    return dumps_as_is if bridge.ENGINE == 'graalpy' else dumps_converted


dumps_for_java = _dumps_for_java()


def bytes_pickled_in_java(data):
    """Whether put() and send() hand `data`, an object of type bridge.BYTES_IN_JAVA, to Java as
    it is, for SharedQueue.putBytes to write its pickle around it: one over bridge.LARGE_BYTES
    (smaller ones reach a reader as a string anyway), while no registered reducer could apply
    to it (the rule of dumps's fast path)."""
    return len(data) > bridge.LARGE_BYTES and ForkingPickler._fast_path_safe


def dump(obj, file, protocol=None):
    ForkingPickler(file, protocol).dump(obj)


# --- sockets: a child gets its own descriptor of the same socket (CPython passes the fd) ---

_socket_reducer = []


def register_socket_reducer():
    """Lets socket.socket objects pickle while a child is being started (GraalPy only: Jython's
    sockets are Java channels without a file descriptor). In copyreg's table, so that every
    pickler sees it; outside a start it raises what CPython raises."""
    if _socket_reducer:
        return
    _socket_reducer.append(True)
    from . import bridge
    import socket
    if bridge.ENGINE == 'graalpy':
        copyreg.pickle(socket.socket, _reduce_socket)
    else:
        copyreg.pickle(socket.socket, _refuse_socket)


def _refuse_socket(s):
    raise TypeError('mp4j on Jython cannot hand a socket to another process: Jython sockets are '
                    'Java channels without a file descriptor (use the GraalPy engine)')


def _reduce_socket(s):
    from . import context
    popen = context.get_spawning_popen()
    if popen is None or not hasattr(popen, 'send_fd'):
        raise TypeError('cannot pickle %r object' % type(s).__name__)
    if s.fileno() < 0:
        # A closed socket (a global under the emulated fork): closed in the child too.
        return _rebuild_closed_socket, (s.family, s.type, s.proto)
    token = popen.send_fd(s.fileno())
    return _rebuild_socket, (token, s.family, s.type, s.proto)


def _rebuild_closed_socket(family, type_, proto):
    import socket
    s = socket.socket(family, type_, proto)
    s.close()
    return s


def _rebuild_socket(token, family, type_, proto):
    import socket
    from . import bridge
    fd = int(bridge.runtime().fdPassing().take(token, 120.0))
    if fd < 0:
        raise OSError('mp4j: the socket sent to this process did not arrive')
    return socket.socket(family, type_, proto, fileno=fd)


# --- Jython: functions of modules written in Java (time.sleep, math.sqrt, os.getpid) ---
# They are reflected Java methods, a new object at every attribute access, which Jython's
# pickle cannot find by name; CPython pickles such builtins by module and name.

def _find_java_function_module(func):
    """The name of a loaded module whose attribute of func's name is the same Java method."""
    name = func.__name__
    candidates = []
    for key, module in list(sys.modules.items()):
        if module is None:
            continue
        attr = getattr(module, name, None)
        if type(attr) is type(func) and getattr(attr, '__module__', None) == func.__module__:
            candidates.append(key)
    if not candidates:
        raise pickle.PicklingError("Can't pickle %r: no loaded module has it as %r"
                                   % (func, name))
    # Its own module's name if that is loaded under it (posix.getpid), else the shortest
    # public name (math for org.python.modules.math).
    candidates.sort(key=lambda key: (key != func.__module__, key.startswith('_'), len(key), key))
    return candidates[0]


_java_function_modules = {}         # (func.__module__, name): the module found for it


def _reduce_java_function(func):
    key = (func.__module__, func.__name__)
    if key not in _java_function_modules:
        _java_function_modules[key] = _find_java_function_module(func)
    return _java_function, (_java_function_modules[key], func.__name__)


def _java_function(module_name, name):
    __import__(module_name)
    return getattr(sys.modules[module_name], name)


def _register_java_function_reducer():
    import time
    java_function = type(time.sleep)
    if java_function.__name__ == 'reflectedfunction':
        register_for_unpicklable(java_function, _reduce_java_function)


_register_java_function_reducer()


# --- Jython: thread locks ---
# Jython's Lock, RLock and Condition (Java objects), and the Java semaphore of its Semaphore,
# pickle into new ones, which exclude nothing the originals do: a task or target given one
# silently lost its exclusion. CPython refuses them.

def _refuse_thread_lock(lock):
    raise TypeError("can't pickle thread.lock objects")


def _register_thread_lock_refusal():
    if bridge.ENGINE != 'jython':
        return
    import threading
    java_semaphore = threading.Semaphore()._semaphore
    for lock in (threading.Lock(), threading.RLock(), threading.Condition(), java_semaphore):
        register_for_unpicklable(type(lock), _refuse_thread_lock)


_register_thread_lock_refusal()


# --- Python 2: methods and partials, as CPython 2.7's forking module registers them ---
# Python 2's pickle refuses bound and unbound methods and method descriptors, which a fork
# never pickles (Process(target=self.work)); Jython's pickles a functools.partial into bytes
# that do not unpickle, and a deque without its maxlen.

def _reduce_method(method):
    owner = method.im_self if method.im_self is not None else method.im_class
    if owner is sys:
        # Jython's sys is an object whose functions (sys.exit) are its methods; it does not
        # pickle, but it is found by name
        return _java_function, ('sys', method.__name__)
    return getattr, (owner, method.im_func.__name__)


def _reduce_method_descriptor(descriptor):
    return getattr, (descriptor.__objclass__, descriptor.__name__)


def _reduce_partial(p):
    return _rebuild_partial, (p.func, p.args, p.keywords or {})


def _rebuild_partial(func, args, keywords):
    import functools
    return functools.partial(func, *args, **keywords)


def _reduce_deque(d):
    return type(d), (list(d), d.maxlen)


def _register_python2_reducers():
    if sys.version_info[0] >= 3:
        return
    import collections
    import functools

    class _Any(object):
        def method(self):
            pass
    register_for_unpicklable(type(_Any.method), _reduce_method)
    register_for_unpicklable(type(list.append), _reduce_method_descriptor)
    register_for_unpicklable(type(int.__add__), _reduce_method_descriptor)
    register_for_unpicklable(functools.partial, _reduce_partial)
    # Jython's deque pickles without its maxlen (CPython 2.7's with it).
    register_for_unpicklable(collections.deque, _reduce_deque)


_register_python2_reducers()
