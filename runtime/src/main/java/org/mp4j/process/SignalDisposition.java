package org.mp4j.process;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Gives a signal back to the kernel's default action ({@code signal(sig, SIG_DFL)} through FFM).
 *
 * <p>A child JVM uses it for SIGTERM: the kernel then ends the process the moment the signal
 * arrives, as it ends a CPython child on {@code p.terminate()}, instead of waking a JVM thread
 * that must be scheduled first (on a loaded machine that took more than half a second). A
 * handler the script installs later with {@code signal.signal()} goes through the JVM and
 * replaces the default again.
 */
final class SignalDisposition {
    static final int SIGTERM = 15;

    private static final MethodHandle SIGNAL = Linker.nativeLinker().downcallHandle(
        Linker.nativeLinker().defaultLookup().find("signal").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private SignalDisposition() {
    }

    /** Restores the default action of {@code sig}; false if the call failed. */
    static boolean restoreDefault(int sig) {
        try {
            MemorySegment previous = (MemorySegment) SIGNAL.invokeExact(sig, MemorySegment.NULL);
            return previous.address() != -1L;                  // SIG_ERR
        } catch (Throwable t) {
            return false;
        }
    }
}
