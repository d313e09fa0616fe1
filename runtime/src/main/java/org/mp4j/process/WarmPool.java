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
 * replacement. Only the first child of the first fill boots at normal priority (the first start
 * is about to come); the others boot in the background ({@link BootPriority}), unless starts
 * outrun the pool while the cores are not all busy booting children already taken, and are
 * raised to normal priority when taken or waited for. Every pooled
 * child is a fresh JVM that has never run Python code of the user's, so the isolation of a new
 * process is kept.
 *
 * <p>Starts that let a JVM serve again ({@link #takeToServeAgain}, forkserver) get the JVMs
 * that come back from such starts: a job that left its process clean ends with a fresh
 * interpreter in the same JVM (see ChildMain), which waits here for the next such start, so a
 * run of starts does not wait for JVMs to boot. Those JVMs keep their pid, as one forkserver
 * process serves many starts; other start methods never get them.
 */
public final class WarmPool implements AutoCloseable {
    private final ChildLauncher launcher;
    private final int size;
    private final int cores;
    private final Deque<ChildProcess> idle = new ArrayDeque<>();   // guarded by this
    private final List<ChildProcess> booting = new ArrayList<>(); // taken, not ready yet; guarded by this
    private final Deque<ChildProcess> served = new ArrayDeque<>(); // back after a job, for takeToServeAgain; guarded by this
    private boolean closed;                                         // guarded by this
    private int misses;             // takes that found no pooled child ready; guarded by this

    public WarmPool(ChildLauncher launcher, int size) {
        this(launcher, size, Runtime.getRuntime().availableProcessors());
    }

    /** {@code cores}: how many taken children may boot at once before refills yield to them. */
    WarmPool(ChildLauncher launcher, int size, int cores) {
        this.launcher = launcher;
        this.size = size;
        this.cores = cores;
    }

    public int size() {
        return size;
    }

    /**
     * Starts children until {@code size} are pooled: the first at normal priority, since the
     * script's first {@code start()} is expected soon and the launcher waits for it; the others
     * in the background, so that on a busy machine a script that starts one process does not
     * pay for booting JVMs it never uses (a take raises them when they are needed).
     */
    public synchronized void fill() {
        idle.removeIf(c -> c.poll() != null);
        if (!closed && idle.isEmpty() && size > 0) {
            idle.addLast(launcher.launch(false));
        }
        fill(true);
    }

    /** Starts children until {@code size} are pooled; a refill after a take boots in the background. */
    private synchronized void fill(boolean background) {
        idle.removeIf(c -> c.poll() != null);
        while (!closed && idle.size() < size) {
            idle.addLast(launcher.launch(background));
        }
    }

    /**
     * Waits until some pooled child is ready, or the timeout passes, or none is left booting.
     * The launcher calls it before running a script, so that the first {@code start()} is warm.
     */
    public void awaitReady(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        ChildProcess first;
        synchronized (this) {
            first = idle.peekFirst();
        }
        if (first != null) {
            launcher.foreground(first);         // somebody waits for it now
        }
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

    /**
     * A pooled child (ready if any is), or a newly launched one when the pool is empty.
     *
     * <p>When no pooled child was ready although the one taken booted at normal priority, or
     * for the second time, starts are outrunning the pool: then every pooled child and the
     * replacement boot at normal priority, since each will be taken soon (sequential starts
     * waited ~2.2 s each for a background boot otherwise). Otherwise the replacement boots in
     * the background, leaving the CPU to the script's work (on a busy machine a script that
     * starts two processes used to pay for two more JVMs booted at full speed and never used).
     * While taken children that are not ready yet fill the cores, the pool's children and the
     * replacement stay in the background too: the started processes are wanted now, a refill
     * only later (8 starts at once took 31-37 s with two refills booting beside them).
     */
    public ChildProcess take() {
        ChildProcess chosen = null;
        boolean outrun;
        boolean chosenBoots;
        boolean saturated;
        List<ChildProcess> waiting;
        synchronized (this) {
            idle.removeIf(c -> c.poll() != null);
            for (ChildProcess c : idle) {
                if (c.isReady()) {
                    chosen = c;
                    break;
                }
            }
            if (chosen != null) {
                idle.remove(chosen);
                outrun = false;
            } else {
                chosen = idle.pollFirst();
                misses++;
                // A child that booted at full speed and is still not ready means starts outrun
                // the pool, and so does a second miss. A first miss on a child still in the
                // background (a script's second process) merely raises that child.
                outrun = chosen == null || !chosen.isLowered() || misses > 1;
            }
            booting.removeIf(c -> c.isReady() || c.poll() != null);
            chosenBoots = chosen == null || !chosen.isReady();
            saturated = chosenBoots && booting.size() + 1 >= cores;
            waiting = outrun && !saturated ? new ArrayList<>(idle) : List.of();
        }
        if (chosen == null) {
            chosen = launcher.launch();
        } else {
            launcher.foreground(chosen);
        }
        if (chosenBoots) {
            synchronized (this) {
                booting.add(chosen);
            }
        }
        waiting.forEach(launcher::foreground);
        boolean background = !outrun || saturated;
        Thread.ofVirtual().name("mp4j-pool-refill").start(() -> fill(background));
        return chosen;
    }

    /**
     * A child for a start whose JVM may serve again afterwards (forkserver): one back from
     * such a start if one is ready, else a fresh one if one is ready, else one still renewing
     * its interpreter (a fraction of a second) before a fresh one that still boots (seconds).
     */
    public ChildProcess takeToServeAgain() {
        ChildProcess chosen = null;
        synchronized (this) {
            served.removeIf(c -> c.poll() != null);
            chosen = served.stream().filter(ChildProcess::isReady).findFirst().orElse(null);
            if (chosen == null && idle.stream().noneMatch(ChildProcess::isReady)) {
                chosen = served.peekFirst();
            }
            if (chosen != null) {
                served.remove(chosen);
            }
        }
        if (chosen == null) {
            chosen = take();
        }
        chosen.serveAgainVia(this::giveBack);
        return chosen;
    }

    /** A JVM back after a job, renewing its interpreter; kept for the next such start, up to {@code size}. */
    private void giveBack(ChildProcess child) {
        boolean kept;
        synchronized (this) {
            served.removeIf(c -> c.poll() != null);
            kept = !closed && served.size() < size;
            if (kept) {
                served.addLast(child);
            }
        }
        if (!kept) {
            child.kill();
        }
    }

    /** The children pooled now, oldest first (for tests). */
    synchronized List<ChildProcess> pooled() {
        return List.copyOf(idle);
    }

    @Override
    public void close() {
        List<ChildProcess> left;
        synchronized (this) {
            closed = true;
            left = new ArrayList<>(idle);
            left.addAll(served);
            idle.clear();
            served.clear();
        }
        for (ChildProcess c : left) {
            c.kill();
        }
    }
}
