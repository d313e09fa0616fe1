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
import java.util.concurrent.CompletableFuture;
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
 * it boots can hand it the job at once; then warms its engine, exercises its IPC paths
 * while it boots in the background and nobody needs it, says READY, runs the one job it is
 * given, reports the exit code and exits at once ({@link ImmediateExit}). SIGTERM ends it at
 * once with status 143, as a CPython child dies on SIGTERM without running cleanup.
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
        CompletableFuture<byte[]> job = new CompletableFuture<>();
        BootSigint bootSigint = BootSigint.install(dedicated);
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(args[0]));
        DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
        new ControlMessage(ControlMessage.HELLO, args[1].getBytes(StandardCharsets.UTF_8)).writeTo(out);
        Thread.ofPlatform().daemon().name("mp4j-parent-watch").start(() -> watchParent(in, job, bootSigint));

        EngineKind kind = EngineKind.parse(args[2]);
        Mp4jRuntime runtime = Mp4jRuntime.install(kind, true);
        runtime.attachBootSigint(bootSigint);
        PythonEngine engine = kind.open(EngineSettings.fromEnvironment(PythonLib.locate(), false), runtime);
        runtime.rehearseIpc();
        engine.warmUp();
        if (!termIsDefault || !SignalDisposition.restoreDefault(SignalDisposition.SIGTERM)) {
            Signal.handle(new Signal("TERM"), s -> Runtime.getRuntime().halt(128 + 15));
        }
        if (background && !job.isDone()) {
            workOut(runtime, engine, () -> !job.isDone() && BootPriority.inBackground());
        }
        // A child that waits in the warm pool collects its start-up garbage now, while nobody
        // waits for it; else the first young collection of its job copies the engine's start-up
        // objects (pauses of 60-100 ms measured inside Pool.map). A child whose job has already
        // come (taken while it booted, or dedicated) goes straight on.
        if (!dedicated && !job.isDone()) {
            System.gc();
        }
        new ControlMessage(ControlMessage.READY, new byte[0]).writeTo(out);

        int status = engine.runChild(job.get());
        engine.flush();
        runtime.close();
        if (status == ExitStatus.DIED_BY_SIGINT) {
            SignalDisposition.dieBy(SignalDisposition.SIGINT);
        }
        int code = status & 0xff;
        ControlMessage.exit(code).writeTo(out);
        ImmediateExit.exit(code);
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

    private static void watchParent(DataInputStream in, CompletableFuture<byte[]> job, BootSigint bootSigint) {
        try {
            ControlMessage msg;
            while ((msg = ControlMessage.readFrom(in)) != null) {
                if (msg.type() == ControlMessage.STARTED) {
                    bootSigint.startedAt(msg.startedNanos());
                } else if (msg.type() == ControlMessage.JOB) {
                    job.complete(msg.body());
                }
            }
        } catch (IOException e) {
            // a broken channel means the same as its end
        }
        // The parent is gone: a child never outlives it.
        Runtime.getRuntime().halt(1);
    }
}
