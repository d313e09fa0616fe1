package org.mp4j.synchronize;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import org.graalvm.polyglot.HostAccess;
import org.mp4j.shm.SharedNames;
import org.mp4j.shm.SharedSegment;

/**
 * multiprocessing's Event in one word of shared memory and a Linux futex on another: each of
 * {@code is_set}, {@code set}, {@code clear} and {@code wait} is one call from Python. (The
 * event CPython builds from a Condition and a semaphore makes 6-7 semaphore calls, each a
 * Python call and a Java call, for a set() or a wait() that need not wait, counted in its code.)
 *
 * <p>Segment {@code /dev/shm/<name>}, 16 bytes, native order, every field read and written
 * atomically:
 * <pre>
 *   0  int  flag        1 while set
 *   4  int  generation  +1 at every set(); sleeping waiters wait on this word (FUTEX_WAIT)
 *   8  int  sleepers    waiters inside FUTEX_WAIT, so that set() calls FUTEX_WAKE only for them
 * </pre>
 * A waiter counts itself among the sleepers before it sleeps and set() bumps the generation
 * before it reads the count (both atomic read-modify-writes, so one of them sees the other);
 * FUTEX_WAIT sleeps only while the generation is still the one the waiter read. As CPython's
 * multiprocessing Event, {@code wait} returns the flag as it is once the wait ends (false if
 * a set() was followed by a clear() before the waiter looked). Waiters spin for a while before
 * they sleep ({@link SpinWait}).
 */
public final class SharedEvent implements AutoCloseable {
    private static final long FLAG = 0;
    private static final long GENERATION = 4;
    private static final long SLEEPERS = 8;
    private static final long SIZE = 16;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private static final int FUTEX_WAIT = 0;            // not FUTEX_PRIVATE: other processes wait too
    private static final int FUTEX_WAKE = 1;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int ETIMEDOUT = 110;
    private static final long SYS_FUTEX = futexSyscallNumber(System.getProperty("os.arch"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** long syscall(long number, int *uaddr, int op, int val, const struct timespec *timeout). */
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
        Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    private final SharedSegment segment;
    private final MemorySegment mem;
    private final MemorySegment generationWord;
    private final SpinWait spin = new SpinWait();

    private SharedEvent(SharedSegment segment) {
        this.segment = segment;
        this.mem = segment.memory();
        this.generationWord = mem.asSlice(GENERATION, 4);
    }

    static long futexSyscallNumber(String arch) {
        switch (arch) {
            case "amd64":
            case "x86_64":
                return 202;
            case "aarch64":
                return 98;
            default:
                return -1;              // the first use fails with a clear message
        }
    }

    /** A new event, not set. */
    public static SharedEvent create(SharedNames names) {
        return new SharedEvent(SharedSegment.create(names.next(), SIZE));
    }

    /** Opens the event another process of the tree made. */
    public static SharedEvent attach(String name) {
        return new SharedEvent(SharedSegment.attach(name));
    }

    @HostAccess.Export
    public String name() {
        return segment.name();
    }

    @HostAccess.Export
    public boolean isSet() {
        return (int) INT.getVolatile(mem, FLAG) != 0;
    }

    /** Sets the flag and wakes every waiter. */
    @HostAccess.Export
    public void set() {
        INT.setVolatile(mem, FLAG, 1);
        INT.getAndAdd(mem, GENERATION, 1);
        if ((int) INT.getVolatile(mem, SLEEPERS) > 0) {
            futex(FUTEX_WAKE, Integer.MAX_VALUE, MemorySegment.NULL);
        }
    }

    @HostAccess.Export
    public void clear() {
        INT.setVolatile(mem, FLAG, 0);
    }

    /**
     * Waits until the flag is set, for {@code timeoutSeconds} (for ever if negative); returns
     * the flag. Named so because {@code wait} is Object's.
     */
    @HostAccess.Export
    public boolean waitSet(double timeoutSeconds) {
        if (isSet()) {
            return true;
        }
        long began = System.nanoTime();
        long timeoutNanos = timeoutSeconds < 0 ? -1 : (long) (timeoutSeconds * 1e9);
        int generation = (int) INT.getVolatile(mem, GENERATION);
        if (isSet() || timeoutNanos == 0) {
            return isSet();
        }
        if (spin.enabled()) {
            long deadline = spin.deadline(began);
            if (timeoutNanos > 0 && deadline - (began + timeoutNanos) > 0) {
                deadline = began + timeoutNanos;
            }
            do {
                for (int i = 0; i < 64; i++) {
                    if ((int) INT.getVolatile(mem, GENERATION) != generation) {
                        return isSet();
                    }
                    Thread.onSpinWait();
                }
            } while (SpinWait.goOn(deadline));
        }
        INT.getAndAdd(mem, SLEEPERS, 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment relative = arena.allocate(ValueLayout.JAVA_LONG, 2);
            while ((int) INT.getVolatile(mem, GENERATION) == generation) {
                MemorySegment timeout = MemorySegment.NULL;
                if (timeoutNanos >= 0) {
                    long left = began + timeoutNanos - System.nanoTime();
                    if (left <= 0) {
                        spin.timedOut();
                        return isSet();
                    }
                    relative.setAtIndex(ValueLayout.JAVA_LONG, 0, left / 1_000_000_000L);
                    relative.setAtIndex(ValueLayout.JAVA_LONG, 1, left % 1_000_000_000L);
                    timeout = relative;
                }
                futex(FUTEX_WAIT, generation, timeout);
            }
            spin.slept(began);
            return isSet();
        } finally {
            INT.getAndAdd(mem, SLEEPERS, -1);
        }
    }

    /** One futex call on the generation word; a wait that ended early is the caller's to retry. */
    private void futex(int op, int value, MemorySegment timeout) {
        if (SYS_FUTEX < 0) {
            throw new UnsupportedOperationException("mp4j's Event needs the futex system call number of "
                + System.getProperty("os.arch") + ", which it does not know");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long rc = (long) SYSCALL.invokeExact(state, SYS_FUTEX, generationWord, op, value, timeout);
            if (rc < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                if (errno != EAGAIN && errno != EINTR && errno != ETIMEDOUT) {
                    throw new IllegalStateException("futex(" + segment.name() + ", op " + op + ") failed: errno " + errno);
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        segment.close();
    }
}
