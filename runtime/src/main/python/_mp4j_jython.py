"""Bridge to the mp4j Java runtime on Jython: a plain Java static call."""
import errno
import sys

from java.io import IOException
from java.lang import Throwable
from java.net import BindException, ConnectException
from org.mp4j import Mp4jRuntime
from org.mp4j.connection import ChannelListener, FramedChannel
from org.mp4j.engine import JythonFrameReader, JythonItemReader
from org.python.core import Py
from org.python.core.util import StringUtil


def runtime():
    return Mp4jRuntime.current()


def installed_runtime():
    """The runtime, or None where the JVM has none (the build's AOT training run)."""
    return Mp4jRuntime.currentOrNull()


def java_bytes(data):
    # A Python 2 str holds one byte per character; StringUtil makes the byte[] of it.
    return StringUtil.toBytes(data)


def item_getter(shared):
    """The function that takes the next item of a SharedQueue (a function of a timeout): None
    if none came, else the item as the str that unpickles, made in Java (JythonItemReader:
    a Java String would reach Python as a unicode, to be encoded again at ~9 ns a byte)."""
    return JythonItemReader(shared).get


# For readers that unpickle what they take: the same here (GraalPy's unpickles scalars in Java,
# SharedQueue.getValue).
value_getter = item_getter


TEXT = unicode  # noqa: F821 (Python 2): no getter here returns one


def large_item_bytes(shared, item):
    """What the getters return that is not TEXT: already the str to unpickle."""
    return item


# Python 2's bytes is str, whose pickle is not Python 3's: the pickler writes every one.
BYTES_IN_JAVA = None
LARGE_BYTES = 2048


def large_item_value(shared, item, loads):
    """The object a large item from value_getter is the pickle of."""
    return loads(item)


def socket_frames(sock):
    """None: Jython's sockets are Java channels without a file descriptor to frame on."""
    return None


# Jython's socket module has no AF_UNIX sockets.
UNIX_SOCKETS = False

def request_server(objects, channel):
    """A manager server connection's reader of requests (JythonFrameReader.serveRequests on its
    channel): Java answers what it serves, the rest comes as frame_reader gives it."""
    serve = JythonFrameReader(channel).serveRequests
    return lambda: serve(objects)


def java_item_bytes(holder, item):
    """A Java byte[] that a manager's ServedQueue or ServedDict returned (an array here), as a str."""
    return item.tostring()


def answer_reader():
    """None: Jython's connections are channels, read by frame_reader (see the GraalPy bridge)."""
    return None


def manager_caller():
    """None, as answer_reader."""
    return None


JAVA_NULL = type(None)      # Jython hands a Java null over as None


def adopt_interpreter_state():
    """Makes the calling thread see this interpreter's sys (its sys.modules): Jython runs weakref
    callbacks in its own 'weakref reaper' thread on a sys of its own, where an import (a proxy's
    decref authenticates, and imports hmac) warned "Parent module 'multiprocessing' not found"
    and loaded a second copy of the module."""
    if Py.getSystemState() is not sys:
        Py.setSystemState(sys)


# What a Python `except Exception` lets through here: an exception of Java code Jython calls.
JAVA_ERRORS = Throwable


# Listener and Client on Jython: Java channels framed in Java (connection.FramedChannel), not
# Jython's socket module, whose loopback round trip took 520-700 us (CPython 2.7: 56-71 us).

def _socket_error(e):
    """A Java IOException as the socket.error CPython 2.7 raises in its place."""
    import socket
    if isinstance(e, ConnectException):
        return socket.error(errno.ECONNREFUSED, 'Connection refused')
    if isinstance(e, BindException):
        return socket.error(errno.EADDRINUSE, 'Address already in use')
    return socket.error(errno.EIO, e.getMessage() or e.getClass().getSimpleName())


def _check_path(address):
    if address[:1] == '\0':
        raise OSError(errno.EAFNOSUPPORT, 'abstract Unix socket names are not supported on Jython '
                      '(Java binds Unix sockets at paths only): %r' % (address,))


def channel_listener(address, backlog):
    """A Java listener (ChannelListener) at address: (host, port) for TCP, a path for a Unix socket."""
    try:
        if isinstance(address, tuple):
            return ChannelListener.tcp(address[0], address[1], backlog)
        _check_path(address)
        return ChannelListener.unix(address, backlog)
    except IOException as e:
        raise _socket_error(e)


def channel_address(listener, address):
    """The address a channel_listener listens on, as CPython's Listener.address gives it."""
    if isinstance(address, tuple):
        return (str(listener.host()), int(listener.port()))
    return address


def channel_accept(listener):
    """The next connection: (its FramedChannel, the peer's address as CPython's accept gives it)."""
    try:
        channel = listener.accept()
        if channel.peerHost() is None:
            return channel, None
        return channel, (str(channel.peerHost()), int(channel.peerPort()))
    except IOException as e:
        raise _socket_error(e)


def channel_client(address):
    """A FramedChannel connected to address."""
    try:
        if isinstance(address, tuple):
            return FramedChannel.connect(address[0], address[1])
        _check_path(address)
        return FramedChannel.connectUnix(address)
    except IOException as e:
        raise _socket_error(e)


def frame_reader(channel):
    """The receive function of a FramedChannel, a message as the str that unpickles."""
    return JythonFrameReader(channel).recv
