"""Pool and ThreadPool: tasks handed to long-lived workers, results handed back, as in CPython.

The shape is CPython's: tasks go to the workers through one queue and results come back
through another; three threads of the parent feed the tasks, read the results and look after
the workers. Two things differ:
- the queues are mp4j's shared-memory queues, so a task's arguments are pickled in the thread
  that puts it (a Queue or Lock as an argument raises the "through inheritance" RuntimeError
  there, and that error is the task's result, as in CPython);
- each worker notes in shared memory which task it runs. When a worker dies (kill -9,
  os._exit, a crash of its JVM) it is replaced, and the task it was running fails with
  WorkerLostError in the caller instead of leaving get() and join() waiting for ever.
"""
import itertools
import os
import sys
import threading
import time
import types
# traceback is imported where an error is printed: on GraalPy it costs a worker ~0.1 s to import.

try:
    import queue
except ImportError:                 # Python 2
    import Queue as queue

from . import bridge
from . import context
from . import util
from .context import TimeoutError
from .reduction import ForkingPickler, loads

__all__ = ['Pool', 'ThreadPool', 'AsyncResult', 'MapResult', 'IMapIterator',
           'IMapUnorderedIterator', 'WorkerLostError', 'MaybeEncodingError']

RUN, CLOSE, TERMINATE = 0, 1, 2
_STATE_NAMES = {RUN: 'RUN', CLOSE: 'CLOSE', TERMINATE: 'TERMINATE'}

# How often the worker handler looks for dead workers when nothing wakes it.
_WORKER_CHECK = 0.1

job_counter = itertools.count()


def mapstar(args):
    return list(map(*args))


def starmapstar(args):
    return list(itertools.starmap(args[0], args[1]))


class RemoteTraceback(Exception):
    def __init__(self, tb):
        self.tb = tb

    def __str__(self):
        return self.tb


class ExceptionWithTraceback(object):
    """An exception raised in a worker, travelling with the worker's traceback as text."""

    def __init__(self, exc, tb_text):
        self.exc = exc
        self.tb = '\n"""\n%s"""' % tb_text

    def __reduce__(self):
        return rebuild_exc, (self.exc, self.tb)


def rebuild_exc(exc, tb):
    exc.__cause__ = RemoteTraceback(tb)
    return exc


class MaybeEncodingError(Exception):
    """A task's result (or exception) could not be pickled back to the caller."""

    def __init__(self, exc, value):
        self.exc = repr(exc)
        self.value = repr(value)
        Exception.__init__(self, self.exc, self.value)

    def __str__(self):
        return "Error sending result: '%s'. Reason: '%s'" % (self.value, self.exc)

    def __repr__(self):
        return '<%s: %s>' % (type(self).__name__, self)


class WorkerLostError(Exception):
    """mp4j: the worker running this task died before it returned a result."""


class _TaskSlots(object):
    """Which task each worker runs, readable by the parent after the worker died.

    Layout (a SharedBlock, 16 bytes a worker, slot k at 16*k):
        0  long  job + 1 of the running task, 0 while idle
        8  long  its index within the job
    """

    def __init__(self, block):
        self._block = block
        self._set = block.setLong         # looked up once: a Java method lookup costs ~4 us
        self._get = block.getLong

    @classmethod
    def create(cls, n):
        return cls(bridge.runtime().newBlock(16 * n))

    def __reduce__(self):
        return _attach_slots, (str(self._block.name()),)

    def running(self, slot, job, index):
        self._set(16 * slot + 8, index)
        self._set(16 * slot, job + 1)

    def idle(self, slot):
        self._set(16 * slot, 0)

    def current(self, slot):
        job = int(self._get(16 * slot))
        if job == 0:
            return None
        return job - 1, int(self._get(16 * slot + 8))


def _attach_slots(name):
    return _TaskSlots(bridge.runtime().attachBlock(name))


def worker(inqueue, outqueue, initializer=None, initargs=(), maxtasks=None,
           slots=None, slot=0, wrap_exception=False):
    """The loop of a pool worker: get a task, run it, put its result; None ends it."""
    if maxtasks is not None and not (isinstance(maxtasks, int) and maxtasks >= 1):
        raise AssertionError('Maxtasks %r is not valid' % (maxtasks,))
    if initializer is not None:
        initializer(*initargs)
    completed = 0
    functions = {}                      # see _by_reference
    while maxtasks is None or completed < maxtasks:
        try:
            task = inqueue.get()
        except (EOFError, OSError, IOError):
            break
        if task is None:
            break
        job, i, func, args, kwds = task
        if slots is not None:
            slots.running(slot, job, i)
        try:
            if type(func) is tuple:
                func = _function_of(func, functions)
            result = (True, func(*args, **kwds))
        except Exception as e:
            if wrap_exception and func is not _helper_reraises_exception:
                import traceback
                e = ExceptionWithTraceback(e, traceback.format_exc())
            result = (False, _returnable(e))
        try:
            outqueue.put((job, i, result))
        except Exception as e:
            wrapped = MaybeEncodingError(e, result[1])
            outqueue.put((job, i, (False, wrapped)))
        if slots is not None:
            slots.idle(slot)
        task = job = result = func = args = kwds = None
        completed += 1


def _returnable(e):
    """The exception a task raised, or a MaybeEncodingError if it would not unpickle in the
    caller. Beyond CPython: an exception whose __init__ takes other arguments than its args
    (a common mistake) pickles, but its unpickling failed in the result handler, whose thread
    then died, and every result of the pool was lost."""
    try:
        loads(ForkingPickler.dumps(e))
    except Exception as reason:
        return MaybeEncodingError(reason, e)
    return e


# A task's plain function travels as (_FUNCTION_TAG, its pickle); see _by_reference.
_FUNCTION_TAG = '#mp4j-function'
_PLAIN_FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType)


def _by_reference(func):
    """What tasks carry for func. GraalPy spends ~40 us pickling a reference to a function and
    as much unpickling it, most of a small task's cost; so a plain function (it pickles as its
    module and name) is pickled once per pool (Pool._task_function), and each worker unpickles
    it once and keeps it. Any other callable travels as itself, a fresh copy per task, as in
    CPython."""
    if type(func) not in _PLAIN_FUNCTIONS:
        return func
    try:
        return (_FUNCTION_TAG, ForkingPickler.dumps(func))
    except Exception:
        return func         # then putting the task fails, as CPython's does


def _function_of(func, functions):
    """The function a task's func from _by_reference stands for, from the worker's cache."""
    if len(func) != 2 or func[0] != _FUNCTION_TAG:
        return func                     # not ours: calling it raises CPython's TypeError
    function = functions.get(func[1])
    if function is None:
        if len(functions) >= 64:
            functions.clear()
        function = functions[func[1]] = loads(func[1])
    return function


def _helper_reraises_exception(ex):
    """Stands in for a task when iterating the caller's iterable raised."""
    raise ex


class Pool(object):
    """A pool of worker processes, each a child JVM taken from the warm pool."""

    _wrap_exception = True

    @staticmethod
    def Process(ctx, *args, **kwds):
        return ctx.Process(*args, **kwds)

    def __init__(self, processes=None, initializer=None, initargs=(),
                 maxtasksperchild=None, context=None):
        self._state = RUN
        self._ctx = context or _default_context()
        self._setup_queues()
        self._taskqueue = queue.Queue()
        self._cache = {}
        self._pickled_functions = {}            # see _task_function
        self._wake = threading.Event()          # makes the worker handler look at once
        self._maxtasksperchild = maxtasksperchild
        self._initializer = initializer
        self._initargs = initargs
        if processes is None:
            processes = self._default_processes()
        if processes < 1:
            raise ValueError('Number of processes must be at least 1')
        if maxtasksperchild is not None:
            if not isinstance(maxtasksperchild, int) or maxtasksperchild <= 0:
                raise ValueError('maxtasksperchild must be a positive int or None')
        if initializer is not None and not callable(initializer):
            raise TypeError('initializer must be a callable')
        self._processes = processes
        self._slots = self._make_slots(processes)
        self._workers = []                      # (worker, slot)
        try:
            self._repopulate_pool()
        except Exception:
            for w, _ in self._workers:
                if w.exitcode is None:
                    w.terminate()
            raise
        self._worker_handler = self._thread(self._handle_workers, 'mp4j-pool-workers')
        self._task_handler = self._thread(self._handle_tasks, 'mp4j-pool-tasks')
        self._result_handler = self._thread(self._handle_results, 'mp4j-pool-results')
        self._terminate = util.Finalize(self, self._terminate_pool, exitpriority=15)

    # --- what ThreadPool replaces -------------------------------------------------------

    def _default_processes(self):
        return self._ctx.cpu_count()

    def _setup_queues(self):
        self._inqueue = self._ctx.SimpleQueue()
        self._outqueue = self._ctx.SimpleQueue()

    def _make_slots(self, n):
        return _TaskSlots.create(n)

    def _task_function(self, func):
        """func as apply_async's and imap's tasks carry it (see _by_reference), pickled once."""
        try:
            return self._pickled_functions[func]
        except (KeyError, TypeError):      # TypeError: an unhashable callable object
            pass
        tagged = _by_reference(func)
        if tagged is not func:
            if len(self._pickled_functions) >= 64:
                self._pickled_functions.clear()
            self._pickled_functions[func] = tagged
        return tagged

    def _worker_name(self, w):
        # ForkProcess-1 becomes ForkPoolWorker-1; Python 2, whose pools know no start
        # methods, names it PoolWorker-1.
        if sys.version_info[0] < 3:
            return 'PoolWorker-' + w.name.split('-', 1)[1]
        return w.name.replace('Process', 'PoolWorker')

    # --- the workers ----------------------------------------------------------------------

    @staticmethod
    def _thread(target, name):
        t = threading.Thread(target=target, name=name)
        t.daemon = True
        t.start()
        return t

    def _repopulate_pool(self):
        used = set(slot for _, slot in self._workers)
        for slot in range(self._processes):
            if slot in used:
                continue
            w = self.Process(self._ctx, target=worker,
                             args=(self._inqueue, self._outqueue, self._initializer, self._initargs,
                                   self._maxtasksperchild, self._slots, slot, self._wrap_exception))
            w.name = self._worker_name(w)
            w.daemon = True
            w.start()
            self._workers.append((w, slot))

    def _maintain_pool(self):
        """Reaps ended workers, starts replacements, then fails the task a dead one was running
        (so that when the caller sees the failure, the pool is whole again)."""
        alive = []
        lost_tasks = []
        for w, slot in self._workers:
            if w.exitcode is None:
                alive.append((w, slot))
                continue
            running = self._slots.current(slot) if self._slots is not None else None
            if running is not None:
                job, index = running
                self._slots.idle(slot)
                lost = WorkerLostError('pool worker %s (pid %s) died with exit code %s while running this task'
                                       % (w.name, w.pid, w.exitcode))
                lost_tasks.append((job, index, (False, lost)))
            w.join()
        if len(alive) != len(self._workers):
            self._workers = alive
            if self._state != TERMINATE:
                self._repopulate_pool()
        for message in lost_tasks:
            # Through the result queue: after anything the worker managed to send.
            self._outqueue.put(message)

    def _handle_workers(self):
        while self._state == RUN or (self._cache and self._state != TERMINATE):
            try:
                self._maintain_pool()
            except Exception:
                if self._state == TERMINATE:
                    break
                import traceback
                traceback.print_exc()
            self._wake.wait(_WORKER_CHECK)
            self._wake.clear()
        self._taskqueue.put(None)       # ends the task handler, which then ends the rest

    # --- tasks and results ----------------------------------------------------------------

    def _handle_tasks(self):
        while True:
            entry = self._taskqueue.get()
            if entry is None:
                break
            taskseq, set_length = entry
            count = 0
            for task in taskseq:
                if self._state == TERMINATE:
                    break
                try:
                    self._inqueue.put(task)
                except Exception as e:
                    job, index = task[:2]
                    result = self._cache.get(job)
                    if result is not None:
                        result._set(index, (False, e))
                count += 1
            else:
                if set_length is not None:
                    set_length(count)
            task = taskseq = entry = None
        # No task is left (closed and done, or terminated): tell workers and result reader.
        try:
            for _ in range(len(self._workers) + self._processes):
                self._inqueue.put(None)
            self._outqueue.put(None)
        except Exception:
            pass

    def _handle_results(self):
        while True:
            try:
                item = self._outqueue.get()
            except (EOFError, OSError, IOError):
                return
            except Exception:
                # a result that does not unpickle here: its task is lost (its job and index are
                # in the same pickle), but the others' results still come (CPython's handler
                # thread died)
                import traceback
                traceback.print_exc()
                continue
            if item is None:
                return
            job, index, obj = item
            result = self._cache.get(job)
            if result is not None:
                try:
                    result._set(index, obj)
                except Exception:
                    import traceback
                    traceback.print_exc()
            if not self._cache:
                self._wake.set()
            item = result = obj = None

    def _check_running(self):
        if self._state != RUN:
            raise ValueError('Pool not running')

    def _submit(self, taskseq, set_length=None):
        self._taskqueue.put((taskseq, set_length))

    # --- the API --------------------------------------------------------------------------

    def apply(self, func, args=(), kwds={}):
        return self.apply_async(func, args, kwds).get()

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
        self._check_running()
        result = ApplyResult(self, callback, error_callback)
        self._submit([(result._job, 0, self._task_function(func), tuple(args), dict(kwds))])
        return result

    def map(self, func, iterable, chunksize=None):
        return self._map_async(func, iterable, mapstar, chunksize).get()

    def starmap(self, func, iterable, chunksize=None):
        return self._map_async(func, iterable, starmapstar, chunksize).get()

    def map_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        return self._map_async(func, iterable, mapstar, chunksize, callback, error_callback)

    def starmap_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        return self._map_async(func, iterable, starmapstar, chunksize, callback, error_callback)

    def _map_async(self, func, iterable, mapper, chunksize=None, callback=None, error_callback=None):
        self._check_running()
        if not hasattr(iterable, '__len__'):
            iterable = list(iterable)
        if chunksize is None:
            chunksize, extra = divmod(len(iterable), len(self._workers) * 4 or 1)
            if extra:
                chunksize += 1
        if len(iterable) == 0:
            chunksize = 0
        batches = _chunks(func, iterable, chunksize)
        result = MapResult(self, chunksize, len(iterable), callback, error_callback)
        self._submit(_guarded(result._job, mapper, batches))
        return result

    def imap(self, func, iterable, chunksize=1):
        return self._imap(IMapIterator, func, iterable, chunksize)

    def imap_unordered(self, func, iterable, chunksize=1):
        return self._imap(IMapUnorderedIterator, func, iterable, chunksize)

    def _imap(self, kind, func, iterable, chunksize):
        self._check_running()
        if chunksize < 1:
            raise ValueError('Chunksize must be 1+, not {0:n}'.format(chunksize))
        result = kind(self)
        if chunksize == 1:
            self._submit(_guarded(result._job, self._task_function(func), iterable), result._set_length)
            return result
        self._submit(_guarded(result._job, mapstar, _chunks(func, iterable, chunksize)), result._set_length)
        return (item for chunk in result for item in chunk)

    def close(self):
        if self._state == RUN:
            self._state = CLOSE
            self._wake.set()

    def terminate(self):
        self._terminate()

    def _terminate_pool(self):
        self._state = TERMINATE
        self._wake.set()
        # The worker handler first, as CPython does: one that was starting a replacement when
        # the state changed would add a worker after the ones terminated here, and that
        # worker would take a task and keep join() waiting.
        if threading.current_thread() is not self._worker_handler:
            self._worker_handler.join()
        for w, _ in list(self._workers):
            if w.exitcode is None:
                w.terminate()
        for w, _ in list(self._workers):
            w.join(5)
        # The handlers may wait on queues nobody else feeds any more.
        try:
            self._taskqueue.put(None)
            self._outqueue.put(None)
        except Exception:
            pass
        self._task_handler.join(5)
        self._result_handler.join(5)

    def join(self):
        if self._state == RUN:
            raise ValueError('Pool is still running')
        self._worker_handler.join()
        self._task_handler.join()
        self._result_handler.join()
        for w, _ in list(self._workers):
            w.join()

    def __reduce__(self):
        raise NotImplementedError('pool objects cannot be passed between processes or pickled')

    def __enter__(self):
        self._check_running()
        return self

    def __exit__(self, *args):
        self.terminate()

    def __repr__(self):
        return '<%s.%s state=%s pool_size=%d>' % (type(self).__module__, type(self).__name__,
                                                  _STATE_NAMES[self._state], len(self._workers))


def _default_context():
    return context._default_context.get_context()


def _chunks(func, iterable, size):
    it = iter(iterable)
    while True:
        chunk = tuple(itertools.islice(it, size)) if size > 0 else ()
        if not chunk:
            return
        yield (func, chunk)


def _guarded(job, func, iterable):
    """The tasks of one job; if iterating the caller's iterable raises, one more task re-raises it."""
    i = -1
    try:
        for i, x in enumerate(iterable):
            yield (job, i, func, (x,), {})
    except Exception as e:
        yield (job, i + 1, _helper_reraises_exception, (e,), {})


class ApplyResult(object):
    def __init__(self, pool, callback, error_callback):
        self._pool = pool
        self._event = threading.Event()
        self._job = next(job_counter)
        self._cache = pool._cache
        self._callback = callback
        self._error_callback = error_callback
        self._cache[self._job] = self

    def ready(self):
        return self._event.is_set()

    def successful(self):
        if not self.ready():
            raise ValueError('{0!r} not ready'.format(self))
        return self._success

    def wait(self, timeout=None):
        self._event.wait(timeout)

    def get(self, timeout=None):
        self.wait(timeout)
        if not self.ready():
            raise TimeoutError
        if self._success:
            return self._value
        raise self._value

    def _set(self, i, obj):
        if self._job not in self._cache:
            return                          # already done (a lost worker reported late)
        self._success, self._value = obj
        if self._callback and self._success:
            self._callback(self._value)
        if self._error_callback and not self._success:
            self._error_callback(self._value)
        self._event.set()
        del self._cache[self._job]
        self._pool = None


AsyncResult = ApplyResult


class MapResult(ApplyResult):
    def __init__(self, pool, chunksize, length, callback, error_callback):
        ApplyResult.__init__(self, pool, callback, error_callback)
        self._success = True
        self._value = [None] * length
        self._chunksize = chunksize
        self._done = set()
        if chunksize <= 0:
            self._number_left = 0
            self._event.set()
            del self._cache[self._job]
        else:
            self._number_left = length // chunksize + bool(length % chunksize)

    def _set(self, i, success_result):
        if i in self._done or self._job not in self._cache:
            return
        self._done.add(i)
        self._number_left -= 1
        success, result = success_result
        if success and self._success:
            self._value[i * self._chunksize:(i + 1) * self._chunksize] = result
        elif not success and self._success:
            self._success = False           # only the first exception counts
            self._value = result
        if self._number_left == 0:
            # Ready only once every chunk is done, as in CPython.
            if self._success and self._callback:
                self._callback(self._value)
            if not self._success and self._error_callback:
                self._error_callback(self._value)
            del self._cache[self._job]
            self._event.set()
            self._pool = None


class _LockedHandoff(object):
    """How results reach the caller of imap's next() on GraalPy: its SimpleQueue is Java code (a
    put and a get take a few us, where a threading.Condition's notify and wait are many Python
    calls), but a get() that blocks in it lets no Ctrl-C through until an item comes. So the
    items go through a SimpleQueue and the one consumer sleeps on a lock (whose acquire a
    KeyboardInterrupt does end) that every put() releases."""

    def __init__(self):
        self._items = queue.SimpleQueue()
        self._wake = threading.Lock()       # locked: nothing new since the consumer looked
        self._wake.acquire()

    def put(self, item):
        self._items.put(item)
        if self._wake.locked():
            try:
                self._wake.release()
            except RuntimeError:
                pass                        # another put() released it first

    def get(self, block=True, timeout=None):
        deadline = None if timeout is None else time.time() + timeout
        while self._items.empty():
            if not block:
                raise queue.Empty
            if deadline is None:
                self._wake.acquire()
            else:
                left = deadline - time.time()
                if left <= 0 or not self._wake.acquire(True, left):
                    if self._items.empty():
                        raise queue.Empty
        return self._items.get(False)


# Python 2 (Jython) has no SimpleQueue, and a Jython signal handler interrupts no wait anyway.
_Handoff = _LockedHandoff if hasattr(queue, 'SimpleQueue') else queue.Queue
_LENGTH_KNOWN = object()        # handed over too: a next() waiting for more looks at the length


class IMapIterator(object):
    """imap's results in order. The result handler thread sorts them and hands them over through
    a queue that next() takes from in the caller's thread."""

    def __init__(self, pool):
        self._pool = pool
        self._lock = threading.Lock()       # what follows, shared by the result and task handlers
        self._job = next(job_counter)
        self._cache = pool._cache
        self._index = 0                     # results handed over
        self._length = None                 # tasks, once the task handler has put them all
        self._seen = set()
        self._unsorted = {}                 # results that came before their turn
        self._ready = _Handoff()
        self._taken = 0                     # results next() returned (the caller's thread only)
        self._cache[self._job] = self

    def __iter__(self):
        return self

    def next(self, timeout=None):
        while True:
            if self._taken == self._length:
                self._pool = None
                raise StopIteration
            try:
                if timeout is not None and timeout <= 0:
                    item = self._ready.get(False)   # as CPython's Condition.wait(0 or less)
                else:
                    item = self._ready.get(True, timeout)
            except queue.Empty:
                raise TimeoutError
            if item is not _LENGTH_KNOWN:
                break
        self._taken += 1
        success, value = item
        if success:
            return value
        raise value

    __next__ = next

    def _set(self, i, obj):
        with self._lock:
            if i in self._seen:
                return
            self._seen.add(i)
            self._deliver(i, obj)
            done = self._index == self._length
        if done:
            self._finish()

    def _deliver(self, i, obj):
        if self._index == i:
            self._ready.put(obj)
            self._index += 1
            while self._index in self._unsorted:
                self._ready.put(self._unsorted.pop(self._index))
                self._index += 1
        else:
            self._unsorted[i] = obj

    def _finish(self):
        self._cache.pop(self._job, None)
        self._pool = None

    def _set_length(self, length):
        with self._lock:
            self._length = length
            done = self._index == length
        self._ready.put(_LENGTH_KNOWN)
        if done:
            self._finish()


class IMapUnorderedIterator(IMapIterator):
    def _deliver(self, i, obj):
        self._ready.put(obj)
        self._index += 1


class _ThreadWorker(threading.Thread):
    """A ThreadPool worker: a thread with the little of Process that the pool uses."""

    def __init__(self, target=None, args=()):
        threading.Thread.__init__(self, target=target, args=args)
        self.pid = None

    @property
    def exitcode(self):
        if self.is_alive() or self.ident is None:
            return None
        return 0

    def terminate(self):
        pass                            # a thread cannot be stopped; it ends at the sentinel


class ThreadPool(Pool):
    """The Pool API with threads of this process as workers."""

    _wrap_exception = False

    @staticmethod
    def Process(ctx, *args, **kwds):
        return _ThreadWorker(*args, **kwds)

    def __init__(self, processes=None, initializer=None, initargs=()):
        Pool.__init__(self, processes, initializer, initargs)

    def _default_processes(self):
        return self._ctx.cpu_count()

    def _setup_queues(self):
        self._inqueue = queue.Queue()
        self._outqueue = queue.Queue()

    def _make_slots(self, n):
        return None

    def _task_function(self, func):
        return func                     # nothing is pickled

    def _worker_name(self, w):
        return w.name
