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
import org.mp4j.Mp4jRuntime;
import org.mp4j.engine.EngineKind;
import org.mp4j.engine.EngineSettings;
import org.mp4j.engine.PythonEngine;
import org.mp4j.engine.PythonLib;
import sun.misc.Signal;

/**
 * Entry point of a child JVM: {@code ChildMain <control socket> <token> <engine>}.
 *
 * <p>It connects to its parent first, so that from its first moment the end of that connection
 * (the parent died, even by SIGKILL) halts it; then warms its engine, says READY, runs the one
 * job it is given, reports the exit code and exits at once ({@link ImmediateExit}). SIGTERM
 * ends it at once with status 143, as a CPython child dies on SIGTERM without running cleanup.
 */
public final class ChildMain {
    private ChildMain() {
    }

    public static void main(String[] args) throws Exception {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(args[0]));
        DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
        CompletableFuture<byte[]> job = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("mp4j-parent-watch").start(() -> watchParent(in, job));

        EngineKind kind = EngineKind.parse(args[2]);
        Mp4jRuntime runtime = Mp4jRuntime.install(kind, true);
        PythonEngine engine = kind.open(EngineSettings.fromEnvironment(PythonLib.locate(), false), runtime);
        runtime.rehearseIpc();
        engine.warmUp();
        // SIGTERM ends a CPython process at once, without cleanup (p.terminate() relies on it).
        // The JVM's own handler wakes a Java thread first, which on a loaded machine took more
        // than half a second; the kernel's default action does not wait for anyone. Set after
        // the engine is up (an engine may install handlers); a handler the script installs
        // with signal.signal() replaces it.
        if (!SignalDisposition.restoreDefault(SignalDisposition.SIGTERM)) {
            Signal.handle(new Signal("TERM"), s -> Runtime.getRuntime().halt(128 + 15));
        }
        // A child that waits in the warm pool collects its start-up garbage now, while nobody
        // waits for it; else the first young collection of its job copies the engine's start-up
        // objects (pauses of 60-100 ms measured inside Pool.map). A child whose job has already
        // come (spawn) goes straight on.
        if (!job.isDone()) {
            System.gc();
        }
        new ControlMessage(ControlMessage.READY, args[1].getBytes(StandardCharsets.UTF_8)).writeTo(out);

        int code = engine.runChild(job.get()) & 0xff;
        engine.flush();
        runtime.close();
        ControlMessage.exit(code).writeTo(out);
        ImmediateExit.exit(code);
    }

    private static void watchParent(DataInputStream in, CompletableFuture<byte[]> job) {
        try {
            ControlMessage msg;
            while ((msg = ControlMessage.readFrom(in)) != null) {
                if (msg.type() == ControlMessage.JOB) {
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
