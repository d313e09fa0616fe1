"""What an mp4j JVM runs: the root script as __main__, or a child process's job.

The Java engines call the four functions here and nothing else, so both engines run a
script and a child the same way.
"""
import numbers
import os
import sys
import types

try:
    import builtins
except ImportError:                 # Python 2
    import __builtin__ as builtins

MODULES_EVERY_PROCESS_NEEDS = (
    'pickle', 'ast', 'traceback', 'threading', 'itertools', 'time', 'random', 'json', 'socket',
    'multiprocessing', 'multiprocessing.process', 'multiprocessing.context',
    'multiprocessing.spawn', 'multiprocessing.popen_fork', 'multiprocessing.popen_spawn',
    'multiprocessing.popen_forkserver', 'multiprocessing.reduction', 'multiprocessing.util')


def warm_up():
    """Imports what every process needs, so that a job starts at once."""
    for name in MODULES_EVERY_PROCESS_NEEDS:
        __import__(name)
    import ast
    ast.parse('import os\ndef f(x):\n    return x\nif __name__ == "__main__":\n    f(1)\n')


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
    """Prints the current exception as CPython does, leaving out `tb_skip` frames of ours."""
    import traceback
    etype, value, tb = sys.exc_info()
    for _ in range(tb_skip):
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
    traceback.print_exception(etype, value, tb)


def run_main(argv):
    """Runs argv[0] as __main__ and returns the exit status."""
    argv = [str(a) for a in argv]
    path = argv[0]
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    module = types.ModuleType('__main__')
    module.__file__ = path
    module.__builtins__ = builtins
    sys.modules['__main__'] = module
    try:
        with open(path, 'rb') as f:
            source = f.read()
        code = compile(source, path, 'exec')
        exec(code, module.__dict__)
        status = 0
    except SystemExit as e:
        status = exit_status(e)
    except BaseException:
        print_exception_from(1)
        status = 1
    status = run_exit_functions(status)
    flush_std_streams()
    return status


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


def run_child(payload):
    """Runs a child process's job (built by the parent's Popen) and returns its exit code."""
    if not isinstance(payload, bytes):
        payload = payload.encode('latin-1')
    from multiprocessing import spawn
    return spawn.run_job(payload)


def flush_std_streams():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError, IOError):
            pass
