package org.mp4j.process;

/**
 * Turns what the JVM saw of a child into CPython's {@code Process.exitcode}.
 *
 * <p>A child that finishes its Python code reports its own exit code on the control channel
 * before it halts, so any value 0..255 is taken as is. A child that dies without a report was
 * ended by a signal; the JDK reports that as 128 + signal (and a JVM ending on SIGTERM exits
 * with 143 too), which CPython shows as the negative signal number.
 */
public final class ExitStatus {
    /**
     * What the Python side returns for a script or job ended by an uncaught KeyboardInterrupt:
     * the process then dies by SIGINT, as CPython does (a shell sees 130, a Python parent -2).
     */
    public static final int DIED_BY_SIGINT = -2;

    private ExitStatus() {
    }

    public static int toExitCode(Integer reported, int jvmExitValue) {
        if (reported != null) {
            return reported;
        }
        if (jvmExitValue > 128 && jvmExitValue < 128 + 65) {
            return -(jvmExitValue - 128);
        }
        return jvmExitValue;
    }
}
