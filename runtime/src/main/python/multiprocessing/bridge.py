"""The one place that knows which engine runs: it picks that engine's bridge module."""
try:
    import polyglot                     # noqa: F401 (GraalPy only)
    from _mp4j_graalpy import runtime, installed_runtime, java_bytes
    ENGINE = 'graalpy'
except ImportError:
    from _mp4j_jython import runtime, installed_runtime, java_bytes
    ENGINE = 'jython'

__all__ = ['runtime', 'installed_runtime', 'java_bytes', 'ENGINE']


def python_bytes(text):
    """Bytes that Java handed over as a Latin-1 string (one char per byte), as Python bytes."""
    return text.encode('latin-1')


__all__.append('python_bytes')
