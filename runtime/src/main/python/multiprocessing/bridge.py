"""The one place that knows which engine runs: it picks that engine's bridge module."""
try:
    import polyglot                     # noqa: F401 (GraalPy only)
    from _mp4j_graalpy import runtime, installed_runtime, java_bytes
    from _mp4j_graalpy import item_getter, value_getter, TEXT, large_item_bytes, socket_frames, UNIX_SOCKETS
    from _mp4j_graalpy import BYTES_IN_JAVA, LARGE_BYTES, large_item_value, JAVA_ERRORS
    from _mp4j_graalpy import adopt_interpreter_state, answer_reader, manager_caller, JAVA_NULL, request_server, java_item_bytes
    from _mp4j_graalpy import channel_listener, channel_address, channel_accept, channel_client, frame_reader
    ENGINE = 'graalpy'
except ImportError:
    from _mp4j_jython import runtime, installed_runtime, java_bytes
    from _mp4j_jython import item_getter, value_getter, TEXT, large_item_bytes, socket_frames, UNIX_SOCKETS
    from _mp4j_jython import BYTES_IN_JAVA, LARGE_BYTES, large_item_value, JAVA_ERRORS
    from _mp4j_jython import adopt_interpreter_state, answer_reader, manager_caller, JAVA_NULL, request_server, java_item_bytes
    from _mp4j_jython import channel_listener, channel_address, channel_accept, channel_client, frame_reader
    ENGINE = 'jython'

__all__ = ['runtime', 'installed_runtime', 'java_bytes', 'item_getter', 'value_getter', 'TEXT', 'large_item_bytes',
           'socket_frames', 'UNIX_SOCKETS', 'JAVA_ERRORS', 'channel_listener', 'channel_address', 'channel_accept',
           'channel_client', 'frame_reader', 'ENGINE', 'BYTES_IN_JAVA', 'LARGE_BYTES', 'large_item_value',
           'adopt_interpreter_state', 'answer_reader', 'manager_caller', 'JAVA_NULL', 'request_server', 'java_item_bytes']


def python_bytes(text):
    """Bytes that Java handed over as a Latin-1 string (one char per byte), as Python bytes."""
    return text.encode('latin-1')


__all__.append('python_bytes')


def item_bytes(shared, item):
    """An item that item_getter(shared) returned, as the bytes of its pickle. Hot paths inline
    the test for TEXT, which saves a call per item."""
    if type(item) is TEXT:
        return item.encode('latin-1')
    return large_item_bytes(shared, item)


__all__.append('item_bytes')

# What value_getter may return already unpickled (read in Java: SharedQueue.getValue).
SCALARS = (int, float, bool)
# Ints in this range, and floats, are pickled in Java (SharedQueue.putLong, putDouble): a put of
# a small int took 13.5-15.4 us with GraalPy's pickler, 10.1-13.9 us so (one process).
LONG_MIN = -0x8000000000000000
LONG_MAX = 0x7fffffffffffffff
__all__.extend(['SCALARS', 'LONG_MIN', 'LONG_MAX'])
