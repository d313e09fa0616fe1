# Pool and ThreadPool conformance, written once for Python 2.7 and 3: run on both engines by
# PoolApiTest. Each check prints "ok NAME" or "FAIL NAME: why"; the first line lists them.
from __future__ import print_function

import functools
import math
import os
import struct
import sys
import tempfile
import threading
import time
import multiprocessing
from checks import PATIENCE, check, expect_raise, run
from multiprocessing import Pool
from multiprocessing.pool import ThreadPool

def square(x):
    return x * x


def add(a, b):
    return a + b


def fail_on_three(x):
    if x == 3:
        raise ValueError('three is bad')
    return x


def pid_of(_):
    return os.getpid()


def sleep_and_return(x):
    time.sleep(x)
    return x


def return_once_flagged(task):
    """(flag, value): returns value, but only once the file flag exists when flag is given."""
    flag, value = task
    deadline = time.time() + PATIENCE
    while flag and not os.path.exists(flag) and time.time() < deadline:
        time.sleep(0.01)
    return value


def exit_abruptly(code):
    os._exit(code)


def unpicklable_result(_):
    return lambda: None


class TwoArgumentError(Exception):
    """Pickles, but does not unpickle: its args hold one value, its __init__ wants two."""

    def __init__(self, what, code):
        Exception.__init__(self, what)
        self.code = code


def raise_two_argument_error(_):
    raise TwoArgumentError('bad', 2)


class LoadsOnlyInItsMaker(object):
    """A result that unpickles in the process that made it and fails to anywhere else."""

    def __init__(self):
        self.maker = os.getpid()

    def __reduce__(self):
        return load_in_maker, (self.maker,)


def load_in_maker(maker):
    if os.getpid() != maker:
        raise ValueError('not loadable here')
    return LoadsOnlyInItsMaker()


def result_loading_only_in_the_worker(_):
    return LoadsOnlyInItsMaker()


def name_of_worker(_):
    return multiprocessing.current_process().name


def initialise(value):
    global INITIALISED
    INITIALISED = value


def initialised(_):
    return INITIALISED


def uses_queue(q):
    q.put(1)


class Adder(object):
    def __init__(self, k):
        self.k = k

    def add(self, x):
        return self.k + x

    def put_sum(self, q, x):
        q.put(self.k + x)

    @classmethod
    def name(cls):
        return cls.__name__


class CallCounter(object):
    """A callable object with state: each task must get a fresh copy, as in CPython.

    A ThreadPool calls one CallCounter from two threads at once; on Jython (no GIL) `calls += 1`
    then `return calls` is not atomic, so the count is taken under a lock, which a copy for a
    process pool gets new (a lock does not pickle)."""

    def __init__(self):
        self.calls = 0
        self._lock = threading.Lock()

    def __getstate__(self):
        return {'calls': self.calls}

    def __setstate__(self, state):
        self.calls = state['calls']
        self._lock = threading.Lock()

    def __call__(self, x):
        with self._lock:
            self.calls += 1
            return self.calls


SHARED_POOL = []


def shared_pool():
    """The Pool(2) the checks of task semantics share: every new pool boots two JVMs, and the
    checks of a pool's own life (close, terminate, initializer, maxtasksperchild, a dead
    worker) still make their own."""
    if not SHARED_POOL:
        SHARED_POOL.append(Pool(2))
    return SHARED_POOL[0]


def failing_iterable():
    yield 1
    yield 2
    raise KeyError('iterable broke')


@check
def apply_map_starmap_and_imap_give_ordered_results():
    p = shared_pool()
    assert p.apply(square, (7,)) == 49
    assert p.apply(add, (1,), {'b': 2}) == 3
    assert p.map(square, range(50)) == [x * x for x in range(50)]
    assert p.map(square, []) == []
    assert p.starmap(add, [(1, 2), (3, 4)]) == [3, 7]
    assert list(p.imap(square, range(20))) == [x * x for x in range(20)]
    assert list(p.imap(square, range(20), chunksize=6)) == [x * x for x in range(20)]
    assert sorted(p.imap_unordered(square, range(20))) == [x * x for x in range(20)]
    assert sorted(p.imap_unordered(square, range(20), chunksize=7)) == [x * x for x in range(20)]
    assert p.map_async(square, range(5)).get(PATIENCE) == [0, 1, 4, 9, 16]
    assert p.starmap_async(add, [(2, 2)]).get(PATIENCE) == [4]


@check
def tasks_call_the_function_or_a_fresh_copy_of_a_callable_object():
    # mp4j pickles a plain function once per pool and workers keep it (imap, apply_async);
    # anything else must still arrive as a fresh copy per task.
    p = shared_pool()
    for _ in range(2):              # a second job finds the function in the workers' cache
        assert list(p.imap(square, range(30))) == [x * x for x in range(30)]
    assert [p.apply_async(square, (x,)).get(PATIENCE) for x in range(10)] == [x * x for x in range(10)]
    assert p.apply(add, (1, 2)) == 3
    counter = CallCounter()
    assert list(p.imap(counter, range(30))) == [1] * 30
    assert [p.apply(counter, (0,)) for _ in range(3)] == [1, 1, 1] and counter.calls == 0
    assert list(p.imap(len, ['a', 'bb', 'ccc'])) == [1, 2, 3]
    e = expect_raise(TypeError, list, p.imap('not callable', range(2)))
    assert 'callable' in str(e), e
    with ThreadPool(2) as p:
        counter = CallCounter()
        assert sorted(p.imap_unordered(counter, range(10))) == list(range(1, 11))
        assert counter.calls == 10


@check
def builtin_functions_travel_as_tasks_items_and_targets():
    # Pickled by module and name, as CPython does; on Jython math.sqrt, time.sleep and
    # os.getpid are Java methods that Jython's own pickle cannot find by name.
    p = shared_pool()
    assert p.map(math.sqrt, [1, 4, 9]) == [1.0, 2.0, 3.0]
    assert p.apply(os.getpid) != os.getpid()
    assert p.apply(struct.pack, ('>h', 1)) == struct.pack('>h', 1)
    q = multiprocessing.Queue()
    q.put(math.floor)
    assert q.get(timeout=PATIENCE)(2.5) == 2.0
    child = multiprocessing.Process(target=time.sleep, args=(0.01,))
    child.start()
    child.join(PATIENCE)
    assert child.exitcode == 0, child.exitcode


@check
def bound_methods_and_partials_are_tasks_and_targets():
    # Python 2's pickle refuses methods (CPython 2.7's fork never pickles a target); mp4j
    # pickles them by owner and name on both engines, and partials by their parts.
    p = shared_pool()
    adder = Adder(5)
    assert p.map(adder.add, [1, 2]) == [6, 7]
    assert p.apply(Adder.name) == 'Adder'
    assert p.map(functools.partial(add, b=10), [1, 2]) == [11, 12]
    assert p.map(functools.partial(Adder.add, Adder(1)), [1]) == [2]
    q = multiprocessing.Queue()
    child = multiprocessing.Process(target=adder.put_sum, args=(q, 3))
    child.start()
    assert q.get(timeout=PATIENCE) == 8
    child.join(PATIENCE)
    assert child.exitcode == 0, child.exitcode


@check
def workers_are_other_processes_named_pool_workers():
    p = shared_pool()
    pids = set(p.map(pid_of, range(40), chunksize=1))
    assert os.getpid() not in pids and 1 <= len(pids) <= 2, pids
    names = set(p.map(name_of_worker, range(40), chunksize=1))
    assert all('PoolWorker-' in n for n in names), names
    if sys.version_info[0] < 3:             # Python 2's pools know no start methods
        assert all(n.startswith('PoolWorker-') for n in names), names


@check
def a_task_exception_is_raised_in_the_caller():
    p = shared_pool()
    e = expect_raise(ValueError, p.apply, fail_on_three, (3,))
    assert 'three is bad' in str(e)
    if sys.version_info[0] >= 3:
        assert 'fail_on_three' in str(e.__cause__), e.__cause__      # the worker's traceback
    r = p.map_async(fail_on_three, range(6), chunksize=1)
    expect_raise(ValueError, r.get, PATIENCE)
    assert r.ready() and not r.successful()
    it = p.imap(fail_on_three, range(6))
    assert [next(it) for _ in range(3)] == [0, 1, 2]
    expect_raise(ValueError, next, it)
    assert next(it) == 4
    expect_raise(KeyError, p.map, square, failing_iterable())


@check
def imap_orders_late_results_and_its_next_times_out():
    p = shared_pool()
    # The first task ends last: imap still gives task order, imap_unordered finish order.
    delays = [0.6, 0.0, 0.1, 0.2]
    assert list(p.imap(sleep_and_return, delays)) == delays
    # imap_unordered gives finish order: the first task holds its worker until the caller has
    # received the other three (a flag file, not a sleep, so a slow machine cannot reorder them).
    flag = os.path.join(tempfile.gettempdir(), 'mp4j-imap-unordered-%d' % os.getpid())
    it = p.imap_unordered(return_once_flagged, [(flag, 'last'), (None, 0), (None, 1), (None, 2)])
    first_three = sorted(next(it) for _ in range(3))
    open(flag, 'w').close()
    try:
        assert first_three == [0, 1, 2], first_three
        assert next(it) == 'last'
    finally:
        os.remove(flag)
    it = p.imap(sleep_and_return, [0.8, 0.0])
    expect_raise(multiprocessing.TimeoutError, it.next, 0.05)
    expect_raise(multiprocessing.TimeoutError, it.next, 0)
    assert it.next(PATIENCE) == 0.8 and it.next(PATIENCE) == 0.0
    expect_raise(StopIteration, it.next, PATIENCE)
    assert list(p.imap(square, [])) == [] and list(p.imap_unordered(square, [])) == []


@check
def callbacks_get_the_result_or_the_error():
    got = []
    p = shared_pool()
    p.apply_async(square, (3,), callback=got.append).wait(PATIENCE)
    p.apply_async(fail_on_three, (3,), error_callback=lambda e: got.append(type(e).__name__)).wait(PATIENCE)
    p.map_async(square, [1, 2], callback=got.append).wait(PATIENCE)
    assert got == [9, 'ValueError', [1, 4]], got


@check
def get_with_a_timeout_raises_timeout_error():
    p = shared_pool()
    r = p.apply_async(sleep_and_return, (1.0,))
    expect_raise(multiprocessing.TimeoutError, r.get, 0.1)
    assert not r.ready()
    expect_raise(ValueError, r.successful)
    assert r.get(PATIENCE) == 1.0 and r.successful()


@check
def close_then_join_waits_for_every_task():
    p = Pool()          # sized by cpu_count(), as seed 004's Pool() is
    pids = set(w.pid for w, _ in p._workers)
    assert len(pids) == multiprocessing.cpu_count() and os.getpid() not in pids, pids
    results = [p.apply_async(sleep_and_return, (0.3,)) for _ in range(4)]
    expect_raise(ValueError, p.join)                 # still running
    p.close()
    expect_raise(ValueError, p.apply_async, square, (1,))
    p.join()
    assert all(r.ready() and r.get() == 0.3 for r in results)


@check
def terminate_stops_the_workers_at_once():
    p = Pool(2)
    p.map(square, range(4))
    workers = list(p._workers)
    p.apply_async(sleep_and_return, (60,))
    started = time.time()
    p.terminate()
    p.join()
    assert time.time() - started < 30
    assert all(w.exitcode is not None for w, _ in workers)


@check
def initializer_runs_in_every_worker():
    with Pool(2, initializer=initialise, initargs=('ready',)) as p:
        assert set(p.map(initialised, range(10))) == set(['ready'])


@check
def maxtasksperchild_replaces_workers():
    with Pool(1, maxtasksperchild=2) as p:
        pids = [p.apply(pid_of, (0,)) for _ in range(6)]
    assert len(set(pids)) == 3, pids
    assert pids[0] == pids[1] and pids[2] == pids[3] and pids[4] == pids[5], pids


@check
def a_dead_worker_fails_its_task_and_is_replaced():
    with Pool(2) as p:
        r = p.apply_async(exit_abruptly, (7,))
        e = expect_raise(multiprocessing.pool.WorkerLostError, r.get, PATIENCE)
        assert 'exit code 7' in str(e), e
        assert p.map(square, range(10)) == [x * x for x in range(10)]
        assert len(p._workers) == 2


@check
def an_unpicklable_result_raises_maybe_encoding_error():
    p = shared_pool()
    e = expect_raise(multiprocessing.pool.MaybeEncodingError, p.apply, unpicklable_result, (0,))
    assert 'Error sending result' in str(e), e
    assert p.apply(square, (2,)) == 4
    # Beyond CPython, whose result handler thread died on these: every later result was lost.
    # An exception that would not unpickle here comes as MaybeEncodingError ...
    e = expect_raise(multiprocessing.pool.MaybeEncodingError, p.apply, raise_two_argument_error, (0,))
    assert '__init__' in str(e), e
    assert p.apply(square, (3,)) == 9
    # ... and a result that does not unpickle here loses its own task only (it is reported on
    # stderr)
    p.apply_async(result_loading_only_in_the_worker, (0,))
    time.sleep(1)                       # its result reaches the handler before the map's
    assert p.map(square, range(4)) == [0, 1, 4, 9]


@check
def a_thread_lock_as_task_argument_is_refused():
    # Jython pickled threading's locks into new ones, which excluded nothing the originals did
    import threading
    p = shared_pool()
    for lock in (threading.Lock(), threading.RLock(), threading.Condition(), threading.Semaphore()):
        e = expect_raise(TypeError, p.apply, square, (lock,))
        assert 'pickle' in str(e), e
    assert p.apply(square, (4,)) == 16


@check
def a_queue_as_task_argument_raises_the_inheritance_error():
    p = shared_pool()
    r = p.apply_async(uses_queue, (multiprocessing.Queue(),))
    e = expect_raise(RuntimeError, r.get, PATIENCE)
    assert str(e) == 'Queue objects should only be shared between processes through inheritance', e
    e = expect_raise(RuntimeError, p.apply, uses_queue, (multiprocessing.Lock(),))
    assert 'Lock objects should only be shared' in str(e), e


@check
def a_pool_does_not_pickle():
    p = shared_pool()
    import pickle
    expect_raise(NotImplementedError, pickle.dumps, p)


@check
def thread_pool_has_the_same_api():
    with ThreadPool(3) as p:
        assert p.map(square, range(10)) == [x * x for x in range(10)]
        assert set(p.map(pid_of, range(10))) == set([os.getpid()])
        assert p.apply(add, (2, 3)) == 5
        assert sorted(p.imap_unordered(square, range(5))) == [0, 1, 4, 9, 16]
        expect_raise(ValueError, p.apply, fail_on_three, (3,))


def put_true_if_in_a_thread(q):
    q.put(threading.current_thread().name != 'MainThread')


@check
def multiprocessing_dummy_runs_the_api_on_threads():
    import multiprocessing.dummy as dummy
    from multiprocessing.dummy import connection as dummy_connection
    with dummy.Pool(3) as p:
        assert p.map(square, range(10)) == [x * x for x in range(10)]
        assert set(p.map(pid_of, range(10))) == set([os.getpid()])
    q = dummy.Queue()
    t = dummy.Process(target=put_true_if_in_a_thread, args=(q,))
    assert t.exitcode is None
    t.start()
    t.join()
    assert q.get(True, PATIENCE) is True and t.exitcode == 0
    assert dummy.active_children() == []
    assert dummy.Manager() is dummy
    ns = dummy.Namespace(b=2, a=1, _hidden=0)
    assert repr(ns) == 'Namespace(a=1, b=2)', repr(ns)
    v = dummy.Value('i', 3)
    v.value += 1
    assert v.value == 4 and repr(v) == "<Value('i', 4)>", repr(v)
    assert list(dummy.Array('i', [1, 2])) == [1, 2]
    jq = dummy.JoinableQueue()
    jq.put(1)
    jq.get()
    jq.task_done()
    jq.join()
    a, b = dummy.Pipe()
    a.send([1, 'x'])
    assert b.poll(1) and b.recv() == [1, 'x'] and not a.poll()
    listener = dummy_connection.Listener()
    client = dummy_connection.Client(listener.address)
    server = listener.accept()
    client.send('hello')
    assert server.recv() == 'hello'
    server.send('back')
    assert client.recv() == 'back'
    with dummy.Lock():
        pass
    assert isinstance(dummy.current_process(), threading.Thread)
    if sys.version_info[0] < 3:             # Python 2's dummy has these two as well
        assert dummy.TimeoutError is multiprocessing.TimeoutError and dummy.cpu_count() >= 1


def process_pool_executor_runs_through_mp4j():
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing.queues
    with ProcessPoolExecutor(2) as ex:
        assert list(ex.map(square, range(8))) == [x * x for x in range(8)]
        pids = set(ex.map(pid_of, range(8)))
        assert os.getpid() not in pids and len(pids) <= 2
        future = ex.submit(fail_on_three, 3)
        assert isinstance(future.exception(PATIENCE), ValueError)
        assert ex.submit(add, 2, 3).result(PATIENCE) == 5
        # a task that does not pickle fails its own future, and the pool goes on (it broke the
        # pool: mp4j's put() raised where CPython's feeder thread reports to the queue)
        expect_raise(AttributeError, ex.submit(lambda: 1).result, PATIENCE)
        assert ex.submit(add, 1, 1).result(PATIENCE) == 2
    # Its queues are mp4j's (the executor took them from this multiprocessing).
    assert multiprocessing.__mp4j__


def process_pool_executor_breaks_cleanly_when_a_worker_dies():
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    failures = []
    hook, threading.excepthook = threading.excepthook, failures.append
    try:
        with ProcessPoolExecutor(1) as ex:
            expect_raise(BrokenProcessPool, ex.submit(exit_abruptly, 1).result, PATIENCE)
            expect_raise(BrokenProcessPool, ex.submit, square, 1)
    finally:
        threading.excepthook = hook
    # Python 3.12's executor closes its queues with Queue._terminate_broken, which was missing:
    # an AttributeError ended its manager thread
    assert not failures, [f.exc_value for f in failures]


if sys.version_info[0] >= 3:            # Python 2 has no concurrent.futures
    check(process_pool_executor_runs_through_mp4j)
    check(process_pool_executor_breaks_cleanly_when_a_worker_dies)


if __name__ == '__main__':
    run()
    for pool in SHARED_POOL:
        pool.terminate()
        pool.join()
