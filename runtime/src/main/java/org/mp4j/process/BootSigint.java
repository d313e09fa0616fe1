package org.mp4j.process;

import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * Ctrl-C for a child JVM from its start until its job has set SIGINT as the script wants.
 *
 * <p>A CPython child has its SIGINT handler from its first instant (fork copies it; a spawned
 * interpreter installs it as it starts), so a Ctrl-C while the child still boots, or runs the
 * script's top level under spawn, interrupts it. A child JVM must not die of a Ctrl-C while it
 * waits in the warm pool (the root may catch the KeyboardInterrupt and start more children),
 * so the handler installed here ends nothing: it notes a SIGINT that comes after the
 * {@code start()} that took the child, and the job delivers it as soon as it has set SIGINT
 * ({@code spawn.take_sigint}).
 *
 * <p>"After the start" is decided by the machine's clock ({@link MonotonicClock}), not by the
 * job's arrival: {@code start()} returns once the job is on its way, and a Ctrl-C right after
 * it may reach the child before its job does (a child taken while it boots gets its job only
 * once it has connected; a child booting at background priority may read it late). The time
 * of a signal is when its Java handler runs, a little after the kernel delivered it, so a
 * Ctrl-C that hit the parent during the very {@code start()} may count as the job's too.
 *
 * <p>The JVM runs a signal's handler in a new thread, which may run after the job has set its
 * own handler and taken the note ({@link #takePending}): such a late note is sent to this
 * process again, once, for the handler that is in place now. A note after that means this
 * handler is in place again (GraalPy's {@code signal.signal(SIGINT, SIG_DFL)} puts back the
 * JVM handler it first replaced, which in a child is this one), and it ends the process by
 * SIGINT, as SIG_DFL would.
 */
public final class BootSigint {
    private static final int WATCHING = 0;
    private static final int PENDING = 1;        // a Ctrl-C came after the start
    private static final int HANDED_OVER = 2;    // the job took the note: its handler is in
    private static final int RESENT = 3;         // a late note was sent again once

    private final AtomicInteger state = new AtomicInteger(WATCHING);
    private volatile long startedNanos;                  // Long.MAX_VALUE while no start took it
    private volatile long lastSignalNanos = Long.MIN_VALUE;

    private BootSigint(boolean dedicated) {
        this.startedNanos = dedicated ? Long.MIN_VALUE : Long.MAX_VALUE;
    }

    /**
     * Takes SIGINT for a child; a dedicated child belongs to its start from its birth, a pooled
     * one from the time its parent sends ({@link #startedAt}). A child born while its parent
     * ignored SIGINT has it ignored, and the JVM installs nothing over an ignored signal: it is
     * given back to the default first (for the microseconds until the handler is in).
     */
    static BootSigint install(boolean dedicated) {
        BootSigint watch = new BootSigint(dedicated);
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

    // The two below each write their time, then read the other's (both volatile), so a signal
    // and a start that cross are seen by at least one of them.
    private void noteSignal() {
        long now = MonotonicClock.nanos();
        lastSignalNanos = now;
        if (now >= startedNanos) {
            note();
        }
    }

    private void note() {
        int was = state.compareAndExchange(WATCHING, PENDING);
        if (was == HANDED_OVER && state.compareAndSet(HANDED_OVER, RESENT)) {
            SignalDisposition.sendToSelf(SignalDisposition.SIGINT);
        } else if (was != WATCHING && was != PENDING) {
            // This handler is in place again: GraalPy puts back the handler it first replaced
            // when a script sets SIG_DFL, and SIGINT's default action ends the process.
            SignalDisposition.dieBy(SignalDisposition.SIGINT);
        }
    }

    /** The {@link MonotonicClock} time of the {@code start()} that took this child. */
    void startedAt(long nanos) {
        startedNanos = nanos;
        if (lastSignalNanos >= nanos) {
            note();
        }
    }

    /**
     * Called once the job's own SIGINT handler is in: whether a SIGINT came since the child was
     * started. A note made after this call is sent again (see above).
     */
    public boolean takePending() {
        return state.getAndSet(HANDED_OVER) == PENDING;
    }
}
