"""Process objects: the API of CPython's multiprocessing.process, each process a child JVM.

The parent keeps a Popen (see popen_jvm) for every started child; the child receives the
pickled Process object and runs its _bootstrap().
"""
from __future__ import print_function

import itertools
import os
import signal
import sys

__all__ = ['BaseProcess', 'current_process', 'active_children', 'parent_process']

# The working directory at start-up (mp4j imports this module before the script runs): what a
# relative script path means after the script has changed directory.
try:
    ORIGINAL_DIR = os.path.abspath(os.getcwd())
except OSError:
    ORIGINAL_DIR = None

_current_process = None
_parent_process = None
_children = set()
_process_counter = itertools.count(1)


def current_process():
    """The Process object of the running process."""
    return _current_process


def parent_process():
    """The Process object of the parent, or None in the main process."""
    return _parent_process


def active_children():
    """The children of this process that are still running (joining the ones that ended)."""
    _cleanup()
    return list(_children)


def _cleanup():
    for p in list(_children):
        if p._popen is not None and p._popen.poll() is not None:
            _children.discard(p)


class AuthenticationString(bytes):
    def __reduce__(self):
        from .context import get_spawning_popen
        if get_spawning_popen() is None:
            raise TypeError('Pickling an AuthenticationString object is '
                            'disallowed for security reasons')
        return AuthenticationString, (bytes(self),)


class BaseProcess(object):
    """A process of its own: CPython's Process API, run in a separate JVM."""

    def _Popen(self, process_obj):
        raise NotImplementedError

    def __init__(self, group=None, target=None, name=None, args=(), kwargs={}, daemon=None):
        assert group is None, 'group argument must be None for now'
        count = next(_process_counter)
        self._identity = _current_process._identity + (count,)
        self._config = _current_process._config.copy()
        self._parent_pid = os.getpid()
        self._parent_name = _current_process.name
        self._popen = None
        self._closed = False
        self._target = target
        self._args = tuple(args)
        self._kwargs = dict(kwargs)
        self._name = name or type(self).__name__ + '-' + ':'.join(str(i) for i in self._identity)
        if daemon is not None:
            self.daemon = daemon

    def _check_closed(self):
        if self._closed:
            raise ValueError('process object is closed')

    def run(self):
        """What the process does; calls the target unless a subclass overrides it."""
        if self._target:
            self._target(*self._args, **self._kwargs)

    def start(self):
        """Starts the process in a child JVM."""
        self._check_closed()
        assert self._popen is None, 'cannot start a process twice'
        assert self._parent_pid == os.getpid(), \
            'can only start a process object created by current process'
        assert not _current_process._config.get('daemon'), \
            'daemonic processes are not allowed to have children'
        _cleanup()
        self._popen = self._Popen(self)
        self._sentinel = self._popen.sentinel
        # What the child needs has been sent; do not keep the arguments alive here.
        del self._target, self._args, self._kwargs
        _children.add(self)

    def terminate(self):
        """Ends the process with SIGTERM."""
        self._check_closed()
        self._popen.terminate()

    def kill(self):
        """Ends the process with SIGKILL."""
        self._check_closed()
        self._popen.kill()

    def join(self, timeout=None):
        """Waits until the process ends, or `timeout` seconds pass."""
        self._check_closed()
        assert self._parent_pid == os.getpid(), 'can only join a child process'
        assert self._popen is not None, 'can only join a started process'
        res = self._popen.wait(timeout)
        if res is not None:
            _children.discard(self)

    def is_alive(self):
        self._check_closed()
        if self is _current_process:
            return True
        assert self._parent_pid == os.getpid(), 'can only test a child process'
        if self._popen is None:
            return False
        if self._popen.poll() is None:
            return True
        _children.discard(self)
        return False

    def close(self):
        """Releases the process object; it must not be running."""
        if self._popen is not None:
            if self._popen.poll() is None:
                raise ValueError("Cannot close a process while it is still running. "
                                 "You should first call join() or terminate().")
            self._popen.close()
            self._popen = None
            del self._sentinel
            _children.discard(self)
        self._closed = True

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, name):
        assert isinstance(name, str), 'name must be a string'
        self._name = name

    @property
    def daemon(self):
        return self._config.get('daemon', False)

    @daemon.setter
    def daemon(self, daemonic):
        assert self._popen is None, 'process has already started'
        self._config['daemon'] = daemonic

    @property
    def authkey(self):
        return self._config['authkey']

    @authkey.setter
    def authkey(self, authkey):
        self._config['authkey'] = AuthenticationString(authkey)

    @property
    def exitcode(self):
        self._check_closed()
        if self._popen is None:
            return None
        return self._popen.poll()

    @property
    def ident(self):
        self._check_closed()
        if self is _current_process:
            return os.getpid()
        return self._popen and self._popen.pid

    pid = ident

    @property
    def sentinel(self):
        """A number that stands for this process in connection.wait()."""
        self._check_closed()
        try:
            return self._sentinel
        except AttributeError:
            raise ValueError('process not started')

    def __getstate__(self):
        # A Process copied into a child (as an argument or a global) is not that child's to join.
        state = dict(self.__dict__)
        state['_popen'] = None
        state.pop('_sentinel', None)
        return state

    def __repr__(self):
        exitcode = None
        if self is _current_process:
            status = 'started'
        elif self._closed:
            status = 'closed'
        elif self._parent_pid != os.getpid():
            status = 'unknown'
        elif self._popen is None:
            status = 'initial'
        else:
            exitcode = self._popen.poll()
            status = 'started' if exitcode is None else 'stopped'
        if sys.version_info[0] == 2:
            if exitcode is not None:
                status = exitcode
                if status == 0:
                    status = 'stopped'
                elif isinstance(status, int):
                    status = 'stopped[%s]' % _exitcode_to_name.get(status, status)
            kind = type(self).__name__
            if type(self).__module__ == 'multiprocessing.context':
                kind = 'Process'        # ForkProcess and its kin: Python 2 has one class
            return '<%s(%s, %s%s)>' % (kind, self._name, status, self.daemon and ' daemon' or '')
        info = [type(self).__name__, 'name=%r' % self._name]
        if self._popen is not None:
            info.append('pid=%s' % self._popen.pid)
        info.append('parent=%s' % self._parent_pid)
        info.append(status)
        if exitcode is not None:
            info.append('exitcode=%s' % _exitcode_to_name.get(exitcode, exitcode))
        if self.daemon:
            info.append('daemon')
        return '<%s>' % ' '.join(info)

    def _bootstrap(self, parent_sentinel=None):
        """Runs in the child: makes this the current process, runs it, returns the exit code."""
        global _current_process, _parent_process, _process_counter, _children
        from . import util, context
        try:
            if self._start_method is not None:
                context._force_start_method(self._start_method)
            _process_counter = itertools.count(1)
            _children = set()
            util._close_stdin()
            _current_process = self
            _parent_process = _ParentProcess(self._parent_name, self._parent_pid, parent_sentinel)
            util.info('child process calling self.run()')
            try:
                self.run()
                exitcode = 0
            finally:
                util._exit_function()
        except SystemExit as e:
            if e.code is None:
                exitcode = 0
            elif isinstance(e.code, int):
                exitcode = e.code
            else:
                sys.stderr.write(str(e.code) + '\n')
                exitcode = 1
        except:
            exitcode = 1
            import traceback
            sys.stderr.write('Process %s:\n' % self.name)
            traceback.print_exc()
        finally:
            _join_non_daemon_threads()
            util.info('process exiting with exitcode %d' % exitcode)
            util._flush_std_streams()
        return exitcode


def _join_non_daemon_threads():
    """A Python 3 child waits for its non-daemon threads before it exits, as the interpreter
    does at its end (CPython 3's _bootstrap calls threading._shutdown); Python 2.7's child
    exits without waiting for them, and so does mp4j's on Jython."""
    if sys.version_info[0] < 3:
        return
    import threading
    shutdown = getattr(threading, '_shutdown', None)
    if shutdown is not None:
        try:
            shutdown()
        except Exception:
            # the interpreter's own end would meet the same; the process ends all the same
            import traceback
            traceback.print_exc()


class _ParentProcess(BaseProcess):
    """The parent as seen from a child: name and pid, nothing to start or join."""

    def __init__(self, name, pid, sentinel):
        self._identity = ()
        self._name = name
        self._pid = pid
        self._parent_pid = None
        self._popen = None
        self._closed = False
        self._sentinel = sentinel
        self._config = {}

    def is_alive(self):
        try:
            os.kill(self._pid, 0)
        except OSError:
            return False
        return True

    @property
    def ident(self):
        return self._pid

    pid = ident

    def join(self, timeout=None):
        import time
        deadline = None if timeout is None else time.time() + timeout
        while self.is_alive() and (deadline is None or time.time() < deadline):
            time.sleep(0.05)


class _MainProcess(BaseProcess):
    def __init__(self):
        self._identity = ()
        self._name = 'MainProcess'
        self._parent_pid = None
        self._popen = None
        self._closed = False
        self._config = {'authkey': AuthenticationString(os.urandom(32)),
                        'semprefix': '/mp'}

    def close(self):
        pass


_parent_process = None
_current_process = _MainProcess()
del _MainProcess

_exitcode_to_name = {}
for _name, _signum in list(signal.__dict__.items()):
    if _name[:3] == 'SIG' and '_' not in _name and isinstance(_signum, int):
        _exitcode_to_name[-_signum] = '-' + _name
del _name, _signum
