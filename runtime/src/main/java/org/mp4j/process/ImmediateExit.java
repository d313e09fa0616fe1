package org.mp4j.process;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Ends this JVM the way a CPython child ends after its job: {@code _exit(status)} through FFM.
 *
 * <p>{@code Runtime.halt()} first brings every JVM thread to a safepoint and tears the VM down;
 * for a child JVM holding a GraalPy engine that took ~0.35 s, all of it between the child's
 * last line and the parent's {@code join()} returning. {@code _exit} hands the process to the
 * kernel at once. Nothing is lost: Python's streams are flushed and the exit code is reported
 * before it is called, and Java's own streams are flushed here.
 */
final class ImmediateExit {
    private static final MethodHandle EXIT = Linker.nativeLinker().downcallHandle(
        Linker.nativeLinker().defaultLookup().find("_exit").orElseThrow(),
        FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));

    private ImmediateExit() {
    }

    /** Never returns: {@code _exit(status)}, or {@code Runtime.halt(status)} if that call fails. */
    static void exit(int status) {
        System.out.flush();
        System.err.flush();
        try {
            EXIT.invokeExact(status);
        } catch (Throwable t) {
            // fall through to the JVM's own way out
        }
        Runtime.getRuntime().halt(status);
    }
}
