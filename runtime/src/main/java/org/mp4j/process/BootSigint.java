package org.mp4j.process;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import sun.misc.Signal;

/**
 * Ctrl-C for a child JVM from its start until its job has set SIGINT as the script wants.
 *
 * <p>A CPython child has its SIGINT handler from its first instant (fork copies it; a spawned
 * interpreter installs it as it starts), so a Ctrl-C while the child still boots, or runs the
 * script's top level under spawn, interrupts it. A child JVM must not die of a Ctrl-C while it
 * waits in the warm pool (the root may catch the KeyboardInterrupt and start more children),
 * so the handler installed here ends nothing: it notes a SIGINT that comes once the job is
 * there, and the job delivers it as soon as it has set SIGINT ({@code spawn.take_sigint}).
 */
public final class BootSigint {
    private final BooleanSupplier hasJob;
    private final AtomicBoolean pending = new AtomicBoolean();

    private BootSigint(BooleanSupplier hasJob) {
        this.hasJob = hasJob;
    }

    /**
     * Takes SIGINT for a child; {@code hasJob} says whether it belongs to a start yet (a pooled
     * child from its job's arrival, a dedicated one from its birth). A child born while its
     * parent ignored SIGINT has it ignored, and the JVM installs nothing over an ignored signal:
     * it is given back to the default first (for the microseconds until the handler is in).
     */
    static BootSigint install(BooleanSupplier hasJob) {
        BootSigint watch = new BootSigint(hasJob);
        if (SignalDisposition.isIgnored(SignalDisposition.SIGINT)) {
            SignalDisposition.restoreDefault(SignalDisposition.SIGINT);
        }
        try {
            Signal.handle(new Signal("INT"), s -> watch.noteSignal());
        } catch (IllegalArgumentException e) {
            // the JVM keeps SIGINT for itself (-Xrs): ignored, at least it ends no pooled child
            SignalDisposition.ignore(SignalDisposition.SIGINT);
        }
        return watch;
    }

    private void noteSignal() {
        if (hasJob.getAsBoolean()) {
            pending.set(true);
        }
    }

    /** Whether a SIGINT came since the child had a job; the note is cleared. */
    public boolean takePending() {
        return pending.getAndSet(false);
    }
}
