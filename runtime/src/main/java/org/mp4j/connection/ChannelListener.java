package org.mp4j.connection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A listening Java {@link ServerSocketChannel} whose accepted connections are
 * {@link FramedChannel}s: the socket under {@code multiprocessing.connection.Listener} on
 * Jython (see FramedChannel for why not Jython's {@code socket}). TCP, or a Unix socket with a
 * path (Java binds no abstract names). {@link #accept} blocks; {@link #close} from another
 * thread ends it with an IOException.
 */
public final class ChannelListener implements AutoCloseable {
    private final ServerSocketChannel server;

    private ChannelListener(ServerSocketChannel server) {
        this.server = server;
    }

    /** Listens on {@code host}:{@code port} (0: a free port), address reuse on, as CPython's Listener. */
    public static ChannelListener tcp(String host, int port, int backlog) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.socket().setReuseAddress(true);
            server.bind(new InetSocketAddress(host, port), backlog);
            return new ChannelListener(server);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Listens on a Unix socket made at {@code path}, which must not exist (the caller removes it after close). */
    public static ChannelListener unix(String path, int backlog) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), backlog);
            return new ChannelListener(server);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The host it listens on (TCP), or null (a Unix socket). */
    public String host() throws IOException {
        return server.getLocalAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : null;
    }

    /** The port it listens on (TCP), or -1 (a Unix socket). */
    public int port() throws IOException {
        return server.getLocalAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
    }

    /** Waits for the next connection. */
    public FramedChannel accept() throws IOException {
        SocketChannel channel = server.accept();
        try {
            return new FramedChannel(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
