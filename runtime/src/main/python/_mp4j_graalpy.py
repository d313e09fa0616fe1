"""Bridge to the mp4j Java runtime on GraalPy: the host publishes it in the polyglot bindings."""
import polyglot

_runtime = []


def runtime():
    if not _runtime:
        _runtime.append(polyglot.import_value('mp4j'))
    return _runtime[0]


def installed_runtime():
    """The runtime, or None where the JVM has none (the build's AOT training run)."""
    return polyglot.import_value('mp4j')


def java_bytes(data):
    # GraalPy hands a bytes object to a Java byte[] parameter as is.
    return bytes(data)


def item_getter(shared):
    """The Java method that takes the next item of a SharedQueue (a function of a timeout):
    None if none came, a small item as a Latin-1 str (TEXT), a large one as a Java byte[] for
    large_item_bytes. Encoding a large str would cost GraalPy ~10 ns a byte."""
    return shared.getItem


def value_getter(shared):
    """item_getter for readers that unpickle what they take (Queue.get, Connection.recv): an
    item that is the pickle of one int, float or bool comes as that Python object, read in Java
    (SharedQueue.getValue), the rest as item_getter gives it."""
    return shared.getValue


TEXT = str


def large_item_bytes(shared, item):
    """A large item from item_getter as bytes: copied into the storage of a new bytes object,
    which nothing else holds yet."""
    data = bytes(len(item))
    shared.copyItem(item, polyglot.storage(data))
    return data


# A bytes object longer than this (SharedQueue.TEXT_LIMIT) is put as it is, its pickle written
# around it in Java (SharedQueue.putBytes): GraalPy's pickler would copy it once more.
BYTES_IN_JAVA = bytes
LARGE_BYTES = 2048


def large_item_value(shared, item, loads):
    """The object a large item from value_getter is the pickle of. The pickle of one bytes object
    (as SharedQueue.putBytes writes it, and CPython's of 64 KB and more) is copied straight into
    a new bytes object, which nothing else holds yet: unpickling would copy it once more."""
    size = shared.bytesPickleSize(item)
    if size < 0:
        return loads(large_item_bytes(shared, item))
    data = bytes(size)
    shared.copyBytesPickle(item, polyglot.storage(data))
    return data


def socket_frames(sock):
    """Java framing (FramedSocket) for a connected stream socket without a timeout, or None where
    the Python framing must do (a socket with a timeout: its descriptor is non-blocking)."""
    if sock.gettimeout() is not None:
        return None
    return runtime().framedSocket(sock.fileno())


def answer_reader():
    """A manager proxy's reader of answers on a socket_frames object (ManagerAnswers.receive):
    ('#RETURN', x) with x None (as JAVA_NULL), a bool, an int, a float or a str comes as x, anything
    else inside an object whose message() is what FramedSocket.recv would have answered."""
    return runtime().managerAnswers().receive


def manager_caller():
    """A manager proxy's sender of a request with up to two plain scalar arguments, which also
    reads its answer (ManagerAnswers.call): the request is pickled in Java."""
    return runtime().managerAnswers().call


def request_server(objects, frames):
    """A manager server connection's reader of requests (ServedObjects.serveRequests on its
    socket_frames object): Java answers what it serves, the rest comes as recv gives it."""
    serve = objects.serveRequests
    return lambda: serve(frames)


def java_item_bytes(holder, item):
    """A Java byte[] that a manager's ServedQueue or ServedDict returned, as bytes."""
    return large_item_bytes(holder, item)


# The type of a Java null in Python (not None).
JAVA_NULL = polyglot.ForeignNone


# GraalPy's native POSIX backend serves AF_UNIX sockets, abstract names included.
UNIX_SOCKETS = True

def adopt_interpreter_state():
    """Nothing to do: every GraalPy thread shares the context's sys (see the Jython bridge)."""


# GraalPy hands every Java exception to Python as a Python exception: none to catch apart.
JAVA_ERRORS = ()

# Listener and Client on GraalPy use its sockets, framed by socket_frames: no Java channels.
channel_listener = channel_address = channel_accept = channel_client = frame_reader = None


def let_handlers_replace_ignore(signal_module):
    """signal.signal() as CPython's: a handler (or SIG_DFL) replaces SIG_IGN. The JVM installs
    nothing over a signal the kernel has ignored, so on GraalPy the common pattern
    `old = signal.signal(SIGINT, SIG_IGN); pool = Pool(); signal.signal(SIGINT, old)` left
    SIGINT ignored for good; the kernel's default is given back first here, then the JVM
    installs the handler."""
    jvm_signal = signal_module.signal
    if getattr(jvm_signal, 'lets_handlers_replace_ignore', False):
        return                                      # done already in this process
    ignore = signal_module.SIG_IGN

    def signal(signalnum, handler):
        if handler != ignore and runtime().signalIgnored(signalnum):
            runtime().restoreSignalDefault(signalnum)
        return jvm_signal(signalnum, handler)

    signal.__doc__ = jvm_signal.__doc__
    signal.lets_handlers_replace_ignore = True
    signal_module.signal = signal


class _ExceptHookArgs(tuple):
    """What threading hands its excepthook: (exc_type, exc_value, exc_traceback, thread),
    made from one 4-item sequence, as CPython's _thread._ExceptHookArgs is."""
    __slots__ = ()

    def __new__(cls, seq):
        seq = tuple(seq)
        if len(seq) != 4:
            raise TypeError('_thread._ExceptHookArgs() takes a 4-sequence (%d-sequence given)'
                            % len(seq))
        return tuple.__new__(cls, seq)

    exc_type = property(lambda self: self[0])
    exc_value = property(lambda self: self[1])
    exc_traceback = property(lambda self: self[2])
    thread = property(lambda self: self[3])

    def __repr__(self):
        return ('_thread._ExceptHookArgs(exc_type=%r, exc_value=%r, exc_traceback=%r, thread=%r)'
                % tuple(self))


def _excepthook(args):
    """Prints a thread's uncaught exception as CPython's _thread._excepthook does: nothing for
    SystemExit; else 'Exception in thread NAME:' and the traceback, on sys.stderr (or, when that
    is None, on the stderr the thread kept). traceback is imported only when one comes."""
    if args.exc_type is SystemExit:
        return
    import sys
    stderr = sys.stderr
    if stderr is None:
        stderr = getattr(args.thread, '_stderr', None) if args.thread is not None else None
        if stderr is None:
            return
    if args.thread is not None:
        name = args.thread.name
    else:
        import _thread
        name = _thread.get_ident()
    stderr.write('Exception in thread %s:\n' % name)
    stderr.flush()
    import traceback
    traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback, file=stderr)
    stderr.flush()


def give_thread_an_excepthook():
    """GraalPy's _thread has no _excepthook: then `import threading` defines its own, for which
    it imports traceback and with it linecache and tokenize, ~0.1 s of every process's start on
    GraalPy's interpreter (91-113 ms timed in a spawn child). With these in place threading
    imports none of them. Called before anything imports threading."""
    import _thread
    if not hasattr(_thread, '_excepthook'):
        _thread._excepthook = _excepthook
        _thread._ExceptHookArgs = _ExceptHookArgs
