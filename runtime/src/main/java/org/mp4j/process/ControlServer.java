package org.mp4j.process;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Unix-domain socket on which this process's children report in.
 *
 * <p>Each child connects once, says HELLO with its launch token, and keeps the connection for
 * its whole life (see {@link ControlMessage}), through every job it serves. One virtual thread
 * per child JVM reads its messages.
 * The socket file lives in {@code java.io.tmpdir} and is removed when this runtime closes; stale
 * files of dead parents are swept on start.
 */
public final class ControlServer implements AutoCloseable {
    private final Path path;
    private final ServerSocketChannel server;
    private final Map<String, ChildProcess> expected = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public ControlServer() {
        long pid = ProcessHandle.current().pid();
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        sweepStale(dir);
        path = dir.resolve("mp4j-" + pid + "-" + Long.toHexString(System.nanoTime()) + ".sock");
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the control socket " + path, e);
        }
        Thread.ofPlatform().daemon().name("mp4j-control-accept").start(this::acceptLoop);
    }

    public Path path() {
        return path;
    }

    void expect(ChildProcess child) {
        expected.put(child.token(), child);
    }

    void forget(ChildProcess child) {
        expected.remove(child.token());
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                Thread.ofVirtual().name("mp4j-child-channel").start(() -> serve(ch));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("mp4j: control socket failed: " + e);
                }
                return;
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            ControlMessage hello = ControlMessage.readFrom(in);
            if (hello == null || hello.type() != ControlMessage.HELLO) {
                return;
            }
            ChildProcess child = expected.remove(new String(hello.body(), StandardCharsets.UTF_8));
            while (child != null) {
                child = child.serve(in, out);       // the next handle if the JVM serves again
            }
        } catch (IOException e) {
            // a child that vanished mid-handshake: its process exit tells the rest
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a leftover socket file is swept by the next run
        }
    }

    /** Removes socket files whose owning process no longer runs (a parent killed with -9). */
    private static void sweepStale(Path dir) {
        try (var files = Files.newDirectoryStream(dir, "mp4j-*.sock")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String[] parts = name.substring(5).split("-", 2);
                try {
                    long owner = Long.parseLong(parts[0]);
                    if (ProcessHandle.of(owner).isEmpty()) {
                        Files.deleteIfExists(f);
                    }
                } catch (NumberFormatException | IOException e) {
                    // not ours, or already gone
                }
            }
        } catch (IOException e) {
            // nothing to sweep
        }
    }
}
