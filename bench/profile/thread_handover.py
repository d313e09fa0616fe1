"""Two threads of one process hand a token back and forth through each kind of primitive.

    ./mp4j bench/profile/thread_handover.py [ROUNDS]      (also runs on python3 and python2.7)

Prints the time per round trip (two hand-overs). On GraalPy a blocking Lock.acquire() lets go
of the global interpreter lock before it even tries the lock, so every `with lock:` is a
chance for another thread to take the interpreter: primitives built on threading.Condition
(Semaphore, Event, queue.Queue) pay for that several times a hand-over.
"""
from __future__ import print_function, division

import collections
import sys
import threading
import time

try:
    import queue
except ImportError:                     # Python 2
    import Queue as queue


def lock_pair():
    lock = threading.Lock()
    lock.acquire()
    return lock.acquire, lock.release


def semaphore_pair():
    sem = threading.Semaphore(0)
    return sem.acquire, sem.release


def event_pair():
    ev = threading.Event()

    def wait():
        ev.wait()
        ev.clear()
    return wait, ev.set


def queue_pair(kind):
    def make():
        q = kind()
        return q.get, lambda: q.put(1)
    return make


class WaiterLocks(object):
    """A deque with one Lock per waiting getter; the deque's mutex taken by a non-blocking
    acquire first, which on GraalPy keeps the interpreter lock when the mutex is free."""

    def __init__(self):
        self.mutex = threading.Lock()
        self.items = collections.deque()
        self.waiters = collections.deque()

    def lock(self):
        if not self.mutex.acquire(False):
            self.mutex.acquire()

    def put(self):
        self.lock()
        self.items.append(1)
        waiter = self.waiters.popleft() if self.waiters else None
        self.mutex.release()
        if waiter is not None:
            waiter.release()

    def get(self):
        while True:
            self.lock()
            if self.items:
                self.items.popleft()
                self.mutex.release()
                return
            waiter = threading.Lock()
            waiter.acquire()
            self.waiters.append(waiter)
            self.mutex.release()
            waiter.acquire()


def waiter_locks_pair():
    q = WaiterLocks()
    return q.get, q.put


def time_round_trips(make_pair, rounds):
    (a_wait, a_signal), (b_wait, b_signal) = make_pair(), make_pair()

    def other():
        for _ in range(rounds):
            a_wait()
            b_signal()
    t = threading.Thread(target=other)
    t.start()
    started = time.time()
    for _ in range(rounds):
        a_signal()
        b_wait()
    t.join()
    return (time.time() - started) / rounds * 1e6


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    kinds = [('threading.Lock', lock_pair), ('threading.Semaphore', semaphore_pair),
             ('threading.Event', event_pair), ('queue.Queue', queue_pair(queue.Queue)),
             ('deque + waiter Locks, mutex tried first', waiter_locks_pair)]
    if hasattr(queue, 'SimpleQueue'):
        kinds.insert(1, ('queue.SimpleQueue', queue_pair(queue.SimpleQueue)))
    for name, make_pair in kinds:
        times = [time_round_trips(make_pair, rounds) for _ in range(2)]
        print('%-42s %s us per round trip' % (name, ' / '.join('%.1f' % t for t in times)))


if __name__ == '__main__':
    main()
