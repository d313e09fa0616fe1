package org.mp4j.synchronize;

/**
 * How long one waiter (a semaphore or a socket of this process) keeps checking before it
 * sleeps in the kernel, adapted to how long its waits turn out to be.
 *
 * <p>Why: in a round trip between two mp4j processes that both sleep while they wait, falling
 * asleep and waking up cost more than the work (a pipe echo took 120-200 µs a round trip here,
 * 50 µs of it work; a manager request 200-250 µs); a waiter that stays awake until the answer
 * comes makes it 40-90 µs (pipe) and ~100 µs (manager). Spinning through waits that last
 * long would burn a core for nothing, so the budget follows the waits: a wait that slept but
 * would have been caught within the limit raises the budget to twice its length; a wait longer
 * than twice the limit (or one that timed out) halves it, down to 5 µs for a waiter that mostly
 * waits long. Waits in between leave it: a round trip whose two sides slept takes longer than
 * one whose sides spun, and it must not keep them sleeping.
 *
 * <p>The limit is {@code MP4J_SPIN_MICROS} microseconds (default {@value #DEFAULT_MICROS}; 0 turns
 * spinning off). The budget is updated without locking: concurrent waiters may lose an update,
 * which only delays the adaptation.
 */
public final class SpinWait {
    static final long DEFAULT_MICROS = 300;
    /** The limit of every budget in this process, in nanoseconds. */
    static final long LIMIT_NANOS = limitNanos(System.getenv("MP4J_SPIN_MICROS"));
    private static final long FLOOR_NANOS = 5_000;

    private final long limitNanos;
    private final long floorNanos;
    private long budgetNanos;

    /** A waiter with this process's limit. */
    public SpinWait() {
        this(LIMIT_NANOS);
    }

    SpinWait(long limitNanos) {
        this.limitNanos = limitNanos;
        this.floorNanos = Math.min(limitNanos, FLOOR_NANOS);
        this.budgetNanos = limitNanos;
    }

    static long limitNanos(String micros) {
        if (micros != null && !micros.isBlank()) {
            try {
                return Math.max(0, Long.parseLong(micros.trim())) * 1000;
            } catch (NumberFormatException e) {
                // the default, as for an unset variable
            }
        }
        return DEFAULT_MICROS * 1000;
    }

    /** Whether this waiter spins at all. */
    public boolean enabled() {
        return limitNanos > 0;
    }

    /** When a spin of a wait that began at {@code began} must end ({@link System#nanoTime()}). */
    public long deadline(long began) {
        return began + budgetNanos;
    }

    /** Pauses the CPU a moment; true while {@code deadline} is still ahead. */
    public static boolean goOn(long deadline) {
        Thread.onSpinWait();
        return System.nanoTime() - deadline < 0;
    }

    /** A wait that began at {@code began} slept, and got what it waited for now. */
    public void slept(long began) {
        long waited = System.nanoTime() - began;
        if (waited <= limitNanos) {
            budgetNanos = Math.min(limitNanos, Math.max(budgetNanos, 2 * waited));
        } else if (waited > 2 * limitNanos) {
            budgetNanos = Math.max(floorNanos, budgetNanos / 2);
        }
    }

    /** A wait that timed out: counted as a long one, whatever its timeout. */
    public void timedOut() {
        budgetNanos = Math.max(floorNanos, budgetNanos / 2);
    }
}
