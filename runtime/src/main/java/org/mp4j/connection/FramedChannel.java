package org.mp4j.connection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import org.mp4j.synchronize.SpinWait;

/**
 * The framing of CPython's {@code multiprocessing.connection} over a Java {@link SocketChannel}
 * (TCP or a Unix socket with a path), one call per message: what {@code Listener} and
 * {@code Client} connect with on Jython, whose own {@code socket} module (Netty underneath)
 * took 520-700 µs a loopback round trip where CPython 2.7 takes 56-71. GraalPy frames on its
 * sockets' descriptors instead ({@link FramedSocket}).
 *
 * <p>Frames and the answers of {@link #recv} are {@link FramedSocket}'s: a 4-byte signed
 * big-endian length, then the bytes; a message is returned as a byte[], anything else as one
 * of FramedSocket's Integers or an errno ({@link #EPIPE} for a failed send, {@link #ECONNRESET}
 * for a failed read, {@link #EBADF} once closed).
 *
 * <p>The channel is non-blocking: a receive reads what is there (often a whole frame in one
 * read), keeps what follows its frame for the next one, and waits on a {@link Selector} when
 * nothing came, so a wait can end after {@code waitMillis} and {@link #poll} can time out.
 * Before it sleeps a receive spins for a while ({@link SpinWait}), as FramedSocket's does.
 * Sends are serialised, and so are receives.
 *
 * <pre>
 *   frame     0 int length (big-endian)   4 byte[length] message
 *   incoming  bytes read but not yet returned: [position, limit) of a direct buffer of 64 KiB
 * </pre>
 */
public final class FramedChannel implements MessageFrames, AutoCloseable {
    public static final int EBADF = 9;
    public static final int EPIPE = 32;
    public static final int ECONNRESET = 104;

    private static final int HEADER = 4;
    private static final int BUFFER = 64 * 1024;

    private final SocketChannel channel;
    private final Object sending = new Object();
    private final Object receiving = new Object();
    private final ByteBuffer incoming = ByteBuffer.allocateDirect(BUFFER).flip();   // empty, for reading
    private final ByteBuffer header = ByteBuffer.allocate(HEADER);
    private final Selector readable;
    private Selector writable;                      // made when a send first finds the socket full
    private final SpinWait spin = new SpinWait();
    private volatile boolean closed;

    FramedChannel(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        if (channel.getRemoteAddress() instanceof InetSocketAddress) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);    // a request is one small frame
        }
        readable = Selector.open();
        channel.register(readable, SelectionKey.OP_READ);
    }

    /** Connects to a Listener at {@code host}:{@code port}. */
    public static FramedChannel connect(String host, int port) throws IOException {
        return connect(new InetSocketAddress(host, port));
    }

    /** Connects to a Listener on the Unix socket at {@code path} (a file; Java has no abstract names). */
    public static FramedChannel connectUnix(String path) throws IOException {
        return connect(UnixDomainSocketAddress.of(path));
    }

    private static FramedChannel connect(SocketAddress address) throws IOException {
        SocketChannel channel = SocketChannel.open(address);
        try {
            return new FramedChannel(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The peer's host (TCP) or null (a Unix socket). */
    public String peerHost() throws IOException {
        return channel.getRemoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : null;
    }

    /** The peer's port (TCP) or -1 (a Unix socket). */
    public int peerPort() throws IOException {
        return channel.getRemoteAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
    }

    /** Sends {@code message} as one frame; 0, or the errno that stopped it. */
    @Override
    public int send(byte[] message) {
        synchronized (sending) {
            if (closed) {
                return EBADF;
            }
            ByteBuffer head = ByteBuffer.allocate(HEADER).putInt(0, message.length);
            ByteBuffer[] frame = {head, ByteBuffer.wrap(message)};
            try {
                while (frame[1].hasRemaining() || head.hasRemaining()) {
                    if (channel.write(frame) == 0) {
                        awaitWritable();
                    }
                }
                return 0;
            } catch (IOException | ClosedSelectorException e) {
                return closed ? EBADF : EPIPE;
            }
        }
    }

    private void awaitWritable() throws IOException {
        if (writable == null) {
            writable = Selector.open();
            channel.register(writable, SelectionKey.OP_WRITE);
        }
        writable.select();
        writable.selectedKeys().clear();
    }

    /**
     * Receives one frame: the message as a byte[], or an Integer: {@link FramedSocket#EOF}
     * before a frame, {@link FramedSocket#EOF_IN_MESSAGE}, {@link FramedSocket#TOO_LONG}
     * (longer than {@code maxLength} when that is not negative; the message stays unread),
     * {@link FramedSocket#WAITING} (no frame began within {@code waitMillis} when that is not
     * negative; nothing read), else an errno. A frame that began is read whole.
     */
    public Object recv(long maxLength, int waitMillis) {
        return receive(maxLength, waitMillis, true);
    }

    /** {@link #recv}; one that does not {@code spinFirst} sleeps at once while nothing came. */
    @Override
    public Object receive(long maxLength, int waitMillis, boolean spinFirst) {
        synchronized (receiving) {
            try {
                if (!incoming.hasRemaining()) {
                    long got = readAhead(waitMillis, spinFirst);
                    if (got == 0) {
                        return FramedSocket.WAITING;
                    }
                    if (got < 0) {
                        return FramedSocket.EOF;
                    }
                }
                while (incoming.remaining() < HEADER) {
                    if (!readMoreOrWait()) {
                        return FramedSocket.EOF_IN_MESSAGE;
                    }
                }
                int size = incoming.getInt(incoming.position());
                if (size < 0 || (maxLength >= 0 && size > maxLength) || size > Integer.MAX_VALUE - 16) {
                    return FramedSocket.TOO_LONG;
                }
                incoming.position(incoming.position() + HEADER);
                byte[] message = new byte[size];
                int buffered = Math.min(size, incoming.remaining());
                incoming.get(message, 0, buffered);
                ByteBuffer rest = ByteBuffer.wrap(message, buffered, size - buffered);
                while (rest.hasRemaining()) {       // a large message: straight into its array
                    int n = channel.read(rest);
                    if (n < 0) {
                        return FramedSocket.EOF_IN_MESSAGE;
                    }
                    if (n == 0) {
                        awaitReadable(-1);
                    }
                }
                return message;
            } catch (IOException | ClosedSelectorException e) {
                return closed ? EBADF : ECONNRESET;
            }
        }
    }

    /**
     * Whether a message (or the end of the stream, or an error, which {@link #recv} then
     * reports) is there to read within {@code timeoutMillis} (0: now; negative: for ever).
     */
    public boolean poll(int timeoutMillis) {
        synchronized (receiving) {
            if (incoming.hasRemaining()) {
                return true;
            }
            try {
                return readAhead(timeoutMillis, true) != 0;
            } catch (IOException | ClosedSelectorException e) {
                return true;
            }
        }
    }

    /**
     * With nothing buffered: reads what comes within {@code waitMillis} (negative: for ever),
     * spinning first if {@code spinFirst}. The bytes read (0: none came in time), or -1 at the
     * end of the stream.
     */
    private long readAhead(int waitMillis, boolean spinFirst) throws IOException {
        long began = System.nanoTime();
        int n = readMore();
        if (n != 0 || waitMillis == 0) {
            return n;
        }
        if (spinFirst && spin.enabled()) {
            long deadline = spin.deadline(began);
            if (waitMillis > 0) {
                deadline = Math.min(deadline, began + waitMillis * 1_000_000L);
            }
            while (SpinWait.goOn(deadline)) {
                n = readMore();
                if (n != 0) {
                    return n;
                }
            }
        }
        long end = began + waitMillis * 1_000_000L;
        while (true) {
            long left = waitMillis < 0 ? -1 : (end - System.nanoTime() + 999_999) / 1_000_000L;
            if (waitMillis >= 0 && left <= 0) {
                spin.timedOut();
                return 0;
            }
            awaitReadable(left);
            n = readMore();
            if (n != 0) {
                if (spinFirst) {
                    spin.slept(began);
                }
                return n;
            }
        }
    }

    /** Reads into the buffer after what is there; false at the end of the stream. */
    private boolean readMoreOrWait() throws IOException {
        while (true) {
            int n = readMore();
            if (n != 0) {
                return n > 0;
            }
            awaitReadable(-1);
        }
    }

    /** One non-blocking read after the buffered bytes: how many came, 0, or -1 at the end of the stream. */
    private int readMore() throws IOException {
        incoming.compact();
        try {
            return channel.read(incoming);
        } finally {
            incoming.flip();
        }
    }

    /** Sleeps until the channel is readable, {@code millis} passed (negative: for ever) or a wake-up came. */
    private void awaitReadable(long millis) throws IOException {
        if (millis < 0) {
            readable.select();
        } else {
            readable.select(Math.max(1, millis));
        }
        readable.selectedKeys().clear();
        if (closed) {
            throw new IOException("closed");
        }
    }

    /** Closes the connection; a thread waiting in {@link #recv} or {@link #send} returns {@link #EBADF}. */
    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway: nothing to report
        }
        readable.wakeup();
        closeQuietly(readable);
        Selector w = writable;
        if (w != null) {
            w.wakeup();
            closeQuietly(w);
        }
    }

    private static void closeQuietly(Selector selector) {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing to report
        }
    }
}
