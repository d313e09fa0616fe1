"""Pipe and Connection: each direction of a pipe is a shared-memory FIFO (Java: SharedQueue).

A receiver sees EOFError once nothing is left and every sending end is closed, in every
process that held one (a process closes its ends when it exits).
"""
import array
import binascii
import errno
import math
import os
import select
import struct
import threading
import time

from . import bridge
from . import context
from . import util
from .context import AuthenticationError, BufferTooShort
from .reduction import ForkingPickler, bytes_pickled_in_java, dumps_for_java, loads

_TEXT = bridge.TEXT
_SCALARS = bridge.SCALARS
_LONG_MIN, _LONG_MAX = bridge.LONG_MIN, bridge.LONG_MAX
_BYTES_IN_JAVA = bridge.BYTES_IN_JAVA
_ANSWER_VALUES = (bool, int, float, str)    # what bridge.answer_reader hands over as is (and None)
# The arguments bridge.manager_caller pickles in Java, by exact type (ScalarRequest's kinds)
_CALL_ARG_KINDS = {int: 1, str: 3, float: 2, bool: 4, type(None): 0}
_CALL_NOT_SENT = -100                   # ManagerAnswers.NOT_SENT
_JAVA_NULL = bridge.JAVA_NULL
_MANAGER_CALLS = []


def _manager_call_methods():
    """bridge.answer_reader() and bridge.manager_caller(), looked up once per process: a Java
    method lookup costs ~4 us, and every socket connection is made with them."""
    if not _MANAGER_CALLS:
        _MANAGER_CALLS.extend((bridge.answer_reader(), bridge.manager_caller()))
    return _MANAGER_CALLS


__all__ = ['Pipe', 'Connection', 'wait', 'Listener', 'Client', 'SocketConnection']

_SLICE = 0.1

try:
    _BrokenPipe = BrokenPipeError
except NameError:                       # Python 2
    _BrokenPipe = IOError


def Pipe(duplex=True):
    runtime = bridge.runtime()
    if duplex:
        a = runtime.newPipe()
        b = runtime.newPipe()
        return Connection(a, b), Connection(b, a)
    q = runtime.newPipe()
    return Connection(q, None), Connection(None, q)


def _memoryview_of(buf):
    """A memoryview of buf; None for an array on Python 2, which has none (its bytes are
    buf.tostring()); TypeError for what has no buffer."""
    try:
        return memoryview(buf)
    except TypeError:
        if isinstance(buf, array.array):
            return None
        raise


def _bytes_of(buf):
    """The bytes of an object with the buffer interface, as send_bytes sends them. (On Python 2
    str() of a memoryview or an array is its repr, which was sent instead of the data.)"""
    if isinstance(buf, bytes):
        return buf
    view = _memoryview_of(buf)
    return buf.tostring() if view is None else view.tobytes()


def _receive_into(receive, buf, offset):
    """recv_bytes_into of both kinds of connection. buf and offset are checked before a message
    is taken, as CPython does (a bad one loses nothing); the message goes in at a byte offset,
    whatever buf's item type."""
    if isinstance(buf, bytearray):
        view = buf                      # (Jython's memoryview fails on slice assignment)
    else:
        view = _memoryview_of(buf)
    if view is None:
        bytesize = len(buf) * buf.itemsize
    else:
        if hasattr(view, 'cast'):
            view = view.cast('B')       # Python 3: offsets count bytes whatever the item type
        bytesize = len(view) * getattr(view, 'itemsize', 1)     # a bytearray has none
    if offset < 0:
        raise ValueError('negative offset')
    if offset > bytesize:
        raise ValueError('offset too large')
    data = receive()
    if bytesize - offset < len(data):
        raise BufferTooShort(bytes(data))
    if view is None:
        raw = bytearray(buf.tostring())
        raw[offset:offset + len(data)] = data
        buf[:] = array.array(buf.typecode, bytes(raw))
    else:
        view[offset:offset + len(data)] = data
    return len(data)


class Connection(object):
    def __init__(self, incoming, outgoing):
        self._incoming = incoming
        self._outgoing = outgoing
        # The Java methods, looked up once (a lookup costs GraalPy about as much as the call).
        self._get = bridge.item_getter(incoming) if incoming is not None else None
        self._get_value = bridge.value_getter(incoming) if incoming is not None else None
        self._poll = incoming.poll if incoming is not None else None
        self._put = outgoing.put if outgoing is not None else None
        self._put_long = outgoing.putLong if outgoing is not None else None
        self._put_double = outgoing.putDouble if outgoing is not None else None
        self._put_bytes = outgoing.putBytes if outgoing is not None else None
        self._closed = False
        # Like a file descriptor, this end is closed when the process ends or drops it; close()
        # runs the same finalizer, so a closed end is not uncounted twice.
        self._finalizer = util.Finalize(self, Connection._close_ends, args=(incoming, outgoing), exitpriority=-100)

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
            raise IOError('handle is closed')

    def _check_readable(self):
        if self._incoming is None:
            raise IOError('connection is write-only')

    def _check_writable(self):
        if self._outgoing is None:
            raise IOError('connection is read-only')

    def fileno(self):
        self._check_closed()
        raise OSError('mp4j connections live in shared memory and have no file descriptor')

    def _check_sending(self):
        self._check_closed()
        self._check_writable()

    def send_bytes(self, buf, offset=0, size=None):
        if self._closed or self._put is None:
            self._check_sending()
        data = _bytes_of(buf)                       # offsets count bytes
        length = len(data)
        if offset < 0:
            raise ValueError('offset is negative')
        if length < offset:
            raise ValueError('buffer length < offset')
        if size is None:
            size = length - offset
        elif size < 0:
            raise ValueError('size is negative')
        elif offset + size > length:
            raise ValueError('buffer length < offset + size')
        if offset or size != length:
            data = data[offset:offset + size]
        if not self._put(bridge.java_bytes(data), -1.0):
            self._broken_pipe()

    def send(self, obj):
        if self._closed or self._put is None:       # one test on the hot path
            self._check_sending()
        kind = type(obj)
        if kind is int and _LONG_MIN <= obj <= _LONG_MAX:
            sent = self._put_long(obj, -1.0)        # pickled in Java (see bridge.LONG_MIN)
        elif kind is float:
            sent = self._put_double(obj, -1.0)
        elif kind is _BYTES_IN_JAVA and bytes_pickled_in_java(obj):
            sent = self._put_bytes(obj, -1.0)       # its pickle written in Java
        else:
            sent = self._put(dumps_for_java(obj), -1.0)
        if not sent:
            self._broken_pipe()

    @staticmethod
    def _broken_pipe():
        # What a put into a Pipe answers once no receiving end is open: EPIPE, as a pipe's
        # write (the item was not added)
        raise _BrokenPipe(errno.EPIPE, os.strerror(errno.EPIPE))

    def _take(self, get):
        """The next item from get (self._get or self._get_value); EOFError once none can come."""
        if self._closed or get is None:
            self._check_closed()
            self._check_readable()
        incoming = self._incoming
        while True:
            item = get(_SLICE)
            if item is not None:
                return item
            if incoming.writersGone() and int(incoming.qsize()) == 0:
                raise EOFError

    def _recv(self):
        item = self._take(self._get)
        if type(item) is _TEXT:             # bridge.item_bytes, inlined: one call less per item
            return item.encode('latin-1')
        return bridge.large_item_bytes(self._incoming, item)

    def recv_bytes(self, maxlength=None):
        if maxlength is not None and maxlength < 0:
            raise ValueError('negative maxlength')
        data = self._recv()
        if maxlength is not None and len(data) > maxlength:
            self._bad_message_length()
        return data

    def _bad_message_length(self):
        # As CPython: an end that can also send stays open for sending only; a receive-only
        # end is closed.
        if self._outgoing is not None:
            self._incoming = None
            self._get = self._get_value = self._poll = None
        else:
            self.close()
        raise IOError('bad message length')

    def recv_bytes_into(self, buf, offset=0):
        self._check_closed()
        self._check_readable()
        return _receive_into(self._recv, buf, offset)

    def recv(self):
        item = self._take(self._get_value)
        kind = type(item)
        if kind is _TEXT:
            return loads(item.encode('latin-1'))
        if kind in _SCALARS:                # unpickled in Java (bridge.value_getter)
            return item
        return bridge.large_item_value(self._incoming, item, loads)

    def poll(self, timeout=0.0):
        self._check_closed()
        self._check_readable()
        poll = self._poll
        if timeout is not None and timeout <= 0:    # a loop that polls: one Java call if data is there
            return bool(poll(0.0) or self._incoming.writersGone())
        deadline = None if timeout is None else time.time() + max(0.0, timeout)
        while True:
            left = _SLICE if deadline is None else max(0.0, min(deadline - time.time(), _SLICE))
            if poll(left):
                return True
            if self._incoming.writersGone():
                return True          # recv() will raise EOFError at once, as CPython's poll says
            if deadline is not None and time.time() >= deadline:
                return False

    @staticmethod
    def _close_ends(incoming, outgoing):
        if outgoing is not None:
            outgoing.removeWriter()
        if incoming is not None:
            incoming.removeReader()

    def close(self):
        if not self._closed:
            self._closed = True
            self._finalizer()
            self._outgoing = None
            self._put = self._put_long = self._put_double = self._put_bytes = None

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()

    def __getstate__(self):
        context.assert_spawning(self)
        self._check_closed()
        # The receiving process's ends, counted from now and, where the child's pid is known,
        # held by it: uncounted if it dies before it unpickles them.
        child = getattr(context.get_spawning_popen(), 'pid', None)
        held = child is not None
        if self._outgoing is not None:
            if held:
                held = self._outgoing.addWriterFor(child)   # counted also when no such process runs
            else:
                self._outgoing.addWriter()
        if self._incoming is not None:
            if held:
                held = self._incoming.addReaderFor(child)
            else:
                self._incoming.addReader()
        return (self._incoming and str(self._incoming.name()),
                self._outgoing and str(self._outgoing.name()), child if held else None)

    def __setstate__(self, state):
        runtime = bridge.runtime()
        incoming, outgoing, holder = state
        self.__init__(incoming and runtime.attachQueue(incoming), outgoing and runtime.attachQueue(outgoing))
        if holder != os.getpid():           # held by this process now: uncounted if it ends unclosed
            if self._outgoing is not None:
                self._outgoing.claimWriter()
            if self._incoming is not None:
                self._incoming.claimReader()


def _is_ready(obj):
    if isinstance(obj, Connection) or hasattr(obj, 'poll'):
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


# --- Listener and Client: connections over TCP sockets, framed and authenticated as CPython's ---
#
# Frames: a 4-byte signed big-endian length, then the bytes; a length of -1 is followed by an
# 8-byte unsigned length (messages of 2 GiB and more). Authentication: the HMAC challenge of
# CPython 3.12 ('{sha256}' prefix), answering and accepting CPython 3.11's plain HMAC-MD5 too.

_CHALLENGE = b'#CHALLENGE#'
_WELCOME = b'#WELCOME#'
_FAILURE = b'#FAILURE#'
_MESSAGE_LENGTH = 40
_LEGACY_LENGTHS = (20, 16)          # a 3.11 challenge payload; a bare HMAC-MD5 answer
_DIGESTS = ('md5', 'sha256', 'sha384', 'sha3_256', 'sha3_384')


# What FramedSocket.recv answers instead of a message (any other int is an errno).
_FRAME_EOF, _FRAME_EOF_IN_MESSAGE, _FRAME_TOO_LONG, _FRAME_WAITING = 0, -1, -2, -3
# A receive waits in Java this long at a time, so that a Ctrl-C can end the wait in between.
_FRAME_WAIT_MILLIS = int(_SLICE * 1000)


class SocketConnection(object):
    """A Connection over a stream socket: what Listener.accept() and Client() return.

    On GraalPy the framing runs in Java on the socket's descriptor (bridge.socket_frames: one
    call a message); on Jython the connection is a Java channel framed in Java (channel, from
    bridge.channel_listener or channel_client; sock is then None); on a socket with a timeout
    it runs here."""

    def __init__(self, sock, channel=None):
        self._sock = sock
        self._channel = channel
        self._closed = False
        self._readable = True
        if channel is not None:
            self._frames = channel
            self._take_frame = bridge.frame_reader(channel)
        else:
            self._frames = bridge.socket_frames(sock)
            if self._frames is not None:
                self._take_frame = self._frames.recv
        if self._frames is not None:
            self._send_frame = self._frames.send    # looked up once: a Java method lookup costs ~4 us
        if self._frames is not None and channel is None:
            self._read_answer, self._call_with_scalars = _manager_call_methods()
        else:
            self._read_answer = self._call_with_scalars = None
        # Only the main thread gets a KeyboardInterrupt; a server's threads wait in one piece.
        main = threading.current_thread().name == 'MainThread'
        self._wait_millis = _FRAME_WAIT_MILLIS if main else -1

    closed = property(lambda self: self._closed)
    readable = property(lambda self: self._readable)
    writable = property(lambda self: True)

    def fileno(self):
        if self._sock is None:
            raise OSError('a Java channel has no file descriptor (Jython)')
        return self._sock.fileno()

    def _check_closed(self):
        if self._closed:
            raise IOError('handle is closed')

    def _check_readable(self):
        self._check_closed()
        if not self._readable:
            raise IOError('connection is write-only')

    def _bad_message_length(self):
        # The message is left unread, so nothing after it can be read: as CPython, the
        # connection stays open for sending only.
        self._readable = False
        raise IOError('bad message length')

    def _recv_exact(self, size):
        chunks = []
        left = size
        while left > 0:
            chunk = self._sock.recv(min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b''.join(chunks)

    def send_bytes(self, buf, offset=0, size=None):
        self._check_closed()
        data = _bytes_of(buf)
        if size is None:
            size = len(data) - offset
        if offset < 0 or size < 0 or offset + size > len(data):
            raise ValueError('bad offset or size')
        if offset or size != len(data):
            data = data[offset:offset + size]
        if self._frames is not None:
            self._sent(self._send_frame(bridge.java_bytes(data)))
            return
        if size > 0x7fffffff:
            header = struct.pack('!i', -1) + struct.pack('!Q', size)
        else:
            header = struct.pack('!i', size)
        if size < 16384:
            self._sock.sendall(header + data)
        else:
            self._sock.sendall(header)
            self._sock.sendall(data)

    @staticmethod
    def _sent(error):
        if error:
            raise IOError(error, os.strerror(error))    # Python 3: OSError, as its subclass for the errno

    def _recv_frame(self, maxlength):
        """One message through the Java framing, as bytes."""
        maxlength = -1 if maxlength is None else maxlength
        item = self._take_frame(maxlength, self._wait_millis)
        if type(item) is _TEXT:
            return item.encode('latin-1')
        return self._unusual_frame(item, maxlength)

    def _unusual_frame(self, item, maxlength):
        """What FramedSocket.recv answered other than a short message: a large one, or why none came."""
        while item == _FRAME_WAITING:
            item = self._take_frame(maxlength, self._wait_millis)
        if type(item) is _TEXT:
            return item.encode('latin-1')
        if isinstance(item, int):           # FramedSocket's EOF, EOF_IN_MESSAGE, TOO_LONG or an errno
            if item == _FRAME_EOF:
                raise EOFError
            if item == _FRAME_EOF_IN_MESSAGE:
                raise IOError('got end of file during message')
            if item == _FRAME_TOO_LONG:
                self._bad_message_length()
            raise IOError(item, os.strerror(item))
        return bridge.large_item_bytes(self._frames, item)

    def recv_bytes(self, maxlength=None):
        self._check_readable()
        if maxlength is not None and maxlength < 0:
            raise ValueError('negative maxlength')
        if self._frames is not None:
            return self._recv_frame(maxlength)
        size, = struct.unpack('!i', self._recv_exact(4))
        if size == -1:
            size, = struct.unpack('!Q', self._recv_exact(8))
        if maxlength is not None and size > maxlength:
            self._bad_message_length()
        return self._recv_exact(size)

    def recv_bytes_into(self, buf, offset=0):
        self._check_readable()
        return _receive_into(self.recv_bytes, buf, offset)

    # send() and recv() are a manager request's every step, so their framed path is written out:
    # each Python call saved is ~1.5 us on GraalPy. close() drops _frames, so a set _frames
    # means an open connection.
    def send(self, obj):
        if self._frames is not None:
            error = self._send_frame(dumps_for_java(obj))
            if error:
                self._sent(error)
        else:
            self.send_bytes(ForkingPickler.dumps(obj))

    def recv(self):
        if self._frames is None:
            return ForkingPickler.loads(self.recv_bytes())
        if not self._readable:
            self._check_readable()              # raises: write-only after a bad message length
        item = self._take_frame(-1, self._wait_millis)
        if type(item) is _TEXT:
            return loads(item.encode('latin-1'))
        return self._loads_message(item)

    def _call(self, request):
        """Sends a manager request and returns its answer, (kind, result). On GraalPy a request
        whose arguments are at most two plain scalars is pickled in Java (bridge.manager_caller),
        and the commonest answers, ('#RETURN', x) for a scalar or str x, are read in Java
        (bridge.answer_reader): x comes as it is, without the Latin-1 text and the unpickling."""
        read = self._read_answer
        if read is None or self._frames is None:
            self.send(request)
            return self.recv()
        if not self._readable:
            self._check_readable()
        ident, method, args, kwds = request
        argc = len(args)
        if argc <= 2 and not kwds:
            a = b = None
            kind_a = kind_b = 0
            if argc:
                a = args[0]
                kind_a = _CALL_ARG_KINDS.get(type(a), -1)
                if argc == 2:
                    b = args[1]
                    kind_b = _CALL_ARG_KINDS.get(type(b), -1)
            if kind_a >= 0 and kind_b >= 0:
                item = self._call_with_scalars(self._frames, self._wait_millis, ident, method,
                                               argc, kind_a, a, kind_b, b)
                kind = type(item)
                if kind in _ANSWER_VALUES:
                    return '#RETURN', item
                if kind is _JAVA_NULL:
                    return '#RETURN', None
                item = item.message()
                if item != _CALL_NOT_SENT:
                    return self._loads_message(item)
        error = self._send_frame(dumps_for_java(request))
        if error:
            self._sent(error)
        item = read(self._frames, self._wait_millis)
        kind = type(item)
        if kind in _ANSWER_VALUES:
            return '#RETURN', item
        if kind is _JAVA_NULL:
            return '#RETURN', None
        return self._loads_message(item.message())

    def _loads_message(self, item):
        """The object in what FramedSocket.recv or frame_reader answered (or a manager's Java
        loop handed on)."""
        kind = type(item)
        if kind is _TEXT:
            return loads(item.encode('latin-1'))
        if kind is bytes:                       # Jython's channels: the message as a str
            return loads(item)
        return loads(self._unusual_frame(item, -1))

    def poll(self, timeout=0.0):
        self._check_closed()
        if self._channel is not None:
            millis = -1 if timeout is None else int(math.ceil(max(0.0, timeout) * 1000))
            return bool(self._channel.poll(millis))
        return bool(select.select([self._sock], [], [], timeout)[0])

    def close(self):
        if not self._closed:
            self._closed = True
            self._frames = None
            try:
                if self._channel is not None:
                    self._channel.close()
                else:
                    self._sock.close()
            except (OSError, IOError):
                pass

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()


# socket is imported by the functions that make sockets, not at the top: it costs GraalPy
# ~0.1 s, and a script that only uses Pipe never needs it.

def _family_of(address):
    import socket
    if isinstance(address, tuple):
        return socket.AF_INET
    return socket.AF_UNIX


def _check_family(family):
    """CPython's check of a family name on Linux: AF_PIPE is Windows's."""
    if family == 'AF_PIPE':
        raise ValueError('Family %s is not recognized.' % family)


def _default_address(family):
    """Where a Listener without an address listens. As CPython on Linux, a Unix socket where
    the engine has them (GraalPy), but a name in the abstract namespace where CPython makes a
    file: it leaves nothing behind, even after a kill, and costs a round trip ~40-140 us less
    than TCP on loopback here. TCP on 127.0.0.1 (a free port) on Jython or when AF_INET is
    asked for; on Jython a file in the temporary directory, as CPython's, when AF_UNIX is
    asked for (Java binds no abstract names)."""
    if family not in (None, 'AF_INET', 'AF_UNIX'):
        raise ValueError('unrecognized family')
    if family == 'AF_INET' or (family is None and not bridge.UNIX_SOCKETS):
        return ('127.0.0.1', 0)
    if bridge.channel_listener is not None:     # Jython: Java binds Unix sockets at paths only
        import tempfile
        return str(os.path.join(tempfile.gettempdir(), 'mp4j-listener-%d-%s' % (
            os.getpid(), binascii.hexlify(os.urandom(8)).decode('ascii'))))
    return '\0mp4j-listener-%d-%s' % (os.getpid(), binascii.hexlify(os.urandom(8)).decode('ascii'))


# CPython's names of the address families on Linux, and what it offers to pick and tell them
families = ['AF_INET', 'AF_UNIX']
default_family = 'AF_UNIX' if bridge.UNIX_SOCKETS else 'AF_INET'


def arbitrary_address(family):
    """A free address of that family, as a Listener without an address takes."""
    return _default_address(family)


def address_type(address):
    """The family name of an address."""
    if isinstance(address, tuple):
        return 'AF_INET'
    if isinstance(address, str) and address.startswith('\\\\'):
        return 'AF_PIPE'
    if isinstance(address, str) or _is_abstract(address):
        return 'AF_UNIX'
    if isinstance(address, bytes):
        raise ValueError('address type of %r unrecognized' % (address,))
    raise TypeError('address type of %r unrecognized' % (address,))


def _is_abstract(address):
    return isinstance(address, (str, bytes)) and address[:1] in ('\0', b'\0')


def _remove_file(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _unlink_at_exit(listener, path):
    """A Unix socket's file goes when its Listener is closed or collected, or at exit, as
    CPython removes it."""
    return util.Finalize(listener, _remove_file, args=(path,), exitpriority=0)


class Listener(object):
    """Accepts authenticated connections; see _default_address for the address it picks."""

    def __init__(self, address=None, family=None, backlog=1, authkey=None):
        _check_family(family)
        if address is None:
            address = _default_address(family)
        if authkey is not None and not isinstance(authkey, bytes):
            raise TypeError('authkey should be a byte string')
        self._sock = self._channels = None
        if bridge.channel_listener is not None:
            self._channels = bridge.channel_listener(address, backlog)
            self._address = bridge.channel_address(self._channels, address)
            self._unlink = None if isinstance(address, tuple) else _unlink_at_exit(self, address)
        else:
            self._listen_on_socket(address, family, backlog)
        self._authkey = authkey
        self._last_accepted = None

    def _listen_on_socket(self, address, family, backlog):
        import socket
        self._sock = socket.socket(family and getattr(socket, family) or _family_of(address), socket.SOCK_STREAM)
        if _family_of(address) == socket.AF_INET:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(address)
        self._sock.listen(backlog)
        if _family_of(address) == socket.AF_INET:
            self._address = self._sock.getsockname()
            self._unlink = None
        else:
            self._address = address         # (getsockname gives an abstract name as bytes)
            self._unlink = None if _is_abstract(address) else _unlink_at_exit(self, address)

    def accept(self):
        if self._channels is not None:
            channel, self._last_accepted = bridge.channel_accept(self._channels)
            c = SocketConnection(None, channel)
        elif self._sock is not None:
            s, self._last_accepted = self._sock.accept()
            c = SocketConnection(s)
        else:
            raise OSError('listener is closed')
        if self._authkey is not None:
            deliver_challenge(c, self._authkey)
            answer_challenge(c, self._authkey)
        return c

    def close(self):
        listening = self._channels if self._channels is not None else self._sock
        if listening is not None:
            listening.close()
            self._sock = self._channels = None
            if self._unlink is not None:
                self._unlink()

    address = property(lambda self: self._address)
    last_accepted = property(lambda self: self._last_accepted)

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()


def Client(address, family=None, authkey=None):
    """Connects to a Listener (CPython's or mp4j's) and authenticates both ways."""
    _check_family(family)
    if bridge.channel_client is not None:
        c = SocketConnection(None, bridge.channel_client(address))
    else:
        import socket
        s = socket.socket(family and getattr(socket, family) or _family_of(address), socket.SOCK_STREAM)
        s.connect(address)
        c = SocketConnection(s)
    if authkey is not None:
        answer_challenge(c, authkey)
        deliver_challenge(c, authkey)
    return c


def _hmac(authkey, message, digest_name):
    # Imported here, not at the top: GraalPy needs 0.2-0.45 s to load hashlib's Java digests,
    # and only a manager or a Listener/Client connection authenticates.
    import hashlib
    import hmac
    return hmac.new(bytes(authkey), message, getattr(hashlib, digest_name)).digest()


def _same_digest(a, b):
    """Compares in constant time (Jython's hmac has no compare_digest)."""
    if len(a) != len(b):
        return False
    diff = 0
    for x, y in zip(bytearray(a), bytearray(b)):
        diff |= x ^ y
    return diff == 0


def _split_digest(message):
    """(digest name, payload); '' for the legacy HMAC-MD5 form without a prefix."""
    if len(message) in _LEGACY_LENGTHS:
        return '', message
    if message.startswith(b'{'):
        end = message.find(b'}', 1, 12)
        if end > 0:
            name = message[1:end].decode('ascii')
            if name in _DIGESTS:
                return name, message[end + 1:]
    raise AuthenticationError('unsupported message length, missing digest prefix, or unsupported digest')


def deliver_challenge(connection, authkey, digest_name='sha256'):
    if not isinstance(authkey, bytes):
        raise ValueError('Authkey must be bytes, not %s' % type(authkey))
    message = b'{' + digest_name.encode('ascii') + b'}' + os.urandom(_MESSAGE_LENGTH)
    connection.send_bytes(_CHALLENGE + message)
    response = connection.recv_bytes(256)
    name, mac = _split_digest(response)
    expected = _hmac(authkey, message, name or 'md5')
    if not _same_digest(expected, mac):
        connection.send_bytes(_FAILURE)
        raise AuthenticationError('digest received was wrong')
    connection.send_bytes(_WELCOME)


def answer_challenge(connection, authkey):
    if not isinstance(authkey, bytes):
        raise ValueError('Authkey must be bytes, not %s' % type(authkey))
    message = connection.recv_bytes(256)
    if not message.startswith(_CHALLENGE):
        raise AuthenticationError('Protocol error, expected challenge')
    message = message[len(_CHALLENGE):]
    if len(message) < 20:
        raise AuthenticationError('challenge too short')
    name = _split_digest(message)[0]
    if name:
        connection.send_bytes(b'{' + name.encode('ascii') + b'}' + _hmac(authkey, message, name))
    else:
        connection.send_bytes(_hmac(authkey, message, 'md5'))      # a CPython <= 3.11 peer
    if connection.recv_bytes(256) != _WELCOME:
        raise AuthenticationError('digest sent was rejected')
