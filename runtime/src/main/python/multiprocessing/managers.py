"""Managers: objects that live in a server process, used from others through proxies.

The wire protocol is CPython's, so CPython and mp4j clients and servers talk to each other:
connections from connection.Listener/Client (length-prefixed pickles, HMAC challenge with the
authkey, checked before anything is unpickled); a request is (id, method, args, kwds); an
answer is ('#RETURN', value), ('#ERROR', exception), ('#TRACEBACK', text), ('#PROXY',
(exposed, token)) or ('#UNSERIALIZABLE', text). A Manager's server is an mp4j child process
(a JVM of its own); its objects are plain Python objects served by one thread per client
connection, as in CPython, except a SyncManager's Queue, JoinableQueue and dict: those are
held in Java as pickles, and each connection's thread lets Java answer their common calls
first (_ServedQueue, _ServedDict; org.mp4j.managers.ServedObjects; README).

Without an address a server listens where connection.Listener picks: as CPython on Linux, a
Unix socket on GraalPy (a name in the abstract namespace, not a file), TCP on 127.0.0.1 on
Jython, whose socket module has no Unix sockets.
"""
import array
import os
import signal
import sys
import threading

try:
    import queue
except ImportError:                 # Python 2
    import Queue as queue

from . import bridge
from . import connection
from . import context
from . import pool
from . import process
from . import reduction
from . import util
from .context import ProcessError
from .process import AuthenticationString

__all__ = ['BaseManager', 'SyncManager', 'BaseProxy', 'Token', 'SharedMemoryManager']

if sys.version_info[0] >= 3:
    _string_types = (str,)
    _int_types = (int,)
else:
    _string_types = (str, unicode)      # noqa: F821 (Python 2)
    _int_types = (int, long)            # noqa: F821 (Python 2)


def _traceback_text():
    """The exception being handled, as traceback.format_exc() gives it; traceback is imported
    only when an error comes (importing it costs a GraalPy process ~0.1 s)."""
    import traceback
    return traceback.format_exc()


def _rebuild_as_list(obj):
    return list, (list(obj),)


# dict.keys() and friends answer as lists, as CPython's managers do (views do not pickle).
if sys.version_info[0] >= 3:
    for _view in (type({}.items()), type({}.keys()), type({}.values())):
        reduction.register_for_unpicklable(_view, _rebuild_as_list)


class Token(object):
    """Names a shared object: its type id, the server's address, and its id there."""
    __slots__ = ('typeid', 'address', 'id')

    def __init__(self, typeid, address, id):
        (self.typeid, self.address, self.id) = (typeid, address, id)

    def __getstate__(self):
        return (self.typeid, self.address, self.id)

    def __setstate__(self, state):
        (self.typeid, self.address, self.id) = state

    def __repr__(self):
        return '%s(typeid=%r, address=%r, id=%r)' % (type(self).__name__, self.typeid, self.address, self.id)


def dispatch(c, id, methodname, args=(), kwds={}):
    """Sends one request on connection c and returns its result, or raises its error."""
    c.send((id, methodname, args, kwds))
    kind, result = c.recv()
    if kind == '#RETURN':
        return result
    raise convert_to_error(kind, result)


def request(Client, address, authkey, methodname, args=(), kwds={}):
    """One request on a connection of its own (manager-level calls, increfs and decrefs)."""
    conn = Client(address, authkey=authkey)
    try:
        return dispatch(conn, None, methodname, args, kwds)
    finally:
        conn.close()


def convert_to_error(kind, result):
    if kind == '#ERROR':
        return result
    if kind in ('#TRACEBACK', '#UNSERIALIZABLE'):
        if not isinstance(result, _string_types):
            raise TypeError('Result %r (kind %r) is not a string' % (result, kind))
        if kind == '#UNSERIALIZABLE':
            return RemoteError('Unserializable message: %s\n' % result)
        return RemoteError(result)
    return ValueError('Unrecognized message type %r' % kind)


class RemoteError(Exception):
    def __str__(self):
        return '\n' + '-' * 75 + '\n' + str(self.args[0]) + '-' * 75


def all_methods(obj):
    return [name for name in dir(obj) if callable(getattr(obj, name, None))]


def public_methods(obj):
    return [name for name in all_methods(obj) if name[0] != '_']


class Server(object):
    """Serves the objects of one manager: a thread per connection."""
    public = ['shutdown', 'create', 'accept_connection', 'get_methods',
              'debug_info', 'number_of_objects', 'dummy', 'incref', 'decref']

    def __init__(self, registry, address, authkey, serializer='pickle'):
        if not isinstance(authkey, bytes):
            raise TypeError('Authkey %r is type %s, not bytes' % (authkey, type(authkey)))
        if serializer != 'pickle':
            raise ValueError('mp4j managers speak pickle only, not %r' % (serializer,))
        self.registry = registry
        self.authkey = AuthenticationString(authkey)
        self.listener = connection.Listener(address=address, backlog=16)
        self.address = self.listener.address
        self.id_to_obj = {'0': (None, ())}
        self.id_to_refcount = {}
        self.id_to_local_proxy_obj = {}
        self.mutex = threading.Lock()
        self.stop_event = threading.Event()
        self.java_objects = _new_served_objects()

    def serve_forever(self):
        """Serves until a client asks for shutdown; then the process ends (as in CPython)."""
        process.current_process()._manager_server = self
        accepter = threading.Thread(target=self.accepter, name='mp4j-manager-accepter')
        accepter.daemon = True
        accepter.start()
        try:
            while not self.stop_event.is_set():
                self.stop_event.wait(1)
        except (KeyboardInterrupt, SystemExit):
            pass
        util._flush_std_streams()
        sys.exit(0)

    def accepter(self):
        while True:
            try:
                c = self.listener.accept()
            except (OSError, IOError):
                if self.stop_event.is_set():
                    return
                continue
            t = threading.Thread(target=self.handle_request, args=(c,))
            t.daemon = True
            t.start()

    def handle_request(self, c):
        try:
            connection.deliver_challenge(c, self.authkey)
            connection.answer_challenge(c, self.authkey)
            request = c.recv()
            ignore, funcname, args, kwds = request
            if funcname not in self.public:
                raise AssertionError('%r unrecognized' % funcname)
            func = getattr(self, funcname)
        except Exception:
            msg = ('#TRACEBACK', _traceback_text())
        else:
            try:
                result = func(c, *args, **kwds)
            except (Exception, bridge.JAVA_ERRORS):    # Java's: see serve_client
                msg = ('#TRACEBACK', _traceback_text())
            else:
                msg = ('#RETURN', result)
        if funcname_is_serving(msg):
            return
        try:
            c.send(msg)
        except Exception:
            try:
                c.send(('#TRACEBACK', _traceback_text()))
            except Exception:
                pass
        c.close()

    def serve_client(self, conn):
        """The loop of one client connection: method calls on the shared objects."""
        # Looked up once: on GraalPy an attribute lookup costs ~0.4 us, several a request.
        recv, send, id_to_obj, stopping = conn.recv, conn.send, self.id_to_obj, self.stop_event.is_set
        objects = self.java_objects
        if objects is not None and conn._frames is not None:
            # Java answers the requests for the objects it serves and hands on the rest
            serve_in_java, loads_message = bridge.request_server(objects, conn._frames), conn._loads_message

            def recv():
                return loads_message(serve_in_java())
        while not stopping():
            try:
                request = recv()
            except (EOFError, OSError, IOError):
                conn.close()
                return
            methodname = obj = None
            try:
                ident, methodname, args, kwds = request
                try:
                    obj, exposed, gettypeid = id_to_obj[ident]
                except KeyError:
                    obj, exposed, gettypeid = self.id_to_local_proxy_obj[ident]
                if methodname not in exposed:
                    raise AttributeError('method %r of %r object is not in exposed=%r'
                                         % (methodname, type(obj), exposed))
                function = getattr(obj, methodname)
                try:
                    res = function(*args, **kwds)
                except Exception as e:
                    msg = ('#ERROR', e)
                except bridge.JAVA_ERRORS:
                    # Jython: an exception of Java code, which `except Exception` lets through;
                    # uncaught it would end this thread and leave the client waiting for ever
                    msg = ('#TRACEBACK', _traceback_text())
                else:
                    typeid = gettypeid and gettypeid.get(methodname, None)
                    if typeid:
                        rident, rexposed = self.create(conn, typeid, res)
                        token = Token(typeid, self.address, rident)
                        msg = ('#PROXY', (rexposed, token))
                    else:
                        msg = ('#RETURN', res)
            except AttributeError:
                if methodname is None:
                    msg = ('#TRACEBACK', _traceback_text())
                else:
                    try:
                        fallback = self.fallback_mapping[methodname]
                        result = fallback(self, conn, ident, obj, *args, **kwds)
                        msg = ('#RETURN', result)
                    except Exception:
                        msg = ('#TRACEBACK', _traceback_text())
            except Exception:
                msg = ('#TRACEBACK', _traceback_text())
            try:
                try:
                    send(msg)
                except Exception:
                    send(('#UNSERIALIZABLE', _traceback_text()))
            except Exception:
                conn.close()
                return

    def fallback_getvalue(self, conn, ident, obj):
        return obj

    def fallback_str(self, conn, ident, obj):
        return str(obj)

    def fallback_repr(self, conn, ident, obj):
        return repr(obj)

    fallback_mapping = {'__str__': fallback_str, '__repr__': fallback_repr, '#GETVALUE': fallback_getvalue}

    def dummy(self, c):
        pass

    def debug_info(self, c):
        with self.mutex:
            return '\n'.join('  %s:       refcount=%s\n    %s' % (ident, self.id_to_refcount.get(ident),
                                                                   str(self.id_to_obj[ident][0])[:75])
                             for ident in self.id_to_refcount)

    def number_of_objects(self, c):
        return len(self.id_to_refcount)

    def shutdown(self, c):
        try:
            c.send(('#RETURN', None))
        finally:
            self.stop_event.set()

    def create(self, c, typeid, *args, **kwds):
        with self.mutex:
            callable, exposed, method_to_typeid, proxytype = self.registry[typeid]
            if callable is None:
                if kwds or len(args) != 1:
                    raise ValueError('Without callable, must have one non-keyword argument')
                obj = args[0]
            else:
                obj = callable(*args, **kwds)
            if exposed is None:
                exposed = public_methods(obj)
            if method_to_typeid is not None:
                if not isinstance(method_to_typeid, dict):
                    raise TypeError('Method_to_typeid %r: type %s, not dict' % (method_to_typeid, type(method_to_typeid)))
                exposed = list(exposed) + list(method_to_typeid)
            ident = '%x' % id(obj)
            self.id_to_obj[ident] = (obj, set(exposed), method_to_typeid)
            if isinstance(obj, (_ServedQueue, _ServedDict)):
                obj._serve_in_java(ident, [name for name in exposed if name not in (method_to_typeid or ())])
            if ident not in self.id_to_refcount:
                self.id_to_refcount[ident] = 0
        self.incref(c, ident)
        return ident, tuple(exposed)

    def get_methods(self, c, token):
        return tuple(self.id_to_obj[token.id][1])

    def accept_connection(self, c, name):
        threading.current_thread().name = name
        c.send(('#RETURN', None))
        self.serve_client(c)
        return _SERVING

    def incref(self, c, ident):
        with self.mutex:
            try:
                self.id_to_refcount[ident] += 1
            except KeyError:
                if ident in self.id_to_local_proxy_obj:
                    self.id_to_refcount[ident] = 1
                    self.id_to_obj[ident] = self.id_to_local_proxy_obj[ident]
                else:
                    raise

    def decref(self, c, ident):
        if ident not in self.id_to_refcount and ident in self.id_to_local_proxy_obj:
            return
        with self.mutex:
            if self.id_to_refcount[ident] <= 0:
                raise AssertionError('Id %s (%r) has refcount %d, not 1+'
                                     % (ident, self.id_to_obj[ident], self.id_to_refcount[ident]))
            self.id_to_refcount[ident] -= 1
            if self.id_to_refcount[ident] == 0:
                del self.id_to_refcount[ident]
                obj = self.id_to_obj.pop(ident)[0]
                if isinstance(obj, (_ServedQueue, _ServedDict)):
                    obj._forget_in_java(ident)


# accept_connection answers for itself and then serves: handle_request must not answer again.
_SERVING = object()


def funcname_is_serving(msg):
    return msg[0] == '#RETURN' and msg[1] is _SERVING


class State(object):
    __slots__ = ['value']
    INITIAL = 0
    STARTED = 1
    SHUTDOWN = 2


listener_client = {'pickle': (connection.Listener, connection.Client)}


class BaseManager(object):
    """Starts (or connects to) a server process and makes proxies for its objects."""
    _registry = {}
    _Server = Server

    def __init__(self, address=None, authkey=None, serializer='pickle', ctx=None, **kwargs):
        if authkey is None:
            authkey = process.current_process().authkey
        self._address = address
        self._authkey = AuthenticationString(authkey)
        self._state = State()
        self._state.value = State.INITIAL
        self._serializer = serializer
        self._Listener, self._Client = listener_client[serializer]
        self._ctx = ctx or context._default_context.get_context()
        self._shutdown_timeout = kwargs.pop('shutdown_timeout', 1.0)
        if kwargs:
            raise TypeError('unexpected keyword arguments %r' % sorted(kwargs))

    def get_server(self):
        if self._state.value != State.INITIAL:
            if self._state.value == State.STARTED:
                raise ProcessError('Already started server')
            raise ProcessError('Manager has shut down')
        return self._Server(self._registry, self._address, self._authkey, self._serializer)

    def _call_server(self, methodname, args=(), kwds={}):
        return request(self._Client, self._address, self._authkey, methodname, args, kwds)

    def connect(self):
        self._call_server('dummy')
        self._state.value = State.STARTED

    def start(self, initializer=None, initargs=()):
        if self._state.value != State.INITIAL:
            if self._state.value == State.STARTED:
                raise ProcessError('Already started server')
            raise ProcessError('Manager has shut down')
        if initializer is not None and not callable(initializer):
            raise TypeError('initializer must be a callable')
        reader, writer = connection.Pipe(duplex=False)
        # A module-level target: Python 2 cannot pickle the bound classmethod CPython passes.
        self._process = self._ctx.Process(
            target=_run_manager_server,
            args=(type(self), self._registry, self._address, self._authkey, self._serializer, writer,
                  initializer, initargs))
        ident = ':'.join(str(i) for i in self._process._identity)
        self._process.name = type(self).__name__ + '-' + ident
        self._process.start()
        writer.close()
        self._address = reader.recv()
        reader.close()
        self._state.value = State.STARTED
        self.shutdown = util.Finalize(
            self, type(self)._finalize_manager,
            args=(self._process, self._address, self._authkey, self._state, self._Client,
                  self._shutdown_timeout),
            exitpriority=0)

    @classmethod
    def _run_server(cls, registry, address, authkey, serializer, writer, initializer=None, initargs=()):
        # As CPython's: Ctrl-C (sent to the whole group) must not end the server under its clients.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if initializer is not None:
            initializer(*initargs)
        server = cls._Server(registry, address, authkey, serializer)
        writer.send(server.address)
        writer.close()
        server.serve_forever()

    def _create(self, typeid, *args, **kwds):
        if self._state.value != State.STARTED:
            raise AssertionError('server not yet started')     # CPython's, also after shutdown
        id, exposed = self._call_server('create', (typeid,) + args, kwds)
        return Token(typeid, self._address, id), exposed

    def join(self, timeout=None):
        if self._process is not None:
            self._process.join(timeout)
            if not self._process.is_alive():
                self._process = None

    def _debug_info(self):
        return self._call_server('debug_info')

    def _number_of_objects(self):
        return self._call_server('number_of_objects')

    def __enter__(self):
        if self._state.value == State.INITIAL:
            self.start()
        if self._state.value != State.STARTED:
            raise ProcessError('Unable to start server' if self._state.value == State.INITIAL
                               else 'Manager has shut down')
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.shutdown()

    @staticmethod
    def _finalize_manager(process_obj, address, authkey, state, _Client, shutdown_timeout):
        if process_obj.is_alive():
            try:
                request(_Client, address, authkey, 'shutdown')
            except Exception:
                pass
            process_obj.join(timeout=shutdown_timeout)
            if process_obj.is_alive():
                process_obj.terminate()
                process_obj.join(timeout=shutdown_timeout)
                if process_obj.is_alive():
                    process_obj.kill()
                    process_obj.join()
        state.value = State.SHUTDOWN
        try:
            del BaseProxy._address_to_local[address]
        except KeyError:
            pass

    @property
    def address(self):
        return self._address

    @classmethod
    def register(cls, typeid, callable=None, proxytype=None, exposed=None,
                 method_to_typeid=None, create_method=True):
        if '_registry' not in cls.__dict__:
            cls._registry = cls._registry.copy()
        if proxytype is None:
            proxytype = AutoProxy
        exposed = exposed or getattr(proxytype, '_exposed_', None)
        method_to_typeid = method_to_typeid or getattr(proxytype, '_method_to_typeid_', None)
        cls._registry[typeid] = (callable, exposed, method_to_typeid, proxytype)
        if create_method:
            def temp(self, *args, **kwds):
                token, exp = self._create(typeid, *args, **kwds)
                return _new_proxy(proxytype, token, self._serializer, self, self._authkey, exp)
            temp.__name__ = str(typeid)
            setattr(cls, typeid, temp)


def _new_proxy(proxytype, token, serializer, manager, authkey, exposed):
    """A proxy for an object the server has just made: the proxy takes its own reference, then
    the one the server kept for the creation is dropped."""
    proxy = proxytype(token, serializer, manager=manager, authkey=authkey, exposed=exposed)
    request(listener_client[serializer][1], token.address, authkey, 'decref', (token.id,))
    return proxy


def _run_manager_server(cls, *args):
    cls._run_server(*args)


class ProcessLocalSet(set):
    def __init__(self):
        util.register_after_fork(self, lambda obj: obj.clear())

    def __reduce__(self):
        return type(self), ()


class BaseProxy(object):
    """A reference to a shared object; each thread of a process has its own connection."""
    _address_to_local = {}
    _mutex = threading.Lock()

    def __init__(self, token, serializer, manager=None, authkey=None, exposed=None,
                 incref=True, manager_owned=False):
        with BaseProxy._mutex:
            tls_idset = BaseProxy._address_to_local.get(token.address, None)
            if tls_idset is None:
                tls_idset = threading.local(), ProcessLocalSet()
                BaseProxy._address_to_local[token.address] = tls_idset
        self._tls = tls_idset[0]
        self._idset = tls_idset[1]
        self._token = token
        self._id = self._token.id
        self._manager = manager
        self._serializer = serializer
        self._Client = listener_client[serializer][1]
        self._owned_by_manager = manager_owned
        if authkey is not None:
            self._authkey = AuthenticationString(authkey)
        elif self._manager is not None:
            self._authkey = self._manager._authkey
        else:
            self._authkey = process.current_process().authkey
        if incref:
            self._incref()

    def _connect(self):
        name = process.current_process().name
        if threading.current_thread().name != 'MainThread':
            name += '|' + threading.current_thread().name
        conn = self._Client(self._token.address, authkey=self._authkey)
        dispatch(conn, None, 'accept_connection', (name,))
        self._tls.connection = conn

    def _callmethod(self, methodname, args=(), kwds={}):
        try:
            conn = self._tls.connection
        except AttributeError:
            self._connect()
            conn = self._tls.connection
        try:
            kind, result = conn._call((self._id, methodname, args, kwds))
        except BaseException:
            # e.g. a Ctrl-C while the server still works on the request: its late answer must
            # not be taken for the next request's, so this thread's next call connects anew
            del self._tls.connection
            conn.close()
            raise
        if kind == '#RETURN':
            return result
        if kind == '#PROXY':
            exposed, token = result
            proxytype = self._manager._registry[token.typeid][-1] if self._manager else AutoProxy
            token.address = self._token.address
            return _new_proxy(proxytype, token, self._serializer, self._manager, self._authkey, exposed)
        raise convert_to_error(kind, result)

    def _getvalue(self):
        return self._callmethod('#GETVALUE')

    def _incref(self):
        if self._owned_by_manager:
            return
        request(self._Client, self._token.address, self._authkey, 'incref', (self._id,))
        self._idset.add(self._id)
        state = self._manager and self._manager._state
        self._close = util.Finalize(
            self, BaseProxy._decref,
            args=(self._token, self._authkey, state, self._tls, self._idset, self._Client),
            exitpriority=10)

    @staticmethod
    def _decref(token, authkey, state, tls, idset, _Client):
        idset.discard(token.id)
        if state is None or state.value == State.STARTED:
            try:
                request(_Client, token.address, authkey, 'decref', (token.id,))
            except Exception:
                pass
        if not idset and hasattr(tls, 'connection'):
            tls.connection.close()
            del tls.connection

    def __reduce__(self):
        kwds = {}
        if context.get_spawning_popen() is not None:
            kwds['authkey'] = self._authkey
        if getattr(self, '_isauto', False):
            kwds['exposed'] = self._exposed_
            return (RebuildProxy, (AutoProxy, self._token, self._serializer, kwds))
        return (RebuildProxy, (type(self), self._token, self._serializer, kwds))

    def __deepcopy__(self, memo):
        return self._getvalue()

    def __repr__(self):
        return '<%s object, typeid %r at %#x>' % (type(self).__name__, self._token.typeid, id(self))

    def __str__(self):
        try:
            return self._callmethod('__repr__')
        except Exception:
            return repr(self)[:-1] + "; '__str__()' failed>"


def RebuildProxy(func, token, serializer, kwds):
    """Unpickles a proxy; in the manager's own server process, the object itself."""
    server = getattr(process.current_process(), '_manager_server', None)
    if server and server.address == token.address:
        util.sub_debug('Rebuild a proxy owned by manager, token=%r', token)
        kwds['manager_owned'] = True
        if token.id not in server.id_to_local_proxy_obj:
            server.id_to_local_proxy_obj[token.id] = server.id_to_obj[token.id]
    incref = kwds.pop('incref', True) and not getattr(process.current_process(), '_inheriting', False)
    return func(token, serializer, incref=incref, **kwds)


def MakeProxyType(name, exposed, _cache={}):
    """A BaseProxy subclass with a method for each name in exposed."""
    exposed = tuple(exposed)
    try:
        return _cache[(name, exposed)]
    except KeyError:
        pass
    dic = {}
    for meth in exposed:
        dic[meth] = _proxy_method(meth)
    ProxyType = type(str(name), (BaseProxy,), dic)
    ProxyType._exposed_ = exposed
    _cache[(name, exposed)] = ProxyType
    return ProxyType


def _proxy_method(meth):
    def method(self, *args, **kwds):
        return self._callmethod(meth, args, kwds)
    method.__name__ = str(meth)
    return method


def AutoProxy(token, serializer, manager=None, authkey=None, exposed=None, incref=True, manager_owned=False):
    """A proxy exposing the public methods of the referent (asked from the server if unknown)."""
    _Client = listener_client[serializer][1]
    if exposed is None:
        exposed = request(_Client, token.address, authkey, 'get_methods', (token,))
    if authkey is None and manager is not None:
        authkey = manager._authkey
    if authkey is None:
        authkey = process.current_process().authkey
    ProxyType = MakeProxyType('AutoProxy[%s]' % token.typeid, exposed)
    proxy = ProxyType(token, serializer, manager=manager, authkey=authkey, incref=incref,
                      manager_owned=manager_owned)
    proxy._isauto = True
    return proxy


# --- the types a SyncManager serves --------------------------------------------------------

class Namespace(object):
    def __init__(self, **kwds):
        self.__dict__.update(kwds)

    def __repr__(self):
        items = list(self.__dict__.items())
        temp = ['%s=%r' % (name, value) for name, value in items if not name.startswith('_')]
        temp.sort()
        return '%s(%s)' % (type(self).__name__, ', '.join(temp))


class Value(object):
    def __init__(self, typecode, value, lock=True):
        self._typecode = typecode
        self._value = value

    def get(self):
        return self._value

    def set(self, value):
        self._value = value

    def __repr__(self):
        return '%s(%r, %r)' % (type(self).__name__, self._typecode, self._value)

    value = property(get, set)


def Array(typecode, sequence, lock=True):
    return array.array(typecode, sequence)


class IteratorProxy(BaseProxy):
    _exposed_ = ('__next__', 'send', 'throw', 'close', 'next')

    def __iter__(self):
        return self

    def __next__(self, *args):
        return self._callmethod('__next__' if sys.version_info[0] >= 3 else 'next', args)

    next = __next__

    def send(self, *args):
        return self._callmethod('send', args)

    def throw(self, *args):
        return self._callmethod('throw', args)

    def close(self, *args):
        return self._callmethod('close', args)


class AcquirerProxy(BaseProxy):
    _exposed_ = ('acquire', 'release')

    def acquire(self, blocking=True, timeout=None):
        args = (blocking,) if timeout is None else (blocking, timeout)
        return self._callmethod('acquire', args)

    def release(self):
        return self._callmethod('release')

    def __enter__(self):
        return self._callmethod('acquire')

    def __exit__(self, exc_type, exc_val, exc_tb):
        return self._callmethod('release')


class ConditionProxy(AcquirerProxy):
    _exposed_ = ('acquire', 'release', 'wait', 'notify', 'notify_all')

    def wait(self, timeout=None):
        return self._callmethod('wait', (timeout,))

    def notify(self, n=1):
        return self._callmethod('notify', (n,))

    def notify_all(self):
        return self._callmethod('notify_all')

    def wait_for(self, predicate, timeout=None):
        return util.wait_for(self.wait, predicate, timeout)


class EventProxy(BaseProxy):
    _exposed_ = ('is_set', 'set', 'clear', 'wait')

    def is_set(self):
        return self._callmethod('is_set')

    def set(self):
        return self._callmethod('set')

    def clear(self):
        return self._callmethod('clear')

    def wait(self, timeout=None):
        return self._callmethod('wait', (timeout,))


class BarrierProxy(BaseProxy):
    _exposed_ = ('__getattribute__', 'wait', 'abort', 'reset')

    def wait(self, timeout=None):
        return self._callmethod('wait', (timeout,))

    def abort(self):
        return self._callmethod('abort')

    def reset(self):
        return self._callmethod('reset')

    @property
    def parties(self):
        return self._callmethod('__getattribute__', ('parties',))

    @property
    def n_waiting(self):
        return self._callmethod('__getattribute__', ('n_waiting',))

    @property
    def broken(self):
        return self._callmethod('__getattribute__', ('broken',))


class NamespaceProxy(BaseProxy):
    _exposed_ = ('__getattribute__', '__setattr__', '__delattr__')

    def __getattr__(self, key):
        if key[0] == '_':
            return object.__getattribute__(self, key)
        callmethod = object.__getattribute__(self, '_callmethod')
        return callmethod('__getattribute__', (key,))

    def __setattr__(self, key, value):
        if key[0] == '_':
            return object.__setattr__(self, key, value)
        callmethod = object.__getattribute__(self, '_callmethod')
        return callmethod('__setattr__', (key, value))

    def __delattr__(self, key):
        if key[0] == '_':
            return object.__delattr__(self, key)
        callmethod = object.__getattribute__(self, '_callmethod')
        return callmethod('__delattr__', (key,))


class ValueProxy(BaseProxy):
    _exposed_ = ('get', 'set')

    def get(self):
        return self._callmethod('get')

    def set(self, value):
        return self._callmethod('set', (value,))

    value = property(get, set)


_LIST_METHODS = ('__add__', '__contains__', '__delitem__', '__getitem__', '__len__',
                 '__mul__', '__reversed__', '__rmul__', '__setitem__',
                 'append', 'count', 'extend', 'index', 'insert', 'pop', 'remove',
                 'reverse', 'sort', '__imul__')
if sys.version_info[0] < 3:
    _LIST_METHODS += ('__getslice__', '__setslice__', '__delslice__')
BaseListProxy = MakeProxyType('BaseListProxy', _LIST_METHODS)


class ListProxy(BaseListProxy):
    def __iadd__(self, value):
        self._callmethod('extend', (value,))
        return self

    def __imul__(self, value):
        self._callmethod('__imul__', (value,))
        return self

    def __iter__(self):
        return iter(self._callmethod('__getitem__', (slice(None),)))


_DICT_METHODS = ('__contains__', '__delitem__', '__getitem__', '__iter__', '__len__',
                 '__setitem__', 'clear', 'copy', 'get', 'items', 'keys', 'pop', 'popitem',
                 'setdefault', 'update', 'values')
if sys.version_info[0] < 3:
    _DICT_METHODS += ('has_key',)
DictProxy = MakeProxyType('DictProxy', _DICT_METHODS)
DictProxy._method_to_typeid_ = {'__iter__': 'Iterator'}

ArrayProxy = MakeProxyType('ArrayProxy', ('__len__', '__getitem__', '__setitem__'))

BasePoolProxy = MakeProxyType('PoolProxy', (
    'apply', 'apply_async', 'close', 'imap', 'imap_unordered', 'join',
    'map', 'map_async', 'starmap', 'starmap_async', 'terminate'))
BasePoolProxy._method_to_typeid_ = {
    'apply_async': 'AsyncResult', 'map_async': 'AsyncResult', 'starmap_async': 'AsyncResult',
    'imap': 'Iterator', 'imap_unordered': 'Iterator'}


class PoolProxy(BasePoolProxy):
    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.terminate()


try:
    from _thread import error as _LockError         # RuntimeError
except ImportError:                                 # Python 2
    import thread as _thread
    # CPython 2.7's thread.error; Jython's is a string, not an exception class
    _LockError = _thread.error if isinstance(_thread.error, type) else RuntimeError


class _ServedLock(object):
    """What a manager's Lock() serves: a threading.Lock whose release() of an unlocked lock
    raises, as CPython's does. GraalPy's lets it pass and the lock then lets two acquire()s
    in; Jython's raises a Java exception."""

    def __init__(self):
        self._lock = threading.Lock()
        self._releasing = threading.Lock()      # makes the check and the release one step

    def acquire(self, blocking=True, timeout=-1):
        if timeout is None or timeout == -1:
            return self._lock.acquire(blocking)
        return self._lock.acquire(blocking, timeout)

    def release(self):
        with self._releasing:
            if not self._lock.locked():
                raise _LockError('release unlocked lock')
            self._lock.release()

    def __repr__(self):
        return '<%s %s object>' % ('locked' if self._lock.locked() else 'unlocked', type(self).__name__)


def _new_served_objects():
    """The Java table and request loop of a server's queues and dicts (ServedObjects), or
    None: with MP4J_MANAGER_JAVA=0 every request is served in Python."""
    if os.environ.get('MP4J_MANAGER_JAVA') == '0':
        return None
    dumps = reduction.ForkingPickler.dumps
    return bridge.runtime().newServedObjects(bridge.java_bytes(dumps(('#ERROR', queue.Empty()))),
                                             bridge.java_bytes(dumps(('#ERROR', queue.Full()))))


def _queue_seconds(block, timeout, checked=True):
    """A queue.Queue timeout for Java: seconds, or -1 to wait for ever; checked as queue.Queue
    does (a put checks it only on a bounded queue)."""
    if not block or timeout is None or not checked:
        return -1.0
    if timeout < 0:
        raise ValueError("'timeout' must be a non-negative number")
    return float(timeout)


class Queue(object):      # named so: a call with wrong arguments says "Queue.get()", as CPython's
    """What a manager's Queue() and JoinableQueue() serve: queue.Queue's methods over
    a Java queue of pickles (managers.ServedQueue). The server's Java loop (ServedObjects) puts
    and gets for the common calls without coming here; these methods do the rest, on the same
    queue, so items keep their order whichever way they came."""

    def __init__(self, objects, maxsize):
        self._objects = objects
        self._queue = objects.newQueue(maxsize)
        self._bounded = maxsize > 0

    def _serve_in_java(self, ident, methods):
        self._objects.serveQueue(ident, self._queue, ','.join(methods))

    def _forget_in_java(self, ident):
        self._objects.forget(ident)

    def put(self, item, block=True, timeout=None):
        seconds = _queue_seconds(block, timeout, self._bounded)
        pickled = bytes(reduction.ForkingPickler.dumps(item))
        if self._queue.putPickle(bridge.java_bytes(pickled), bool(block), seconds):
            raise queue.Full

    def put_nowait(self, item):
        return self.put(item, False)

    def get(self, block=True, timeout=None):
        seconds = _queue_seconds(block, timeout)
        item = self._queue.getPickle(bool(block), seconds)
        if item is None:
            raise queue.Empty
        return reduction.loads(bridge.java_item_bytes(self._queue, item))

    def get_nowait(self):
        return self.get(False)

    def qsize(self):
        return self._queue.qsize()

    def empty(self):
        return self._queue.empty()

    def full(self):
        return self._queue.full()

    def task_done(self):
        if not self._queue.taskDone():
            raise ValueError('task_done() called too many times')

    def join(self):
        self._queue.join()

    def __repr__(self):
        if sys.version_info[0] < 3:
            return '<Queue.Queue instance at %#x>' % id(self)
        return '<queue.Queue object at %#x>' % id(self)


_ServedQueue = Queue
del Queue


if sys.version_info[0] >= 3:
    def _java_key(key):
        """A dict key as ServedDict keeps it ('s' + a str, 'i' + an int), or None for any other."""
        kind = type(key)
        if kind is str:
            return 's' + key
        if kind is int and bridge.LONG_MIN <= key <= bridge.LONG_MAX:
            return 'i%d' % key
        return None

    def _python_key(key):
        return key[1:] if key[0] == 's' else int(key[1:])
else:
    def _java_key(key):
        """Python 2: an ASCII str and an int are kept ('s' + the str, 'i' + the int); a unicode
        (equal to a str of the same ASCII text) or a long goes to Python, whose dict keeps
        the first key's type (ServedObjects.dictKey)."""
        kind = type(key)
        if kind is str:
            try:
                key.decode('ascii')
            except UnicodeDecodeError:
                return None
            return 's' + key
        if kind is int:
            return 'i%d' % key
        return None

    def _python_key(key):
        return str(key[1:]) if key[0] == 's' else int(key[1:])


def _check_arguments(name, args):
    """dict.get, pop and setdefault take a key and maybe a default: CPython's errors otherwise."""
    if not args:
        raise TypeError('%s expected at least 1 argument, got 0' % name)
    if len(args) > 2:
        raise TypeError('%s expected at most 2 arguments, got %d' % (name, len(args)))


class _ServedDict(object):
    """What a manager's dict() serves: a dict whose entries live in Java
    (managers.ServedDict) while every key is a str or an int, so that the server's Java loop
    answers the item calls. These methods do the rest, under one lock; the first other key
    moves every entry into a Python dict for good, and from then on they use that."""

    def __init__(self, objects, contents):
        self._objects = objects
        self._java = objects.newDict()
        self._dict = None                   # the entries, once in Python
        self._lock = threading.Lock()
        self.update(contents)

    def _serve_in_java(self, ident, methods):
        self._objects.serveDict(ident, self._java, ','.join(methods))

    def _forget_in_java(self, ident):
        self._objects.forget(ident)

    def _value(self, item):
        return reduction.loads(bridge.java_item_bytes(self._java, item))

    @staticmethod
    def _pickled(value):
        return bridge.java_bytes(bytes(reduction.ForkingPickler.dumps(value)))

    def _entries(self, entries):
        return [(_python_key(entries.key(i)), self._value(entries.value(i))) for i in range(entries.size())]

    def _in_python(self, *keys):
        """The Python dict if the entries are there, or are moved there now because a key needs it."""
        if self._dict is None and [key for key in keys if _java_key(key) is None]:
            self._dict = dict(self._entries(self._java.demote()))
        return self._dict

    def __getitem__(self, key):
        with self._lock:
            entries = self._in_python(key)
            if entries is not None:
                return entries[key]
            item = self._java.get(_java_key(key))
        if item is None:
            raise KeyError(key)
        return self._value(item)

    def get(self, *args):
        _check_arguments('get', args)
        try:
            return self[args[0]]
        except KeyError:
            return args[1] if len(args) == 2 else None

    def __setitem__(self, key, value):
        pickled = self._pickled(value)
        with self._lock:
            entries = self._in_python(key)
            if entries is not None:
                entries[key] = value
            else:
                self._java.set(_java_key(key), pickled)

    def __delitem__(self, key):
        with self._lock:
            entries = self._in_python(key)
            if entries is not None:
                del entries[key]
            elif self._java.remove(_java_key(key)) is None:
                raise KeyError(key)

    def __contains__(self, key):
        with self._lock:
            entries = self._in_python(key)
            if entries is not None:
                return key in entries
            return self._java.contains(_java_key(key))

    def __len__(self):
        with self._lock:
            return len(self._dict) if self._dict is not None else self._java.size()

    has_key = __contains__                  # Python 2's DictProxy exposes it

    def __iter__(self):
        return iter(self.keys())

    def keys(self):
        return [key for key, value in self.items()]

    def values(self):
        return [value for key, value in self.items()]

    def items(self):
        with self._lock:
            if self._dict is not None:
                return list(self._dict.items())
            snapshot = self._java.snapshot()
        return self._entries(snapshot)

    def copy(self):
        return dict(self.items())

    def clear(self):
        with self._lock:
            if self._dict is not None:
                self._dict.clear()
            else:
                self._java.clear()

    _MISSING = object()

    def pop(self, *args):
        _check_arguments('pop', args)
        key, default = args[0], args[1] if len(args) == 2 else _ServedDict._MISSING
        with self._lock:
            entries = self._in_python(key)
            if entries is not None:
                return entries.pop(key) if default is _ServedDict._MISSING else entries.pop(key, default)
            item = self._java.remove(_java_key(key))
        if item is not None:
            return self._value(item)
        if default is _ServedDict._MISSING:
            raise KeyError(key)
        return default

    def popitem(self):
        with self._lock:
            if self._dict is not None:
                return self._dict.popitem()
            last = self._entries(self._java.popLast())
        if not last:
            raise KeyError('popitem(): dictionary is empty')
        return last[0]

    def setdefault(self, *args):
        _check_arguments('setdefault', args)
        key, default = args[0], args[1] if len(args) == 2 else None
        pickled = self._pickled(default)
        with self._lock:
            entries = self._in_python(key)
            if entries is not None:
                return entries.setdefault(key, default)
            item = self._java.setDefault(_java_key(key), pickled)
        return self._value(item)

    def update(self, *args, **kwds):
        new = {}
        new.update(*args, **kwds)           # dict.update's own checks and errors
        pickled = [(key, self._pickled(value)) for key, value in new.items()]
        with self._lock:
            entries = self._in_python(*new)
            if entries is not None:
                entries.update(new)
                return
            batch = self._java.newBatch()
            for key, value in pickled:
                batch.add(_java_key(key), value)
            self._java.putAll(batch)

    def __reduce__(self):                   # '#GETVALUE' (a proxy's deepcopy) answers a dict
        return dict, (self.items(),)

    def __repr__(self):
        return repr(dict(self.items()))


def _ManagedDict(*args, **kwds):
    """What SyncManager's dict makes in the server: a _ServedDict where the server serves in
    Java, else a dict."""
    contents = dict(*args, **kwds)
    server = getattr(process.current_process(), '_manager_server', None)
    objects = getattr(server, 'java_objects', None)
    return contents if objects is None else _ServedDict(objects, contents)


def _ManagedQueue(maxsize=0):
    """What SyncManager's Queue and JoinableQueue make in the server: a _ServedQueue where the
    server serves in Java, else (MP4J_MANAGER_JAVA=0; a maxsize that is not an int) a queue.Queue."""
    server = getattr(process.current_process(), '_manager_server', None)
    objects = getattr(server, 'java_objects', None)
    if objects is None or isinstance(maxsize, bool) or not isinstance(maxsize, _int_types) \
            or not -0x8000000000000000 <= maxsize <= 0x7fffffffffffffff:
        return queue.Queue(maxsize)
    return _ServedQueue(objects, maxsize)


class SyncManager(BaseManager):
    """The manager of multiprocessing.Manager(): queues, locks and containers."""


SyncManager.register('Queue', _ManagedQueue)
SyncManager.register('JoinableQueue', _ManagedQueue)
SyncManager.register('Event', threading.Event, EventProxy)
SyncManager.register('Lock', _ServedLock, AcquirerProxy)
SyncManager.register('RLock', threading.RLock, AcquirerProxy)
SyncManager.register('Semaphore', threading.Semaphore, AcquirerProxy)
SyncManager.register('BoundedSemaphore', threading.BoundedSemaphore, AcquirerProxy)
SyncManager.register('Condition', threading.Condition, ConditionProxy)
if hasattr(threading, 'Barrier'):
    SyncManager.register('Barrier', threading.Barrier, BarrierProxy)
SyncManager.register('Pool', pool.Pool, PoolProxy)
SyncManager.register('list', list, ListProxy)
SyncManager.register('dict', _ManagedDict, DictProxy)
SyncManager.register('Value', Value, ValueProxy)
SyncManager.register('Array', Array, ArrayProxy)
SyncManager.register('Namespace', Namespace, NamespaceProxy)
SyncManager.register('Iterator', proxytype=IteratorProxy, create_method=False)
SyncManager.register('AsyncResult', create_method=False)


class SharedMemoryServer(Server):
    """A manager server that also keeps the names of the SharedMemory blocks its clients made,
    and unlinks them when it shuts down."""
    public = Server.public + ['track_segment', 'release_segment', 'list_segments']

    def __init__(self, *args, **kwargs):
        Server.__init__(self, *args, **kwargs)
        self.segment_names = []

    def track_segment(self, c, segment_name):
        with self.mutex:
            self.segment_names.append(segment_name)

    def release_segment(self, c, segment_name):
        with self.mutex:
            self.segment_names.remove(segment_name)
        _unlink_segment(segment_name)

    def list_segments(self, c):
        with self.mutex:
            return list(self.segment_names)

    def shutdown(self, c):
        with self.mutex:
            names, self.segment_names = self.segment_names, []
        for name in names:
            _unlink_segment(name)
        return Server.shutdown(self, c)


def _unlink_segment(name):
    try:
        os.unlink('/dev/shm/' + name)
    except OSError:
        pass                                # unlinked already by its user


class SharedMemoryManager(BaseManager):
    """A manager whose SharedMemory and ShareableList blocks live until it shuts down.

    The blocks are made in the caller's process (the server only keeps their names), as in
    CPython. GraalPy only: multiprocessing.shared_memory needs mmap, which Jython lacks."""
    _Server = SharedMemoryServer

    def _tracked(self, block):
        try:
            self._call_server('track_segment', (block.name,))
        except BaseException:
            block.unlink()
            raise

    def SharedMemory(self, size):
        from . import shared_memory
        block = shared_memory.SharedMemory(None, create=True, size=size)
        self._tracked(block)
        return block

    def ShareableList(self, sequence):
        from . import shared_memory
        sl = shared_memory.ShareableList(sequence)
        self._tracked(sl.shm)
        return sl


def rehearsal_proxies():
    """For a pool refill's workout (_mp4j_main.work_out): a dict proxy and a Queue proxy of a
    server of this process's own (its Java loop, over a socket pair), so that a job's first
    manager calls find the client's path already run. Returns (dict proxy, queue proxy, close),
    or None where Java does not serve (MP4J_MANAGER_JAVA=0) or there are no Unix sockets."""
    objects = _new_served_objects()
    if objects is None or not bridge.UNIX_SOCKETS:
        return None
    import socket
    ends = [connection.SocketConnection(s) for s in socket.socketpair()]
    client, server = ends
    if client._frames is None or server._frames is None:
        for end in ends:
            end.close()
        return None
    served_dict, served_queue = _ServedDict(objects, {}), _ServedQueue(objects, 0)
    queue_methods = tuple(public_methods(served_queue))
    served_dict._serve_in_java('rehearsal-dict', _DICT_METHODS)
    served_queue._serve_in_java('rehearsal-queue', queue_methods)
    # it ends at the client's close (the EOF), since every request made here is one Java answers
    serving = threading.Thread(target=bridge.request_server(objects, server._frames),
                               name='mp4j-rehearsal-server')
    serving.daemon = True
    serving.start()
    address = ('mp4j-rehearsal', id(objects))
    dict_proxy = DictProxy(Token('dict', address, 'rehearsal-dict'), 'pickle',
                           authkey=b'', incref=False)
    queue_proxy = MakeProxyType('AutoProxy[Queue]', queue_methods)(
        Token('Queue', address, 'rehearsal-queue'), 'pickle', authkey=b'', incref=False)
    dict_proxy._tls.connection = client     # the two proxies share it: one address

    def close():
        client.close()
        serving.join(5)
        server.close()
        BaseProxy._address_to_local.pop(address, None)
    return dict_proxy, queue_proxy, close
