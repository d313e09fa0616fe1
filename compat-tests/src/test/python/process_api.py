# -*- coding: latin-1 -*-
# Process API conformance, written once for Python 2.7 and 3: run on both engines by
# ProcessApiTest. Each check prints "ok NAME" or "FAIL NAME: why"; the first line lists them.
# Children report back through files, so these checks need nothing but Process.
from __future__ import print_function

import collections
import os
import shutil
import signal
import sys
import tempfile
import time
import multiprocessing
from checks import PATIENCE, check, ctrl_c_check, run
from multiprocessing import Process, current_process, parent_process, active_children

print('top-level statement ran in', __name__)   # must print once under fork, again under spawn
# The environment reaches children, so a spawn child (which runs this again) finds the same folder.
OUT = os.environ.get('MP4J_API_OUT') or tempfile.mkdtemp(prefix='mp4j-api-')
os.environ['MP4J_API_OUT'] = OUT
counter = [0]
COUNTER_AT_IMPORT = 41


def report(name, value):
    with open(os.path.join(OUT, name), 'w') as f:
        f.write(repr(value))


def read(name, timeout=PATIENCE):
    path = os.path.join(OUT, name)
    deadline = time.time() + timeout
    while not os.path.exists(path) and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(0.05)
    with open(path) as f:
        value = eval(f.read())
    os.remove(path)
    return value


def identity_child():
    me = current_process()
    report('identity', (os.getpid(), os.getppid(), me.name, me.pid, parent_process().name,
                        parent_process().pid, bytes(me.authkey) == bytes(AUTHKEY_SEEN_BY_CHILD)
                        if 'AUTHKEY_SEEN_BY_CHILD' in globals() else None, __name__))


def sleeper(seconds):
    time.sleep(seconds)


def exit_with(code):
    sys.exit(code)


def globals_child():
    report('globals', (COUNTER_AT_IMPORT, counter[0], CHANGED_AFTER_IMPORT))


def non_ascii_child():
    # The literal's last letter is one byte, 0xE9, as this file is Latin-1 (line 1).
    report('non_ascii', u'café' == u'caf\xe9')


TopLevelPair = collections.namedtuple('TopLevelPair', 'a b')


def report_pairs(top, guarded):
    report('pairs', (type(top).__name__, top.b, type(guarded).__name__, guarded.x))


def nested_parent():
    p = Process(target=nested_child)
    p.start()
    p.join()
    report('nested_parent', (current_process().name, p.name, p.exitcode))


def nested_child():
    report('nested_child', (current_process().name, os.getppid()))


class Worker(Process):
    def __init__(self, tag):
        Process.__init__(self)
        self.tag = tag

    def run(self):
        report('subclass', (self.tag, self.name))


def kwargs_child(a, b=None, c=None):
    report('kwargs', (a, b, c))


@check
def child_is_a_separate_process_with_its_own_pid():
    p = Process(target=identity_child)
    p.start()
    p.join()
    pid, ppid, name, cur_pid, parent_name, parent_pid, _, _ = read('identity')
    assert pid == p.pid, (pid, p.pid)
    assert pid != os.getpid()
    assert ppid == os.getpid(), (ppid, os.getpid())
    assert name == p.name and cur_pid == pid
    assert parent_name == 'MainProcess' and parent_pid == os.getpid()
    assert p.exitcode == 0


def thread_nice_values(pid, tids=None):
    """The nice value of each thread of a process (field 19 of /proc/<pid>/task/<tid>/stat)."""
    folder = '/proc/%d/task' % pid
    values = []
    for tid in tids or os.listdir(folder):
        with open('%s/%s/stat' % (folder, tid)) as f:
            values.append(int(f.read().rsplit(')', 1)[1].split()[16]))
    return values


def priority_child():
    report('priority', sorted(set(thread_nice_values(os.getpid()))))


@check
def children_run_at_the_parents_priority():
    # Pooled JVMs boot in the background (nice 10); one that becomes a process runs as its
    # parent does, every thread of it. Several starts, so replacements are taken too.
    parent_nice = thread_nice_values(os.getpid(), [str(os.getpid())])[0]
    for _ in range(3):
        p = Process(target=priority_child)
        p.start()
        p.join()
        assert read('priority') == [parent_nice], parent_nice
        time.sleep(0.5)


def report_temp_dir():
    from multiprocessing import util
    report('temp_dir', util.get_temp_dir())


@check
def a_temp_dir_serves_the_tree_and_goes_with_its_maker():
    # multiprocessing.util.get_temp_dir, as CPython's: made once, shared with children, removed
    # by the process that made it when it exits
    from multiprocessing import util
    p = Process(target=report_temp_dir)
    p.start()
    p.join(PATIENCE)
    made = read('temp_dir')
    assert os.path.basename(made).startswith('pymp-') and not os.path.exists(made), made
    mine = util.get_temp_dir()
    assert os.path.isdir(mine) and util.get_temp_dir() == mine and mine != made
    p = Process(target=report_temp_dir)
    p.start()
    p.join(PATIENCE)
    assert read('temp_dir') == mine and os.path.isdir(mine)


@check
def names_and_identity_follow_cpython():
    p = Process(target=sleeper, args=(0,))
    assert p.name.startswith('Process-'), p.name
    assert int(p.name.split('-')[1]) >= 1
    assert current_process().name == 'MainProcess'
    assert parent_process() is None
    q = Process(target=sleeper, args=(0,), name='custom')
    assert q.name == 'custom'
    q.name = 'renamed'
    assert q.name == 'renamed'
    made_by_a_context = multiprocessing.get_context('fork').Process(name='w')
    if sys.version_info[0] < 3:         # CPython 2.7 has one Process class (Pool and Manager)
        assert repr(made_by_a_context) == '<Process(w, initial)>', repr(made_by_a_context)
    else:
        assert repr(made_by_a_context).startswith("<ForkProcess name='w'"), repr(made_by_a_context)


@check
def start_twice_raises_assertion_error():
    p = Process(target=sleeper, args=(0,))
    p.start()
    try:
        p.start()
    except AssertionError:
        pass
    else:
        raise Exception('second start() did not raise')
    p.join()


@check
def exitcode_is_none_while_running_and_set_by_sys_exit():
    p = Process(target=exit_with, args=(3,))
    assert p.exitcode is None
    p.start()
    p.join()
    assert p.exitcode == 3, p.exitcode
    # the codes as the OS ends the process with them: a bool is an int, others wrap at 256
    for code, exitcode in ((True, 1), (300, 44)):
        p = Process(target=exit_with, args=(code,))
        p.start()
        p.join(PATIENCE)
        assert p.exitcode == exitcode, (code, p.exitcode)
    # sys.exit itself as the target (on Jython a method of its sys object, which did not pickle)
    p = Process(target=sys.exit, args=(5,))
    p.start()
    p.join(PATIENCE)
    assert p.exitcode == 5, p.exitcode
    p = Process(target=sleeper, args=(5,))
    p.start()
    assert p.exitcode is None
    assert p.is_alive()
    p.terminate()
    p.join()


@check
def util_offers_the_helpers_of_cpythons():
    from multiprocessing import util
    lock = util.ForkAwareThreadLock()
    with lock:
        assert not lock.acquire(False)
    assert lock.acquire(False)
    lock.release()
    local = util.ForkAwareLocal()
    local.x = 1
    import pickle
    assert not hasattr(pickle.loads(pickle.dumps(local)), 'x')     # a child gets it empty
    assert (util.NOTSET, util.SUBDEBUG, util.DEBUG, util.INFO, util.SUBWARNING) == (0, 5, 10, 20, 25)
    util.sub_warning('nothing logs this: no logger yet')


def note_in(path, line):
    with open(path, 'a') as f:
        f.write(line + '\n')


def note_at_exit(path):
    import atexit
    atexit.register(note_in, path, 'atexit')
    note_in(path, 'target')


@check
def a_spawned_child_runs_its_atexit_handlers_and_a_forked_one_does_not():
    # CPython's spawned child ends by sys.exit, a forked one (fork, forkserver) by os._exit
    folder = tempfile.mkdtemp()
    try:
        for method, expected in (('spawn', 'target atexit'), ('fork', 'target'), ('forkserver', 'target')):
            path = os.path.join(folder, method)
            p = multiprocessing.get_context(method).Process(target=note_at_exit, args=(path,))
            p.start()
            p.join(PATIENCE)
            with open(path) as f:
                assert f.read().split() == expected.split() and p.exitcode == 0, (method, p.exitcode)
    finally:
        shutil.rmtree(folder)


@check
def terminate_gives_minus_sigterm_and_kill_minus_sigkill():
    p = Process(target=sleeper, args=(30,))
    p.start()
    p.terminate()
    p.join()
    assert p.exitcode == -15, p.exitcode
    assert not p.is_alive()
    p = Process(target=sleeper, args=(30,))
    p.start()
    p.kill()
    p.join()
    assert p.exitcode == -9, p.exitcode


def handler_then_default_child(ready):
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    ready.set()
    time.sleep(PATIENCE)


@ctrl_c_check
def a_child_that_sets_sig_dfl_again_dies_of_sigint():
    # SIG_DFL is the kernel's default, which ends the process (CPython: exit code -2). GraalPy
    # puts back the JVM handler it first replaced, which in a child is mp4j's own.
    ready = multiprocessing.Event()
    p = Process(target=handler_then_default_child, args=(ready,))
    p.start()
    assert ready.wait(PATIENCE)
    os.kill(p.pid, signal.SIGINT)
    p.join(PATIENCE)
    assert p.exitcode == -signal.SIGINT, p.exitcode


@check
def join_with_timeout_returns_while_child_runs():
    p = Process(target=sleeper, args=(30,))
    p.start()
    t0 = time.time()
    p.join(0.3)
    waited = time.time() - t0
    assert p.is_alive() and p.exitcode is None
    assert 0.25 <= waited < 5, waited
    p.kill()
    p.join()


@check
def daemon_is_settable_only_before_start():
    p = Process(target=sleeper, args=(0,), daemon=True)
    assert p.daemon
    p.daemon = False
    p.start()
    try:
        p.daemon = True
    except AssertionError:
        pass
    else:
        raise Exception('setting daemon after start() did not raise')
    p.join()


@check
def active_children_lists_running_children_only():
    p = Process(target=sleeper, args=(30,))
    p.start()
    assert p in active_children()
    p.terminate()
    p.join()
    assert p not in active_children()


@check
def close_refuses_a_running_process_and_then_releases_it():
    p = Process(target=sleeper, args=(30,))
    p.start()
    try:
        p.close()
    except ValueError:
        pass
    else:
        raise Exception('close() of a running process did not raise')
    p.kill()
    p.join()
    p.close()
    try:
        p.pid
    except ValueError:
        pass
    else:
        raise Exception('a closed process still answered pid')


@check
def subclass_with_run_and_init():
    w = Worker('tagged')
    w.start()
    w.join()
    assert read('subclass') == ('tagged', w.name), read('subclass')
    assert w.name.startswith('Worker-'), w.name


@check
def args_and_kwargs_reach_the_target():
    p = Process(target=kwargs_child, args=(1,), kwargs={'c': [3]})
    p.start()
    p.join()
    assert read('kwargs') == (1, None, [3]), read('kwargs')


@check
def fork_copies_globals_at_start_without_rerunning_the_script():
    global CHANGED_AFTER_IMPORT
    counter[0] = 7
    CHANGED_AFTER_IMPORT = 'changed'
    p = Process(target=globals_child)
    p.start()
    p.join()
    assert read('globals') == (41, 7, 'changed'), read('globals')


@check
def fork_gives_the_child_what_the_main_guard_defined():
    # CPython's fork copies the parent's functions, classes and modules; the emulated fork
    # defines again those a main guard defined, each by its own statement (the one whose def
    # line matches), and imports what it imported.
    main = sys.modules['__main__']
    assert hasattr(main, 'defined_in_the_main_guard'), 'needs this script run as __main__'
    p = multiprocessing.get_context('fork').Process(target=main.defined_in_the_main_guard,
                                                    args=(main.MainGuardValue(5),))
    p.start()
    p.join()
    assert p.exitcode == 0, p.exitcode
    assert read('main_guard') == (5, 'second', '[1]', 4.0), read('main_guard')


@check
def fork_gives_the_child_classes_made_by_assignment():
    # namedtuple classes are made by an assignment, which the child runs again alone.
    main = sys.modules['__main__']
    assert hasattr(main, 'GuardedPair'), 'needs this script run as __main__'
    p = multiprocessing.get_context('fork').Process(
        target=report_pairs, args=(main.TopLevelPair(1, 2), main.GuardedPair(3)))
    p.start()
    p.join()
    assert p.exitcode == 0, p.exitcode
    assert read('pairs') == ('TopLevelPair', 2, 'GuardedPair', 3), read('pairs')


@check
def fork_compiles_the_childs_definitions_in_the_scripts_encoding():
    p = Process(target=non_ascii_child)
    p.start()
    p.join()
    assert p.exitcode == 0 and read('non_ascii') is True, p.exitcode


@check
def grandchildren_are_named_and_parented_like_cpython():
    p = Process(target=nested_parent)
    p.start()
    p.join()
    parent_name, child_name, child_exit = read('nested_parent')
    assert parent_name == p.name
    assert child_name == p.name.replace('Process-', 'Process-') + ':1', (child_name, p.name)
    assert child_exit == 0
    name, ppid = read('nested_child')
    assert name == child_name and ppid == p.pid, (name, ppid, p.pid)


@check
def unpicklable_target_fails_in_start():
    p = Process(target=lambda: None)
    try:
        p.start()
    except Exception as e:
        assert 'pickle' in (type(e).__name__ + str(e)).lower() or isinstance(e, AttributeError), e
    else:
        p.join()
        raise Exception('a lambda target started')


@check
def start_methods_and_contexts():
    assert multiprocessing.get_start_method() == 'fork'
    assert set(multiprocessing.get_all_start_methods()) == set(['fork', 'spawn', 'forkserver'])
    try:
        multiprocessing.set_start_method('spawn')
    except RuntimeError:
        pass
    else:
        raise Exception('set_start_method after the context was fixed did not raise')
    ctx = multiprocessing.get_context('spawn')
    assert ctx.get_start_method() == 'spawn'
    p = ctx.Process(target=identity_child)
    p.start()
    p.join()
    assert p.exitcode == 0
    assert read('identity')[-1] == '__mp_main__', read('identity')
    ctx = multiprocessing.get_context('forkserver')
    p = ctx.Process(target=exit_with, args=(0,))
    p.start()
    p.join()
    assert p.exitcode == 0
    try:
        multiprocessing.get_context('nonsense')
    except ValueError:
        pass
    else:
        raise Exception('an unknown start method was accepted')


def leave_and_find_traces(tag, queue):
    """Reports what an earlier process may have left in this one, then leaves the same."""
    import types
    try:
        import builtins
    except ImportError:
        import __builtin__ as builtins
    found = (counter[0], getattr(multiprocessing, 'left_by', None), 'mp4j_left_behind' in sys.modules,
             os.environ.get('MP4J_LEFT_BY'), getattr(builtins, 'mp4j_left_by', None))
    report('traces', (os.getpid(), found))
    queue.put(tag)
    counter[0] = tag
    multiprocessing.left_by = tag
    sys.modules['mp4j_left_behind'] = types.ModuleType('mp4j_left_behind')
    os.environ['MP4J_LEFT_BY'] = str(tag)
    builtins.mp4j_left_by = tag


def leave_a_thread_running():
    import threading
    t = threading.Thread(target=time.sleep, args=(3600,))
    t.daemon = True
    t.start()
    report('thread_left', os.getpid())


def late_report():
    time.sleep(0.5)
    report('late_thread', 'done')


def start_a_thread_and_return():
    import threading
    threading.Thread(target=late_report).start()


@check
def a_python3_child_waits_for_its_non_daemon_threads_before_it_ends():
    # CPython 3's child joins them (threading._shutdown) before it exits; CPython 2.7's does
    # not, and the thread dies with the process.
    for method in ('fork', 'forkserver'):
        p = multiprocessing.get_context(method).Process(target=start_a_thread_and_return)
        p.start()
        p.join()
        assert p.exitcode == 0, (method, p.exitcode)
        if sys.version_info[0] >= 3:
            assert os.path.exists(os.path.join(OUT, 'late_thread')), method + ': the thread did not finish'
            assert read('late_thread') == 'done'
        else:
            time.sleep(1)
            assert not os.path.exists(os.path.join(OUT, 'late_thread')), method + ': the thread outlived join()'


def serves_again_here():
    """mp4j on GraalPy lets a forkserver child's JVM serve the next forkserver start."""
    return getattr(multiprocessing, '__mp4j__', False) and sys.version_info[0] >= 3


@check
def forkserver_processes_one_after_another_see_nothing_of_each_other():
    # mp4j on GraalPy serves a forkserver start with the JVM of an earlier forkserver process
    # that left it clean, in a fresh interpreter: it must look like a new process all the same.
    # The pause lets that JVM renew its interpreter, so that the reuse is really exercised.
    ctx = multiprocessing.get_context('forkserver')
    queue = ctx.Queue()
    pids = []
    reused = False
    for tag in range(1, 7):
        p = ctx.Process(target=leave_and_find_traces, args=(tag, queue))
        p.start()
        p.join()
        assert p.exitcode == 0, p.exitcode
        assert queue.get(timeout=PATIENCE) == tag
        pid, found = read('traces')
        assert pid == p.pid, (pid, p.pid)
        assert found == (0, None, False, None, None), 'process %d found %r' % (tag, found)
        reused = pid in pids
        pids.append(pid)
        if reused or not serves_again_here():
            break
        time.sleep(2)
    assert reused or not serves_again_here(), 'no forkserver JVM served again: %r' % pids
    if reused:
        # and the shared memory the earlier processes mapped (the queue) is unmapped, as at exit
        deadline = time.time() + 30
        while True:
            with open('/proc/%d/maps' % pids[-1]) as f:
                mapped = [line.split()[-1] for line in f if '/dev/shm/' in line and 'mp4j.' in line]
            if not mapped or time.time() > deadline:
                break
            time.sleep(0.1)
        assert not mapped, 'a reused JVM still maps %r' % mapped


@check
def a_forkserver_process_that_leaves_a_thread_running_ends_for_good():
    ctx = multiprocessing.get_context('forkserver')
    p = ctx.Process(target=leave_a_thread_running)
    p.start()
    p.join()
    assert p.exitcode == 0, p.exitcode
    assert read('thread_left') == p.pid
    try:
        os.kill(p.pid, 0)
    except OSError:
        pass
    else:
        raise Exception('process %d still runs after join()' % p.pid)


@check
def cpu_count_authkey_sentinel_and_marker():
    assert multiprocessing.cpu_count() >= 1
    assert len(current_process().authkey) == 32
    assert getattr(multiprocessing, '__mp4j__', False)
    p = Process(target=sleeper, args=(0,))
    p.start()
    assert isinstance(p.sentinel, int)
    p.join()
    multiprocessing.freeze_support()


def raise_value_error():
    raise ValueError('bad thread')


def exit_thread():
    sys.exit(3)


@check
def an_uncaught_exception_in_a_thread_is_printed_as_cpython_prints_it():
    # GraalPy's _thread has no _excepthook of its own; mp4j's bridge gives it one
    import threading
    try:
        from StringIO import StringIO           # Python 2: io's takes unicode only
    except ImportError:
        from io import StringIO
    saved = sys.stderr
    sys.stderr = captured = StringIO()
    try:
        for target, name in ((raise_value_error, 'loud'), (exit_thread, 'quiet')):
            t = threading.Thread(target=target, name=name)
            t.start()
            t.join()
    finally:
        sys.stderr = saved
    text = captured.getvalue()
    assert text.startswith('Exception in thread loud:'), text
    assert 'Traceback (most recent call last):' in text and 'in raise_value_error' in text, text
    assert text.rstrip('\n').endswith('ValueError: bad thread'), text
    if sys.version_info[0] >= 3:        # Jython 2.7 runs the traceback on from the first line
        assert text.startswith('Exception in thread loud:\nTraceback'), text
        assert text.endswith('ValueError: bad thread\n'), text
    assert 'quiet' not in text, text            # SystemExit ends a thread silently


CHANGED_AFTER_IMPORT = 'initial'

if __name__ == '__main__':
    class MainGuardValue(object):
        def __init__(self, value):
            self.value = value

    GuardedPair = collections.namedtuple('GuardedPair', 'x')
    import json as guard_json
    from math import sqrt as guard_sqrt

    for which in ('first', 'second'):
        def defined_in_the_main_guard(value):
            report('main_guard', (value.value, which, guard_json.dumps([1]), guard_sqrt(16)))

    try:
        run()
    finally:
        shutil.rmtree(OUT, ignore_errors=True)    # only the root runs this, even under spawn
