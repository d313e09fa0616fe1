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
