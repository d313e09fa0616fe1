package org.mp4j.process;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.mp4j.Mp4jRuntime;
import org.mp4j.engine.EngineKind;
import org.mp4j.engine.EngineSettings;
import org.mp4j.engine.PythonEngine;
import org.mp4j.engine.PythonLib;
import sun.misc.Signal;

/**
 * Entry point of a child JVM: {@code ChildMain <control socket> <token> <engine> background|foreground|dedicated}
 * (background: a pool refill, started at the lowest priority, see {@link BootPriority};
 * dedicated: started for one start that waits for it, whose job comes at once).
 *
 * <p>It connects to its parent first and says HELLO, so that from its first moment the end of
 * that connection (the parent died, even by SIGKILL) halts it and a start that takes it while
 * it boots can hand it the job at once; then warms its engine (a dedicated child, whose job
 * is on its way, only sets up its standard streams), exercises its IPC paths while it boots
 * in the background and nobody needs it, says READY, runs the job it is
 * given, reports the exit code and exits at once ({@link ImmediateExit}). SIGTERM ends it at
 * once with status 143, as a CPython child dies on SIGTERM without running cleanup.
 *
 * <p>A job whose start lets its JVM serve again (see {@link ControlMessage#STARTED}) and that
 * left the process clean ({@link #mayServeAgain}) ends with DONE instead: the parent sees the
 * exit code at once, and this JVM replaces its interpreter by a fresh one, says READY again
 * and waits for another job.
 */
public final class ChildMain {
    private ChildMain() {
    }

    public static void main(String[] args) throws Exception {
        // SIGTERM ends a CPython process at once, without cleanup (p.terminate() relies on it).
        // The JVM's own handler wakes a Java thread and runs shutdown hooks first, which on a
        // loaded machine took more than half a second; the kernel's default action does not
        // wait for anyone. Set first, since a start() may take this child while it still boots
        // and terminate it at once; set again after the engine is up (an engine may install
        // handlers). A handler the script installs with signal.signal() replaces it.
        boolean termIsDefault = SignalDisposition.restoreDefault(SignalDisposition.SIGTERM);
        // Ctrl-C reaches the whole foreground group: a child waiting in the pool survives it (a
        // root may catch KeyboardInterrupt and start more children); one that comes after the
        // start() that took it is kept for the job, which sets SIGINT as a CPython child has it
        // (spawn.py).
        boolean background = args.length > 3 && "background".equals(args[3]);
        boolean dedicated = args.length > 3 && "dedicated".equals(args[3]);
        JobInbox inbox = new JobInbox(BootSigint.install(dedicated));
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(args[0]));
        DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
        new ControlMessage(ControlMessage.HELLO, args[1].getBytes(StandardCharsets.UTF_8)).writeTo(out);
        Thread.ofPlatform().daemon().name("mp4j-parent-watch").start(() -> watchParent(in, inbox));

        EngineKind kind = EngineKind.parse(args[2]);
        Mp4jRuntime runtime = Mp4jRuntime.install(kind, true);
        runtime.attachBootSigint(inbox.sigint());
        runtime.attachJobWaiting(inbox::hasJob);
        // with MP4J_REUSE=0 no JVM serves twice, and none needs an engine of its own for that
        PythonEngine engine = kind.open(EngineSettings.fromEnvironment(PythonLib.locate(), false), runtime,
            runtime.jvmsServeAgain());
        if (dedicated) {
            // its job is on its way: rehearsing a start first would only delay that job
            engine.prepareForJob();
        } else {
            if (!inbox.hasJob()) {
                runtime.rehearseIpc();
            }
            engine.warmUp();            // cut short if a job comes meanwhile
        }
        if (termIsDefault) {
            takeSigterm();
        } else {
            haltOnSigterm();
        }
        if (background && !inbox.hasJob()) {
            workOut(runtime, engine, () -> !inbox.hasJob() && BootPriority.inBackground());
        }
        // A child that waits in the warm pool collects its start-up garbage now, while nobody
        // waits for it; else the first young collection of its job copies the engine's start-up
        // objects (pauses of 60-100 ms measured inside Pool.map). A child whose job has already
        // come (taken while it booted, or dedicated) goes straight on.
        if (!dedicated && !inbox.hasJob()) {
            System.gc();
        }
        new ControlMessage(ControlMessage.READY, new byte[0]).writeTo(out);

        while (true) {
            byte[] job = inbox.takeJob();
            boolean serveAgain = inbox.serveAgain();
            Map<Integer, String> fdsBefore = serveAgain ? OpenFds.list() : null;
            runtime.beginJob(serveAgain);
            int status = engine.runChild(job, serveAgain);
            engine.flush();
            int code = status & 0xff;
            if (!serveAgain || status == ExitStatus.DIED_BY_SIGINT || !mayServeAgain(runtime, engine, fdsBefore)) {
                runtime.close();
                if (status == ExitStatus.DIED_BY_SIGINT) {
                    SignalDisposition.dieBy(SignalDisposition.SIGINT);
                }
                ControlMessage.exit(code).writeTo(out);
                ImmediateExit.exit(code);
            }
            // From here on this JVM is a pooled child again: a Ctrl-C belongs to the next start.
            inbox.renewSigint(BootSigint.install(false));
            runtime.attachBootSigint(inbox.sigint());
            ControlMessage.done(code).writeTo(out);
            engine.renew();         // the old interpreter's finalizers still find its objects open
            runtime.endJob();
            engine.warmUp();
            takeSigterm();
            if (!inbox.hasJob()) {
                System.gc();
            }
            new ControlMessage(ControlMessage.READY, new byte[0]).writeTo(out);
        }
    }

    /**
     * Whether this JVM may serve another process: the job returned, started no process of its
     * own (its children and their pool would be this process's), and left no thread running,
     * no handler, directory or file descriptor other than it found them. Else it exits, as
     * every process does.
     */
    private static boolean mayServeAgain(Mp4jRuntime runtime, PythonEngine engine, Map<Integer, String> fdsBefore) {
        return fdsBefore != null && !runtime.startedChildren() && engine.jobLeftProcessClean()
            && fdsBefore.equals(OpenFds.list());
    }

    /** SIGTERM ends this process at once (see main); the default action where the kernel lets us. */
    private static void takeSigterm() {
        if (!SignalDisposition.restoreDefault(SignalDisposition.SIGTERM)) {
            haltOnSigterm();
        }
    }

    private static void haltOnSigterm() {
        Signal.handle(new Signal("TERM"), s -> Runtime.getRuntime().halt(128 + 15));
    }

    /**
     * A pool refill exercises the IPC paths (see _mp4j_main.work_out) before it says READY, so
     * that a job's first transfers run at full speed. Only on spare CPU: it stops as soon as
     * somebody needs this child (a job came, or the parent raised its priority to wait for it).
     * {@code MP4J_WORKOUT=0} skips it.
     */
    private static void workOut(Mp4jRuntime runtime, PythonEngine engine, BooleanSupplier wanted) {
        if ("0".equals(System.getenv("MP4J_WORKOUT"))) {
            return;
        }
        runtime.beginScratch(wanted);
        try {
            engine.workOut();
        } catch (RuntimeException e) {
            // only slower without it; said aloud, since it is a bug of ours
            System.err.println("mp4j: a pooled child's workout failed: " + e);
        } finally {
            runtime.endScratch();
        }
    }

    private static void watchParent(DataInputStream in, JobInbox inbox) {
        try {
            ControlMessage msg;
            while ((msg = ControlMessage.readFrom(in)) != null) {
                if (msg.type() == ControlMessage.STARTED) {
                    inbox.started(msg.startedNanos(), msg.startedServesAgain());
                } else if (msg.type() == ControlMessage.JOB) {
                    inbox.put(msg.body());
                }
            }
        } catch (IOException e) {
            // a broken channel means the same as its end
        }
        // The parent is gone: a child never outlives it.
        Runtime.getRuntime().halt(1);
    }
}
