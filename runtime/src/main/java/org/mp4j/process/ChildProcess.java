package org.mp4j.process;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.graalvm.polyglot.HostAccess;

/**
 * The parent's handle on one child JVM: the Java half of a Python {@code Popen}.
 *
 * <p>A child is launched (or taken warm from the pool) before it has work. It connects back to
 * its parent's {@link ControlServer} as soon as its JVM runs (HELLO) and says READY once its
 * engine is warm; the job is sent as soon as both the job and the connection are there, so
 * {@link #submit} never waits for a cold JVM to boot, and a child taken while it boots knows
 * at once that it has a job. The exit code is final once the process has exited and its
 * channel is drained, or once the child said DONE: then its JVM lives on with a fresh
 * interpreter, handed back through {@link #serveAgainVia} as a new {@code ChildProcess}.
 */
public final class ChildProcess {
    private static final AtomicInteger SENTINELS = new AtomicInteger(1);

    private final Process process;
    private final String token;
    private final long launchedNanos = System.nanoTime();
    private final int sentinel = SENTINELS.getAndIncrement();
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    private DataOutputStream channel;      // guarded by this
    private byte[] pendingJob;             // guarded by this
    private long startedNanos;             // guarded by this: MonotonicClock time of submit()
    private boolean jobSent;               // guarded by this
    private volatile boolean attached;     // said HELLO: its channel is there
    private volatile boolean ready;        // said READY: its engine is warm
    private volatile Integer reportedExit;
    private volatile boolean terminatedUnborn; // got SIGTERM from terminate() before it said HELLO
    private volatile boolean lowered;      // boots at background priority; nobody raised it yet
    private volatile Consumer<ChildProcess> servesAgain; // where the JVM goes after DONE; null: it exits

    ChildProcess(Process process, String token, boolean lowered) {
        this.process = process;
        this.token = token;
        this.lowered = lowered;
        process.onExit().thenRun(() -> {
            if (!attached) {
                finish();
            }
        });
    }

    String token() {
        return token;
    }

    long launchedNanos() {
        return launchedNanos;
    }

    /** Whether it boots at background priority ({@link BootPriority}) and was not raised yet. */
    boolean isLowered() {
        return lowered;
    }

    void raised() {
        lowered = false;
    }

    boolean isReady() {
        return ready && process.isAlive();
    }

    /**
     * Lets this child's JVM serve another process after its job, if the job leaves it clean:
     * the new handle on it goes to {@code pool} (forkserver, see WarmPool). Before {@link #submit}.
     */
    void serveAgainVia(Consumer<ChildProcess> pool) {
        servesAgain = pool;
    }

    /**
     * Called by the control server when the child said HELLO on its socket; then reads its
     * messages. Returns the handle on the same JVM for its next job if it said DONE, else null.
     */
    ChildProcess serve(DataInputStream in, DataOutputStream out) {
        synchronized (this) {
            channel = out;
            attached = true;
            sendPendingJob();
        }
        try {
            ControlMessage msg;
            while ((msg = ControlMessage.readFrom(in)) != null) {
                if (msg.type() == ControlMessage.READY) {
                    ready = true;
                } else if (msg.type() == ControlMessage.EXIT) {
                    reportedExit = msg.exitCode();
                } else if (msg.type() == ControlMessage.DONE) {
                    return done(msg.exitCode());
                }
            }
        } catch (IOException e) {
            // the channel broke: the child is gone or going; its exit value tells how
        }
        finish();
        return null;
    }

    /** The job's process has ended; the JVM, renewing its interpreter, goes back to the pool. */
    private ChildProcess done(int code) {
        ready = false;
        exitCode.complete(code);
        ChildProcess next = new ChildProcess(process, token, false);
        synchronized (next) {
            next.channel = channel;
            next.attached = true;
        }
        Consumer<ChildProcess> pool = servesAgain;
        if (pool != null) {
            pool.accept(next);
        } else {
            next.kill();        // never asked for; the child would not have said DONE
        }
        return next;
    }

    /** Hands the child its job; sent now if the child is connected, else as soon as it is. */
    @HostAccess.Export
    public synchronized void submit(byte[] job) {
        if (pendingJob != null || jobSent) {
            throw new IllegalStateException("this child already has a job");
        }
        pendingJob = job;
        startedNanos = MonotonicClock.nanos();
        if (channel != null) {
            sendPendingJob();
        }
    }

    private void sendPendingJob() {
        if (pendingJob == null || channel == null) {
            return;
        }
        try {
            ControlMessage.started(startedNanos, servesAgain != null).writeTo(channel);
            new ControlMessage(ControlMessage.JOB, pendingJob).writeTo(channel);
        } catch (IOException e) {
            // the child died before it got the job; its exit code will say so
        }
        pendingJob = null;
        jobSent = true;
    }

    private void finish() {
        if (exitCode.isDone()) {
            return;
        }
        try {
            int value = process.waitFor();
            // A JVM that gets SIGTERM while it initialises may exit 1 by its own handler
            // ("InternalError: Bad level", seen once in CI); terminated before any of its job
            // ran, it ends as CPython's terminate() ends a process: -15.
            exitCode.complete(terminatedUnborn && reportedExit == null
                ? -SignalDisposition.SIGTERM : ExitStatus.toExitCode(reportedExit, value));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @HostAccess.Export
    public long pid() {
        return process.pid();
    }

    /** A number that names this child in {@code connection.wait()}-style calls. */
    @HostAccess.Export
    public int sentinel() {
        return sentinel;
    }

    /** The exit code, or null while the child runs. */
    @HostAccess.Export
    public Integer poll() {
        return exitCode.getNow(null);
    }

    /**
     * Waits for the child to end: {@code timeout} seconds, or for ever if negative.
     * Returns the exit code, or null on time-out.
     */
    @HostAccess.Export
    public Integer waitFor(double timeout) {
        try {
            if (timeout < 0) {
                return exitCode.get();
            }
            return exitCode.get((long) (timeout * 1e9), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** SIGTERM, as CPython's {@code terminate()}; the exit code becomes -15. */
    @HostAccess.Export
    public void terminate() {
        if (!attached) {
            terminatedUnborn = true;
        }
        process.destroy();
    }

    /** SIGKILL, as CPython's {@code kill()}; the exit code becomes -9. */
    @HostAccess.Export
    public void kill() {
        process.destroyForcibly();
    }

    public CompletableFuture<Integer> onExit() {
        return exitCode;
    }
}
