package org.mp4j.process;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A signal's action at the kernel level ({@code signal}, {@code sigaction}, {@code kill} through
 * FFM), where the JVM's own signal API cannot reach.
 *
 * <p>SIGTERM: a child JVM gives it back to the kernel's default action, which ends the process
 * the moment the signal arrives, as it ends a CPython child on {@code p.terminate()}, instead
 * of waking a JVM thread that must be scheduled first (on a loaded machine that took more than
 * half a second). A handler the script installs later with {@code signal.signal()} goes through
 * the JVM and replaces the default again.
 *
 * <p>SIGINT (Ctrl-C reaches every process of the terminal's foreground group): a child JVM
 * survives it while it waits in the warm pool ({@link BootSigint}), so that a root that catches
 * {@code KeyboardInterrupt} and goes on still has its pool; its job then sets what a CPython
 * child would have (see {@code spawn.py}). A process whose script or job ended on an uncaught
 * {@code KeyboardInterrupt} dies by SIGINT, as CPython does ({@link #dieBy}).
 *
 * <p>Only {@code sa_handler}, the first field of Linux's {@code struct sigaction}, is read
 * ({@code SIG_DFL} is 0, {@code SIG_IGN} is 1); the buffer is larger than the whole struct
 * (152 bytes on x86-64 glibc), so any layout of the fields after it fits.
 */
public final class SignalDisposition {
    public static final int SIGINT = 2;
    static final int SIGTERM = 15;

    private static final long SIG_IGN = 1L;
    private static final long SIGACTION_BUFFER = 512;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SIGNAL = LINKER.downcallHandle(
        LINKER.defaultLookup().find("signal").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle SIGACTION = LINKER.downcallHandle(
        LINKER.defaultLookup().find("sigaction").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle KILL = LINKER.downcallHandle(
        LINKER.defaultLookup().find("kill").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private SignalDisposition() {
    }

    /** Restores the default action of {@code sig}; false if the call failed. */
    public static boolean restoreDefault(int sig) {
        return set(sig, MemorySegment.NULL);
    }

    /** Ignores {@code sig} from now on; false if the call failed. */
    public static boolean ignore(int sig) {
        return set(sig, MemorySegment.ofAddress(SIG_IGN));
    }

    /** Whether {@code sig} is ignored now (read with {@code sigaction}, nothing changed). */
    public static boolean isIgnored(int sig) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(SIGACTION_BUFFER, 8);
            int rc = (int) SIGACTION.invokeExact(sig, MemorySegment.NULL, old);
            return rc == 0 && old.get(ValueLayout.JAVA_LONG, 0) == SIG_IGN;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * Never returns: ends this process by {@code sig} with its default action, as CPython ends
     * after an uncaught KeyboardInterrupt (its parent then sees the signal, a shell 128 + sig);
     * {@code Runtime.halt(128 + sig)} if that fails.
     */
    public static void dieBy(int sig) {
        System.out.flush();
        System.err.flush();
        if (restoreDefault(sig)) {
            try {
                sendToSelf(sig);
                Thread.sleep(1000);         // the signal is on its way to some thread of ours
            } catch (IllegalStateException | InterruptedException e) {
                // fall through to the JVM's own way out
            }
        }
        Runtime.getRuntime().halt(128 + sig);
    }

    /** Sends {@code sig} to this process, to be taken by whatever handles it now. */
    static void sendToSelf(int sig) {
        int rc;
        try {
            rc = (int) KILL.invokeExact((int) ProcessHandle.current().pid(), sig);
        } catch (Throwable t) {
            throw new IllegalStateException("kill(getpid(), " + sig + ") failed", t);
        }
        if (rc != 0) {
            throw new IllegalStateException("kill(getpid(), " + sig + ") failed");
        }
    }

    private static boolean set(int sig, MemorySegment action) {
        try {
            MemorySegment previous = (MemorySegment) SIGNAL.invokeExact(sig, action);
            return previous.address() != -1L;                  // SIG_ERR
        } catch (Throwable t) {
            return false;
        }
    }
}
