"""mp4j's multiprocessing: CPython's API, each Process a child JVM.

This package takes the place of the engine's own multiprocessing (GraalPy's runs processes
as threads of one JVM; Jython has none). `multiprocessing.__mp4j__` is True to tell them apart.
"""
import sys

from . import context

__mp4j__ = True

__all__ = [x for x in dir(context._default_context) if not x.startswith('_')]
globals().update((name, getattr(context._default_context, name)) for name in __all__)

SUBDEBUG = 5
SUBWARNING = 25

from . import bridge as _bridge

_runtime = _bridge.installed_runtime()
if _runtime is not None and not _runtime.isChild():
    # Warm children start booting now (if the launcher has not begun already): a script may
    # reach multiprocessing in a way the launcher's reading of it did not see. (No runtime:
    # the build's AOT training run, which starts no child.)
    _runtime.prewarm()
del _runtime

if '__main__' in sys.modules:
    sys.modules['__mp_main__'] = sys.modules['__main__']
