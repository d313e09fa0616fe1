"""What an mp4j JVM runs: the root script as __main__, or a child process's job.

The Java engines call the functions here and nothing else, so both engines run a
script and a child the same way.
"""
import sys

try:
    import _mp4j_graalpy        # before anything imports threading
except ImportError:             # Jython (see _engine_bridge)
    pass
else:
    _mp4j_graalpy.give_thread_an_excepthook()

import numbers
import os
import types

try:
    import builtins
except ImportError:                 # Python 2
    import __builtin__ as builtins

MODULES_EVERY_PROCESS_NEEDS = (
    'pickle', 'ast', 'threading', 'itertools', 'time', 'random', 'json', 'socket',
    'multiprocessing', 'multiprocessing.process', 'multiprocessing.context',
    'multiprocessing.spawn', 'multiprocessing.popen_fork', 'multiprocessing.popen_spawn',
    'multiprocessing.popen_forkserver', 'multiprocessing.reduction', 'multiprocessing.util')


_raw_streams = {}
_unbuffered = [False]


class _Py2BufferedWriter(object):
    """Python 2: a file object that collects writes and passes them on in one piece per flush
    (at a newline when line-buffered, else when 8 KiB are collected)."""
    softspace = 0

    def __init__(self, raw, line_buffering):
        self._raw = raw
        self._parts = []
        self._size = 0
        self.line_buffering = line_buffering

    def write(self, text):
        self._parts.append(text)
        self._size += len(text)
        if self._size >= 8192 or (self.line_buffering and '\n' in text):
            self.flush()

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if self._parts:
            data = ''.join(self._parts)
            self._parts = []
            self._size = 0
            self._raw.write(data)
        self._raw.flush()

    def __getattr__(self, name):
        return getattr(self._raw, name)


def configure_std_streams(unbuffered):
    """CPython's buffering for stdout and stderr: stdout line-buffered on a terminal and
    block-buffered otherwise, stderr line-buffered; unbuffered (-u, PYTHONUNBUFFERED): each
    write goes out at once. Both engines embedded write every piece of a print() straight to
    the file descriptor, so lines of processes printing at once would interleave."""
    _unbuffered[0] = bool(unbuffered)
    for name in ('stdout', 'stderr'):
        current = getattr(sys, name)
        try:
            current.flush()
        except Exception:
            pass
        raw = _raw_streams.setdefault(name, current)
        if sys.version_info[0] < 3:
            if unbuffered:
                replacement = raw
            else:
                replacement = _Py2BufferedWriter(raw, name == 'stderr' or raw.isatty())
        else:
            import io
            binary = getattr(raw, 'buffer', None)
            if binary is None:
                continue
            tty = binary.isatty()
            if not unbuffered and not isinstance(binary, io.BufferedWriter):
                binary = io.BufferedWriter(binary)
            replacement = io.TextIOWrapper(binary, encoding=raw.encoding, errors=raw.errors,
                                           line_buffering=not unbuffered and (name == 'stderr' or tty),
                                           write_through=bool(unbuffered))
        setattr(sys, name, replacement)
        setattr(sys, '__%s__' % name, replacement)


def std_streams_unbuffered():
    return _unbuffered[0]


def prepare_for_job():
    """Only what a job cannot start without: a child whose job is already waiting (a spawn
    start, or a start the warm pool could not serve) imports what the job needs as it runs."""
    configure_std_streams(bool(os.environ.get('PYTHONUNBUFFERED')))


def warm_up():
    """Imports what every process needs and rehearses a start, so that a job starts at once.
    A JVM can be taken while it warms up (a pool refill still booting, a JVM renewing its
    interpreter after a forkserver job): then it stops at the next step, and its job imports
    what it still needs."""
    prepare_for_job()
    runtime = _engine_bridge().installed_runtime()      # None in the build's AOT training run
    for name in MODULES_EVERY_PROCESS_NEEDS:
        if _job_came(runtime):
            return
        __import__(name)
    if _job_came(runtime):
        return
    import ast
    ast.parse('import os\ndef f(x):\n    return x\nif __name__ == "__main__":\n    f(1)\n')
    if _job_came(runtime):
        return
    from multiprocessing import spawn
    spawn.rehearse()


def _job_came(runtime):
    return runtime is not None and runtime.jobWaiting()


def _engine_bridge():
    try:
        import _mp4j_graalpy as engine_bridge
    except ImportError:
        import _mp4j_jython as engine_bridge
    return engine_bridge


# Rounds of work_out(): 100 cost a pool refill 0.5-0.7 s of CPU on its main thread (its boot:
# 4-5 s) and bought as much in Pool.map as 400 did; the first rounds cost the most.
WORKOUT_ROUNDS = 100


def work_out(rounds=WORKOUT_ROUNDS):
    """A pool refill's exercise before it says ready: the IPC paths a job most often runs.

    A child's first ~1000 transfers ran at a third of the later rate while the JVM compiled
    the interpreter's code for them (100 KB queue items: 130-300 MB/s, then 700-1300), so a
    refill runs them here, at background priority. Once somebody needs the child (a job came,
    or its parent raised its priority) it stops before the next exercise. The objects made here
    are closed and their names removed by the Java side (Mp4jRuntime.endScratch); the
    finalizers they registered run now, while their objects are still open.
    """
    from multiprocessing import Queue, Pipe, Lock, Event, bridge, util
    before = set(util._finalizer_registry)
    small = (1, 'two', 3.0, None, [4], {'five': b'6'})
    large = b'x' * 100000
    q = Queue()
    a, b = Pipe()
    lock = Lock()
    event = Event()
    sockets = []
    proxies = []        # manager_items': what managers.rehearsal_proxies made

    def queue_items():
        q.put(7)
        q.get()
        q.put(small)
        q.get()

    def queue_large():
        q.put(large)
        q.get()

    def pipe_items():
        a.send(small)
        b.recv()
        b.send_bytes(large)
        a.recv_bytes()

    def locks():
        lock.acquire()
        lock.release()
        with lock:
            pass
        event.set()
        event.wait(0)
        event.clear()

    def socket_items():
        if not sockets:
            import socket
            from multiprocessing.connection import SocketConnection
            sockets.extend(SocketConnection(s) for s in socket.socketpair())
        sockets[0].send(small)
        sockets[1].recv()
        sockets[1].send(7)
        sockets[0].recv()

    def manager_items():
        if not proxies:
            from multiprocessing import managers
            proxies.append(managers.rehearsal_proxies())
        if proxies[0] is not None:
            shared_dict, shared_queue = proxies[0][:2]
            shared_dict[7] = 7
            shared_dict[7]
            shared_dict['small'] = small
            shared_dict['small']
            shared_queue.put(7)
            shared_queue.get()
            shared_queue.put(small)
            shared_queue.get()

    exercises = [queue_items, queue_large, pipe_items, locks]
    if bridge.UNIX_SOCKETS:
        exercises.extend([socket_items, manager_items])
    wanted = bridge.runtime().workoutWanted     # false once somebody needs this child
    if wanted():
        from multiprocessing import spawn
        script = os.environ.get('MP4J_MAIN_SCRIPT')
        spawn.preparse_main_script(script and os.path.abspath(script))
    try:
        for i in range(rounds):
            for exercise in exercises:
                if not wanted():
                    return
                exercise()
    finally:
        for conn in sockets + [a, b]:
            conn.close()
        if proxies and proxies[0] is not None:
            proxies[0][2]()
        for key in [k for k in list(util._finalizer_registry) if k not in before]:
            finalizer = util._finalizer_registry.get(key)
            if finalizer is not None:
                finalizer()


def exit_status(exc):
    """The process exit status for a SystemExit; a non-integer code is printed, as CPython does."""
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, numbers.Integral):
        return int(code) & 0xff
    sys.stderr.write(str(code) + '\n')
    return 1


def print_exception_from(tb_skip):
    """Prints the current exception as CPython does, leaving out `tb_skip` frames of ours
    (None: every frame, as for a syntax error of the script itself)."""
    import traceback
    etype, value, tb = sys.exc_info()
    if tb_skip is None:
        tb = None
    for _ in range(tb_skip or 0):
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
    traceback.print_exception(etype, value, tb)


def run_main(argv, unbuffered=False):
    """Runs argv[0] as __main__ and returns the exit status."""
    configure_std_streams(unbuffered)
    argv = [str(a) for a in argv]
    path = argv[0]
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    if sys.version_info[0] >= 3:
        path = os.path.abspath(path)    # __file__ and tracebacks, as CPython 3.9+ has them
    module = types.ModuleType('__main__')
    module.__file__ = path
    module.__builtins__ = builtins
    sys.modules['__main__'] = module
    install_keyboard_interrupt()
    code = None
    try:
        with open(path, 'rb') as f:
            source = f.read()
        code = compile(source, path, 'exec')
        exec(code, module.__dict__)
        status = 0
    except SystemExit as e:
        status = exit_status(e)
    except KeyboardInterrupt:
        print_exception_from(1)
        status = DIED_BY_SIGINT
    except BaseException:
        # The script's own syntax error: CPython prints no traceback, only where it is.
        syntax = code is None and isinstance(sys.exc_info()[1], SyntaxError)
        print_exception_from(None if syntax else 1)
        status = 1
    status = run_exit_functions(status)
    flush_std_streams()
    return status


# run_main's status for a script ended by an uncaught KeyboardInterrupt: the launcher then ends
# the process by SIGINT, as CPython does (a shell sees 130, a Python parent -2).
DIED_BY_SIGINT = -2


def install_keyboard_interrupt():
    """Ctrl-C as CPython's start-up sets it: SIGINT raises KeyboardInterrupt in the main thread,
    unless this process started with SIGINT ignored (nohup, `cmd &` in a shell script): then it
    stays ignored. On Jython, which runs a Python signal handler in a thread of its own where a
    KeyboardInterrupt reaches nobody, SIGINT gets the kernel's default: the process ends at once
    (the JVM's handler ran its shutdown in a thread that raced the script's own end, which
    could then exit with 0)."""
    engine_bridge = _engine_bridge()
    runtime = engine_bridge.installed_runtime()
    if runtime is None:
        return                                          # the build's AOT training run
    import signal
    ignored = runtime.signalIgnored(signal.SIGINT)
    if engine_bridge.__name__ == '_mp4j_jython':
        if not ignored:
            runtime.restoreSignalDefault(signal.SIGINT)
        return
    engine_bridge.let_handlers_replace_ignore(signal)
    if ignored:
        signal.signal(signal.SIGINT, signal.SIG_IGN)     # what getsignal() then says
    else:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def run_exit_functions(status):
    """atexit handlers (multiprocessing's joins its children there), as at interpreter exit."""
    import atexit
    run = getattr(atexit, '_run_exitfuncs', None)
    try:
        if run is not None:
            run()
        elif hasattr(sys, 'exitfunc'):
            sys.exitfunc()
    except SystemExit as e:
        return exit_status(e)
    except BaseException:
        print_exception_from(0)
    return status


def run_child(payload, may_serve_again=False):
    """Runs a child process's job (built by the parent's Popen) and returns its exit code.
    may_serve_again: this JVM may serve another job after it, if this one leaves the process
    as it found it (job_left_process_clean)."""
    if not isinstance(payload, bytes):
        payload = payload.encode('latin-1')
    from multiprocessing import spawn
    del _state_before_job[:]
    if may_serve_again:
        _state_before_job.append(_process_state())
    return int(spawn.run_job(payload))     # sys.exit(True) leaves the bool True, which is 1


_state_before_job = []


def _process_state():
    """What of this process outlives an interpreter (GraalPy only: Jython never renews): its
    threads, then its signal handlers (but SIGINT, which every job sets, and which the JVM takes
    back after it), working directory, session and process group."""
    import signal
    import threading
    handlers = [(int(sig), signal.getsignal(sig)) for sig in sorted(signal.valid_signals())
                if sig != signal.SIGINT]
    return (frozenset(t.ident for t in threading.enumerate()), handlers, os.getcwd(),
            os.getsid(0), os.getpgrp())


def job_left_process_clean():
    """Whether the job that just ran left the process as it found it: no thread of its own
    still running, no signal handler, working directory, session or group changed. Only then
    may a fresh interpreter in this JVM serve another job (GraalPy's renew)."""
    if not _state_before_job:
        return False
    before, now = _state_before_job[0], _process_state()
    clean = now[0] <= before[0] and now[1:] == before[1:]
    if clean:
        # the devnull stdin a child's _bootstrap opened: the job's own, gone with its process
        try:
            if sys.stdin is not None and sys.stdin.fileno() != 0:
                sys.stdin.close()
        except (ValueError, OSError, AttributeError):
            pass
    return clean


def flush_std_streams():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError, IOError):
            pass
