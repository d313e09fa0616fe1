package org.mp4j.synchronize;

import org.graalvm.polyglot.HostAccess;

/**
 * One process's handle on a Lock, RLock, Semaphore or BoundedSemaphore: the named semaphore that
 * all processes share, plus what CPython's {@code _multiprocessing.SemLock} keeps per process,
 * which thread acquired it last and how often this process holds it. That bookkeeping lives
 * here rather than in Python so that an acquire or a release is one call from Python: GraalPy
 * spent ~16 of a 21 us acquire+release on it.
 *
 * <p>A Python thread is a Java thread on both engines, so the owner is the calling thread.
 * Only the waiting sits outside the monitor: threads of one process may share a handle.
 */
public final class SemLock {
    public static final int RECURSIVE_MUTEX = 0;
    public static final int SEMAPHORE = 1;
    /** What {@link #release} answers: done, or why not (the Python side raises CPython's error). */
    public static final int RELEASED = 0;
    public static final int NOT_OWNED = 1;
    public static final int RELEASED_TOO_MANY_TIMES = 2;

    private final PosixSemaphore sem;
    private final int kind;
    private final int maxvalue;
    private Thread owner;       // the last thread of this process that acquired it; guarded by this
    private int count;          // how often this process holds it; guarded by this

    public SemLock(PosixSemaphore sem, int kind, int maxvalue) {
        if (kind != RECURSIVE_MUTEX && kind != SEMAPHORE) {
            throw new IllegalArgumentException("unknown kind " + kind);
        }
        this.sem = sem;
        this.kind = kind;
        this.maxvalue = maxvalue;
    }

    /** Acquires without waiting (again, for an RLock its thread holds); false if it is taken. */
    @HostAccess.Export
    public boolean acquireNow() {
        if (kind == RECURSIVE_MUTEX && holdsAgain()) {
            return true;
        }
        if (!sem.tryAcquire()) {
            return false;
        }
        acquired();
        return true;
    }

    /** Waits up to {@code seconds} (for ever if negative) to acquire; false if the time ran out. */
    @HostAccess.Export
    public boolean acquireWithin(double seconds) {
        if (kind == RECURSIVE_MUTEX && holdsAgain()) {
            return true;
        }
        if (!sem.acquire(seconds)) {
            return false;
        }
        acquired();
        return true;
    }

    /** Releases once: {@link #RELEASED}, or {@link #NOT_OWNED} / {@link #RELEASED_TOO_MANY_TIMES}. */
    @HostAccess.Export
    public int release() {
        if (kind == RECURSIVE_MUTEX) {
            synchronized (this) {
                if (!isMine()) {
                    return NOT_OWNED;
                }
                if (count > 1) {
                    count--;
                    return RELEASED;
                }
                count = 0;
            }
            sem.release();
            return RELEASED;
        }
        if (!sem.releaseUpTo(maxvalue)) {
            return RELEASED_TOO_MANY_TIMES;
        }
        synchronized (this) {
            if (count > 0) {
                count--;
            }
        }
        return RELEASED;
    }

    /** Whether the calling thread holds it (CPython's {@code _is_mine}). */
    @HostAccess.Export
    public synchronized boolean isMine() {
        return count > 0 && owner == Thread.currentThread();
    }

    /** How often this process holds it. */
    @HostAccess.Export
    public synchronized int count() {
        return count;
    }

    private synchronized boolean holdsAgain() {
        if (count > 0 && owner == Thread.currentThread()) {
            count++;
            return true;
        }
        return false;
    }

    private synchronized void acquired() {
        owner = Thread.currentThread();
        count++;
    }
}
