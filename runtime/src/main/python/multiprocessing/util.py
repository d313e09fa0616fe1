"""Helpers every part uses: exit handling, finalizers, std streams, logging."""
import atexit
import itertools
import os
import sys
import threading
import time
import weakref

from . import bridge
from . import process

# Log levels, as CPython names them here (logging's own are fixed: NOTSET 0, DEBUG 10, INFO 20)
NOTSET = 0
SUBDEBUG = 5
DEBUG = 10
INFO = 20
SUBWARNING = 25
LOGGER_NAME = 'multiprocessing'
DEFAULT_LOGGING_FORMAT = '[%(levelname)s/%(processName)s] %(message)s'

_logger = None
_log_to_stderr = False          # children repeat log_to_stderr() (spawn.get_preparation_data)


def get_logger():
    # logging is imported by the first call only: it costs GraalPy ~0.1 s, and few scripts log.
    import logging
    global _logger
    if _logger is None:
        _logger = logging.getLogger(LOGGER_NAME)
        _logger.propagate = 0
        # Registered again so that it runs before logging's own exit handler (atexit runs
        # the last registered first), and its messages are still written.
        if hasattr(atexit, 'unregister'):
            atexit.unregister(_exit_function)
            atexit.register(_exit_function)
    return _logger


def log_to_stderr(level=None):
    import logging
    global _log_to_stderr
    logger = get_logger()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(DEFAULT_LOGGING_FORMAT))
    logger.addHandler(handler)
    if level:
        logger.setLevel(level)
    _log_to_stderr = True
    return logger


def sub_debug(msg, *args):
    if _logger:
        _logger.log(SUBDEBUG, msg, *args)


def debug(msg, *args):
    if _logger:
        _logger.log(DEBUG, msg, *args)


def info(msg, *args):
    if _logger:
        _logger.log(INFO, msg, *args)


def sub_warning(msg, *args):
    if _logger:
        _logger.log(SUBWARNING, msg, *args)


_finalizer_registry = {}
_finalizer_counter = itertools.count()


class Finalize(object):
    """Calls `callback(*args, **kwargs)` once: when `obj` is collected, when called, or at exit
    (for an `exitpriority` that is not None, highest first)."""

    def __init__(self, obj, callback, args=(), kwargs=None, exitpriority=None):
        if obj is not None:
            self._weakref = weakref.ref(obj, self)
        elif exitpriority is None:
            raise ValueError('Without object, exitpriority cannot be None')
        else:
            self._weakref = None
        self._callback = callback
        self._args = args
        self._kwargs = kwargs or {}
        self._key = (exitpriority, next(_finalizer_counter))
        self._pid = os.getpid()
        _finalizer_registry[self._key] = self

    def __call__(self, wr=None):
        try:
            del _finalizer_registry[self._key]
        except KeyError:
            return None
        if self._pid != os.getpid():
            return None
        if wr is not None:                  # called as a weakref callback: see the bridge
            bridge.adopt_interpreter_state()
        sub_debug('finalizer calling %s with args %s and kwargs %s',
                  self._callback, self._args, self._kwargs)
        res = self._callback(*self._args, **self._kwargs)
        self._weakref = self._callback = self._args = self._kwargs = self._key = None
        return res

    def cancel(self):
        try:
            del _finalizer_registry[self._key]
        except KeyError:
            pass
        else:
            self._weakref = self._callback = self._args = self._kwargs = self._key = None

    def still_active(self):
        return self._key in _finalizer_registry


def _run_finalizers(minpriority=None):
    """Runs the registered finalizers with an exit priority of at least `minpriority`
    (all with any priority when None), highest priority first."""
    if minpriority is None:
        wanted = [k for k in _finalizer_registry if k[0] is not None]
    else:
        wanted = [k for k in _finalizer_registry if k[0] is not None and k[0] >= minpriority]
    wanted.sort(reverse=True)
    for key in wanted:
        finalizer = _finalizer_registry.get(key)
        if finalizer is not None:
            try:
                finalizer()
            except Exception:
                import traceback
                traceback.print_exc()
    if minpriority is None:
        _finalizer_registry.clear()


def get_temp_dir():
    """A directory for this process tree's temporary files (pymp-XXXX, as CPython names it),
    made on first use and removed with what is in it when the process that made it exits."""
    tempdir = process.current_process()._config.get('tempdir')
    if tempdir is None:
        import shutil
        import tempfile
        tempdir = tempfile.mkdtemp(prefix='pymp-')
        info('created temp directory %s', tempdir)
        Finalize(None, shutil.rmtree, args=(tempdir, True), exitpriority=-100)
        process.current_process()._config['tempdir'] = tempdir
    return tempdir


_afterfork_registry = weakref.WeakValueDictionary()
_afterfork_counter = itertools.count()


def register_after_fork(obj, func):
    _afterfork_registry[(next(_afterfork_counter), id(obj), func)] = obj


class ForkAwareThreadLock(object):
    """CPython's thread lock that a forked child gets anew. An mp4j child is a new interpreter,
    never a copy of its parent's, so this is a plain lock."""

    def __init__(self):
        self._lock = threading.Lock()
        self.acquire = self._lock.acquire
        self.release = self._lock.release

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *args):
        return self._lock.__exit__(*args)


class ForkAwareLocal(threading.local):
    """CPython's threading.local that a forked child gets empty (as every mp4j child does)."""

    def __reduce__(self):
        return type(self), ()


def wait_for(wait, predicate, timeout=None):
    """Condition.wait_for on any wait(timeout): the shared Condition and its manager proxy."""
    result = predicate()
    if result:
        return result
    endtime = None if timeout is None else time.time() + timeout
    waittime = timeout
    while not result:
        if endtime is not None:
            waittime = endtime - time.time()
            if waittime <= 0:
                break
        wait(waittime)
        result = predicate()
    return result


_exiting = False


def is_exiting():
    return _exiting


def _exit_function():
    """At the end of a process: terminate daemonic children, join the others."""
    global _exiting
    if _exiting:
        return
    _exiting = True
    info('process shutting down')
    debug('running all "atexit" finalizers with priority >= 0')
    _run_finalizers(0)
    if process.current_process() is not None:
        for p in process.active_children():
            if p.daemon:
                info('calling terminate() for daemon %s', p.name)
                p._popen.terminate()
        for p in process.active_children():
            info('calling join() for process %s', p.name)
            p.join()
    debug('running the remaining "atexit" finalizers')
    _run_finalizers()


atexit.register(_exit_function)


def _close_stdin():
    """A child's stdin is /dev/null, as in CPython."""
    if sys.stdin is None:
        return
    try:
        sys.stdin.close()
    except (OSError, ValueError):
        pass
    try:
        sys.stdin = open(os.devnull)
    except (OSError, ValueError):
        pass


def _flush_std_streams():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError, IOError):
            pass
