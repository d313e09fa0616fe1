package org.mp4j.engine;

import java.util.List;

/**
 * One Python interpreter in this JVM. Both engines run the same Python module,
 * {@code _mp4j_main}, which owns what a script or child process does; an engine only
 * creates the interpreter and calls into that module.
 */
public interface PythonEngine extends AutoCloseable {
    /** Imports what every process needs, so that a job starts without delay. */
    void warmUp();

    /**
     * Sets up only what a job cannot run without, for a child whose job is already waiting: a
     * warm-up ahead of it would only delay it (a job imports what it needs as it runs).
     */
    void prepareForJob();

    /** Runs the IPC paths a job most often takes, so that the JVM compiles them (a pooled child). */
    void workOut();

    /** Runs {@code argv[0]} as {@code __main__}; returns the process exit status. */
    int runMain(List<String> argv);

    /**
     * Runs a child job (the pickle the parent's {@code Popen} built); returns the exit code.
     * {@code mayServeAgain}: note what the job may change, for {@link #jobLeftProcessClean}.
     */
    int runChild(byte[] job, boolean mayServeAgain);

    /**
     * Whether the job that just ended left this process as a new one would find it (nothing of
     * the job's runs on, no process-wide setting changed), so that {@link #renew} may serve
     * another job here; false where the engine cannot renew.
     */
    default boolean jobLeftProcessClean() {
        return false;
    }

    /** Replaces the interpreter by a fresh one; only after {@link #jobLeftProcessClean} said yes. */
    default void renew() {
        throw new UnsupportedOperationException("this engine cannot renew its interpreter");
    }

    /** Flushes the interpreter's stdout and stderr. */
    void flush();

    @Override
    void close();
}
