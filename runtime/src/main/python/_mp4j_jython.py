"""Bridge to the mp4j Java runtime on Jython: a plain Java static call."""
from org.mp4j import Mp4jRuntime
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
    """The Java method that takes the next item of a SharedQueue (a function of a timeout):
    None if none came, else the item as a Latin-1 string (TEXT). Jython's strings are Java
    strings, so this costs no copy beyond the Java one."""
    return shared.getLatin1


def value_getter(shared):
    """item_getter for readers that unpickle: the same text here (SharedQueue.getValue hands a
    large item over as a byte[], GraalPy's form)."""
    return shared.getLatin1


TEXT = unicode  # noqa: F821 (Python 2)


def large_item_bytes(shared, item):
    raise TypeError('item_getter returns text on Jython, not %r' % type(item))


def socket_frames(sock):
    """None: Jython's sockets are Java channels without a file descriptor to frame on."""
    return None


# Jython's socket module has no AF_UNIX sockets.
UNIX_SOCKETS = False
