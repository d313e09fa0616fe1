package org.mp4j.process;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Child JVMs started ahead of need, each booting or already holding a warm engine, so that
 * {@code Process.start()} finds one ready and the target runs within milliseconds instead of
 * the seconds a JVM needs to boot.
 *
 * <p>{@link #take()} hands out the oldest pooled child (the one nearest to ready) and starts a
 * replacement. Every pooled child is a fresh JVM that has never run Python code of the user's,
 * so the isolation of a new process is kept; pooled JVMs are not reused after a job.
 */
public final class WarmPool implements AutoCloseable {
    private final ChildLauncher launcher;
    private final int size;
    private final Deque<ChildProcess> idle = new ArrayDeque<>();   // guarded by this
    private boolean closed;                                         // guarded by this

    public WarmPool(ChildLauncher launcher, int size) {
        this.launcher = launcher;
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** Starts children until {@code size} are pooled. */
    public synchronized void fill() {
        idle.removeIf(c -> c.poll() != null);
        while (!closed && idle.size() < size) {
            idle.addLast(launcher.launch());
        }
    }

    /**
     * Waits until some pooled child is ready, or the timeout passes, or none is left booting.
     * The launcher calls it before running a script, so that the first {@code start()} is warm.
     */
    public void awaitReady(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            synchronized (this) {
                idle.removeIf(c -> c.poll() != null);
                if (idle.isEmpty() || idle.stream().anyMatch(ChildProcess::isReady)) {
                    return;
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A pooled child (ready if any is), or a newly launched one when the pool is empty. */
    public ChildProcess take() {
        ChildProcess chosen = null;
        synchronized (this) {
            idle.removeIf(c -> c.poll() != null);
            for (ChildProcess c : idle) {
                if (c.isReady()) {
                    chosen = c;
                    break;
                }
            }
            if (chosen == null) {
                chosen = idle.pollFirst();
            } else {
                idle.remove(chosen);
            }
        }
        if (chosen == null) {
            chosen = launcher.launch();
        }
        Thread.ofVirtual().name("mp4j-pool-refill").start(this::fill);
        return chosen;
    }

    @Override
    public void close() {
        List<ChildProcess> left;
        synchronized (this) {
            closed = true;
            left = new ArrayList<>(idle);
            idle.clear();
        }
        for (ChildProcess c : left) {
            c.kill();
        }
    }
}
