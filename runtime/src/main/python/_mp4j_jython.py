"""Bridge to the mp4j Java runtime on Jython: a plain Java static call."""
from org.mp4j import Mp4jRuntime
from org.mp4j.engine import JythonItemReader
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


def socket_frames(sock):
    """None: Jython's sockets are Java channels without a file descriptor to frame on."""
    return None


# Jython's socket module has no AF_UNIX sockets.
UNIX_SOCKETS = False
