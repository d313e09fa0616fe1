package org.mp4j.process;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A child JVM's side of its control channel, between the thread that reads the parent's
 * messages and the main thread that runs jobs: the jobs sent, whether the last start lets this
 * JVM serve again afterwards, and the {@link BootSigint} that owns Ctrl-C until a job takes it.
 */
final class JobInbox {
    private final BlockingQueue<byte[]> jobs = new LinkedBlockingQueue<>();
    private volatile BootSigint sigint;
    private volatile boolean serveAgain;

    JobInbox(BootSigint sigint) {
        this.sigint = sigint;
    }

    BootSigint sigint() {
        return sigint;
    }

    /** A JVM back in the pool after a job watches Ctrl-C for its next start with a new watch. */
    void renewSigint(BootSigint watch) {
        sigint = watch;
    }

    /** STARTED: the time of the start() that took this child, and whether it may serve again. */
    void started(long nanos, boolean mayServeAgain) {
        serveAgain = mayServeAgain;
        sigint.startedAt(nanos);
    }

    void put(byte[] job) {
        jobs.add(job);
    }

    boolean hasJob() {
        return !jobs.isEmpty();
    }

    byte[] takeJob() throws InterruptedException {
        return jobs.take();
    }

    /** Whether the start of the job taken last lets this JVM serve another job after it. */
    boolean serveAgain() {
        return serveAgain;
    }
}
