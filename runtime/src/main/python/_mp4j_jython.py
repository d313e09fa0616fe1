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
