package org.mp4j.process;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The machine's monotonic clock, {@code clock_gettime(CLOCK_MONOTONIC)} through FFM, in
 * nanoseconds. It is one clock for every process of the machine, so a time a parent read can
 * be compared with one its child read; {@link System#nanoTime} promises that only within one JVM.
 *
 * <p>{@code struct timespec} on 64-bit Linux: {@code tv_sec} (int64) at 0, {@code tv_nsec}
 * (int64) at 8.
 */
final class MonotonicClock {
    private static final int CLOCK_MONOTONIC = 1;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle CLOCK_GETTIME = LINKER.downcallHandle(
        LINKER.defaultLookup().find("clock_gettime").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private MonotonicClock() {
    }

    static long nanos() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timespec = arena.allocate(16, 8);
            int rc = (int) CLOCK_GETTIME.invokeExact(CLOCK_MONOTONIC, timespec);
            if (rc != 0) {
                throw new IllegalStateException("clock_gettime(CLOCK_MONOTONIC) failed");
            }
            return timespec.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + timespec.get(ValueLayout.JAVA_LONG, 8);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
