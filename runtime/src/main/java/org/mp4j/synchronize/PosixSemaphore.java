package org.mp4j.synchronize;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import org.graalvm.polyglot.HostAccess;

/**
 * A named POSIX semaphore ({@code sem_open} and friends, through the FFM API), shared by every
 * process that opens the same name: the primitive under every mp4j lock, queue and event.
 *
 * <p>Timed waits use {@code sem_clockwait} on CLOCK_MONOTONIC, the clock of
 * {@link System#nanoTime()}, so they do not jump with the wall clock. A wait interrupted by a
 * signal is resumed with the time left.
 */
public final class PosixSemaphore implements AutoCloseable {
    /** The largest value a semaphore holds on Linux (SEM_VALUE_MAX). */
    public static final int VALUE_MAX = Integer.MAX_VALUE;

    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int CLOCK_MONOTONIC = 1;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int ETIMEDOUT = 110;

    /**
     * glibc's sem_t on 64-bit Linux: a 64-bit word whose low 32 bits are the value (the high
     * ones count waiters), then the private flag and padding. A spinning waiter reads the value
     * with a plain load instead of a sem_trywait downcall each time (200 of those, with pauses,
     * took ~100 µs here) and calls it only when the value is not zero; a wrong guess of the
     * layout would only make spinning useless.
     */
    private static final long SEM_T_SIZE = 32;
    private static final VarHandle VALUE = ValueLayout.JAVA_INT.varHandle();

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SEM_OPEN = LINKER.downcallHandle(LIBC.find("sem_open").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
        Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    private static final MethodHandle SEM_WAIT = handle("sem_wait", ValueLayout.ADDRESS);
    private static final MethodHandle SEM_TRYWAIT = handle("sem_trywait", ValueLayout.ADDRESS);
    private static final MethodHandle SEM_CLOCKWAIT = handle("sem_clockwait",
        ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS);
    /** sem_trywait without capturing errno: the uncontended fast path allocates nothing. */
    private static final MethodHandle SEM_TRYWAIT_FAST = LINKER.downcallHandle(LIBC.find("sem_trywait").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle SEM_POST = handle("sem_post", ValueLayout.ADDRESS);
    private static final MethodHandle SEM_GETVALUE = handle("sem_getvalue", ValueLayout.ADDRESS, ValueLayout.ADDRESS);
    private static final MethodHandle SEM_CLOSE = handle("sem_close", ValueLayout.ADDRESS);
    private static final MethodHandle SEM_UNLINK = handle("sem_unlink", ValueLayout.ADDRESS);

    private final String name;
    private final MemorySegment sem;
    /** The sem_t itself, to read its value while spinning (see {@link #VALUE}). */
    private final MemorySegment word;
    private final SpinWait spin = new SpinWait();
    private volatile boolean closed;

    private PosixSemaphore(String name, MemorySegment sem) {
        this.name = name;
        this.sem = sem;
        this.word = sem.reinterpret(SEM_T_SIZE);
    }

    private static MethodHandle handle(String fn, MemoryLayout... args) {
        return LINKER.downcallHandle(LIBC.find(fn).orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, args),
            CAPTURE_ERRNO);
    }

    /** Creates a new semaphore; fails if the name exists. Names look like {@code /mp4j.…}. */
    public static PosixSemaphore create(String name, int value) {
        return open(name, O_CREAT | O_EXCL, value);
    }

    /** Opens an existing semaphore by name. */
    public static PosixSemaphore attach(String name) {
        return open(name, 0, 0);
    }

    private static PosixSemaphore open(String name, int flags, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment p = (MemorySegment) SEM_OPEN.invokeExact(state, arena.allocateFrom(name), flags, 0600, value);
            if (p.address() == 0 || p.address() == -1L) {
                throw new IllegalStateException("sem_open(" + name + ") failed: errno " + (int) ERRNO.get(state, 0L));
            }
            return new PosixSemaphore(name, p);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @HostAccess.Export
    public String name() {
        return name;
    }

    /**
     * Decrements the semaphore, waiting while it is zero: for ever if {@code timeoutSeconds} is
     * negative, not at all if it is zero. Returns false if it timed out.
     */
    @HostAccess.Export
    public boolean acquire(double timeoutSeconds) {
        return acquireNanos(timeoutSeconds < 0 ? -1 : (long) (timeoutSeconds * 1e9));
    }

    public boolean acquireNanos(long timeoutNanos) {
        checkOpen();
        long began = System.nanoTime();
        if (timeoutNanos != 0 && spinFor(began, timeoutNanos)) {
            return true;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if (timeoutNanos == 0) {
                int rc = (int) SEM_TRYWAIT.invokeExact(state, sem);
                if (rc == 0) {
                    return true;
                }
                int errno = (int) ERRNO.get(state, 0L);
                if (errno == EAGAIN) {
                    return false;
                }
                throw failure("sem_trywait", errno);
            }
            if (timeoutNanos < 0) {
                while (true) {
                    int rc = (int) SEM_WAIT.invokeExact(state, sem);
                    if (rc == 0) {
                        spin.slept(began);
                        return true;
                    }
                    int errno = (int) ERRNO.get(state, 0L);
                    if (errno != EINTR) {
                        throw failure("sem_wait", errno);
                    }
                }
            }
            long deadline = began + timeoutNanos;
            MemorySegment ts = arena.allocate(ValueLayout.JAVA_LONG, 2);
            ts.setAtIndex(ValueLayout.JAVA_LONG, 0, Math.floorDiv(deadline, 1_000_000_000L));
            ts.setAtIndex(ValueLayout.JAVA_LONG, 1, Math.floorMod(deadline, 1_000_000_000L));
            while (true) {
                int rc = (int) SEM_CLOCKWAIT.invokeExact(state, sem, CLOCK_MONOTONIC, ts);
                if (rc == 0) {
                    spin.slept(began);
                    return true;
                }
                int errno = (int) ERRNO.get(state, 0L);
                if (errno == ETIMEDOUT) {
                    spin.timedOut();
                    return false;
                }
                if (errno != EINTR) {
                    throw failure("sem_clockwait", errno);
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Watches the value for a while ({@link SpinWait}, never past the wait's own timeout)
     * before the caller sleeps in the kernel: a lock is mostly held for a moment, and an answer
     * between two processes mostly comes within microseconds.
     */
    private boolean spinFor(long began, long timeoutNanos) {
        try {
            if ((int) SEM_TRYWAIT_FAST.invokeExact(sem) == 0) {
                return true;
            }
            if (!spin.enabled()) {
                return false;
            }
            long deadline = spin.deadline(began);
            if (timeoutNanos > 0 && deadline - (began + timeoutNanos) > 0) {
                deadline = began + timeoutNanos;
            }
            do {
                for (int i = 0; i < 64; i++) {
                    if ((int) VALUE.getVolatile(word, 0L) != 0 && (int) SEM_TRYWAIT_FAST.invokeExact(sem) == 0) {
                        return true;
                    }
                    Thread.onSpinWait();
                }
            } while (SpinWait.goOn(deadline));
            return false;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The value as a spinning waiter reads it from the sem_t (what the layout above assumes). */
    int spinVisibleValue() {
        return (int) VALUE.getVolatile(word, 0L);
    }

    /** Decrements the semaphore if it is above zero, without waiting: the uncontended fast path. */
    @HostAccess.Export
    public boolean tryAcquire() {
        checkOpen();
        int rc;
        try {
            rc = (int) SEM_TRYWAIT_FAST.invokeExact(sem);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return rc == 0 || acquireNanos(0);      // again with errno: anything but EAGAIN is an error
    }

    /**
     * Increments the semaphore unless its value is already {@code max} or more (a bounded
     * semaphore's over-release check; pass VALUE_MAX for none). Returns false if it did not.
     */
    @HostAccess.Export
    public boolean releaseUpTo(int max) {
        if (max < VALUE_MAX && value() >= max) {
            return false;
        }
        release();
        return true;
    }

    /** Increments the semaphore, waking one waiter. */
    @HostAccess.Export
    public void release() {
        checkOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) SEM_POST.invokeExact(state, sem);
            if (rc != 0) {
                throw failure("sem_post", (int) ERRNO.get(state, 0L));
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The current value (a snapshot: other processes may change it at once). */
    @HostAccess.Export
    public int value() {
        checkOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            int rc = (int) SEM_GETVALUE.invokeExact(state, sem, out);
            if (rc != 0) {
                throw failure("sem_getvalue", (int) ERRNO.get(state, 0L));
            }
            return Math.max(0, out.get(ValueLayout.JAVA_INT, 0));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("semaphore " + name + " is closed");
        }
    }

    private IllegalStateException failure(String call, int errno) {
        return new IllegalStateException(call + "(" + name + ") failed: errno " + errno);
    }

    /** Closes this process's handle; the semaphore lives on for the others. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) SEM_CLOSE.invokeExact(arena.allocate(CALL_STATE), sem);
        } catch (Throwable t) {
            // closing anyway
        }
    }

    /** Removes the name; processes that have it open keep using it. */
    public static void unlink(String name) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) SEM_UNLINK.invokeExact(arena.allocate(CALL_STATE), arena.allocateFrom(name));
        } catch (Throwable t) {
            // already gone
        }
    }
}
