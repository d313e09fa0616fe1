package org.mp4j.connection;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.HostAccess;
import org.mp4j.synchronize.SpinWait;

/**
 * The framing of CPython's {@code multiprocessing.connection} over a connected stream socket
 * that Python owns (its file descriptor), done in one Java call per message: on GraalPy the
 * same framing in Python took ~40 µs of interpreter work a message, most of a manager request.
 *
 * <p>A frame is a 4-byte signed big-endian length, then that many bytes. (CPython writes
 * {@code -1} and an 8-byte length for messages of 2 GiB and more; a Java array is smaller,
 * and {@link #recv} answers such a frame as too long.) Reads take exactly one frame, never
 * more, so a {@code select()} on the descriptor still tells whether a message is waiting.
 *
 * <p>The socket must be in blocking mode (a Python socket without a timeout); {@code send}
 * uses {@code MSG_NOSIGNAL}, so a closed peer is an {@code EPIPE}, not a signal. The object
 * never closes the descriptor. Sends are serialised, and so are receives.
 *
 * <p>A receive can wait for its frame in slices ({@link #WAITING}): a Python thread blocked in
 * Java code sees no signal, so a Ctrl-C could not end a wait for a manager's answer otherwise.
 *
 * <pre>
 *   frame    0 int length (big-endian)   4 byte[length] message
 *   pollfd   0 int fd   4 short events   6 short revents      (8 bytes, for poll(2))
 * </pre>
 */
public final class FramedSocket implements MessageFrames {
    /** {@link #recv} answers these (Integers) instead of a message. Other Integers are errnos. */
    public static final int EOF = 0;
    public static final int EOF_IN_MESSAGE = -1;
    public static final int TOO_LONG = -2;
    /** {@link #recv}: no frame began within its wait; nothing was read. */
    public static final int WAITING = -3;
    /** Messages of up to this many bytes arrive as a Latin-1 String (cheaper in GraalPy), larger as byte[]. */
    public static final int TEXT_LIMIT = 2048;

    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int MSG_PEEK = 0x2;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int HEADER = 4;
    private static final int BUFFER = 64 * 1024;
    private static final ValueLayout.OfInt BIG_ENDIAN_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final FunctionDescriptor SIZED_IO = FunctionDescriptor.of(ValueLayout.JAVA_LONG,
        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT);
    private static final MethodHandle SEND = LINKER.downcallHandle(LIBC.find("send").orElseThrow(), SIZED_IO,
        Linker.Option.captureCallState("errno"));
    private static final MethodHandle RECV = LINKER.downcallHandle(LIBC.find("recv").orElseThrow(), SIZED_IO,
        Linker.Option.captureCallState("errno"));
    private static final MethodHandle POLL = LINKER.downcallHandle(LIBC.find("poll").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final short POLLIN = 0x1;
    private static final long POLLFD_SIZE = 8;

    private final int fd;
    private final Object sending = new Object();
    private final Object receiving = new Object();
    private final Arena arena = Arena.ofAuto();             // freed with this object
    private final MemorySegment sendBuffer = arena.allocate(BUFFER);
    private final MemorySegment recvBuffer = arena.allocate(BUFFER);
    private final MemorySegment sendState = arena.allocate(CALL_STATE);
    private final MemorySegment recvState = arena.allocate(CALL_STATE);
    private final MemorySegment pollFd = arena.allocate(POLLFD_SIZE, 4);
    private final SpinWait spin = new SpinWait();

    public FramedSocket(int fd) {
        this.fd = fd;
    }

    /** Sends {@code message} as one frame; 0, or the errno that stopped it (e.g. EPIPE). */
    @HostAccess.Export
    @Override
    public int send(byte[] message) {
        synchronized (sending) {
            long size = HEADER + (long) message.length;
            if (size <= BUFFER) {
                return sendFrame(sendBuffer, message);
            }
            try (Arena big = Arena.ofConfined()) {
                return sendFrame(big.allocate(size), message);
            }
        }
    }

    private int sendFrame(MemorySegment buffer, byte[] message) {
        buffer.set(BIG_ENDIAN_INT, 0, message.length);
        MemorySegment.copy(message, 0, buffer, ValueLayout.JAVA_BYTE, HEADER, message.length);
        long size = HEADER + (long) message.length;
        long done = 0;
        while (done < size) {
            long n = io(SEND, sendState, buffer.asSlice(done), size - done, MSG_NOSIGNAL);
            if (n < 0) {
                int errno = (int) ERRNO.get(sendState, 0L);
                if (errno != EINTR) {
                    return errno;
                }
            } else {
                done += n;
            }
        }
        return 0;
    }

    /**
     * Receives one frame: a String (Latin-1, one char a byte) of up to {@link #TEXT_LIMIT}
     * bytes or a byte[] for {@link #copyItem}; or an Integer: {@link #EOF} before a frame,
     * {@link #EOF_IN_MESSAGE}, {@link #TOO_LONG} (longer than {@code maxLength} when that is
     * not negative; the message stays unread), {@link #WAITING} (no frame began within
     * {@code waitMillis} when that is not negative; nothing read), else the errno of a failed
     * read. A frame that began is read whole.
     */
    @HostAccess.Export
    public Object recv(long maxLength, int waitMillis) {
        Object message = receive(maxLength, waitMillis, true);
        return message instanceof byte[] bytes ? forPython(bytes) : message;
    }

    /** A message as {@link #recv} hands it to Python: up to {@link #TEXT_LIMIT} bytes as a Latin-1 String. */
    public static Object forPython(byte[] message) {
        return message.length <= TEXT_LIMIT ? new String(message, StandardCharsets.ISO_8859_1) : message;
    }

    /**
     * {@link #recv} for Java callers: a message always as a byte[]; the Integers as there. A
     * receive that does not {@code spinFirst} sleeps at once: a server waiting for its next
     * request must leave the cores to the clients that make them.
     */
    @Override
    public Object receive(long maxLength, int waitMillis, boolean spinFirst) {
        synchronized (receiving) {
            long began = System.nanoTime();
            boolean awake = spinFirst && spinUntilReadable(began);
            if (!awake && waitMillis >= 0 && !readableWithin(waitMillis)) {
                spin.slept(began);
                return WAITING;
            }
            long got = fill(recvBuffer, HEADER);
            if (!awake && spinFirst) {
                spin.slept(began);
            }
            if (got < HEADER) {
                return got < 0 ? (int) -got : got == 0 ? EOF : EOF_IN_MESSAGE;
            }
            int size = recvBuffer.get(BIG_ENDIAN_INT, 0);
            if (size < 0 || (maxLength >= 0 && size > maxLength) || size > Integer.MAX_VALUE - 16) {
                return TOO_LONG;
            }
            byte[] message = new byte[size];
            int done = 0;
            while (done < size) {
                int chunk = Math.min(size - done, BUFFER);
                got = fill(recvBuffer, chunk);
                if (got < chunk) {
                    return got < 0 ? (int) -got : EOF_IN_MESSAGE;
                }
                MemorySegment.copy(recvBuffer, ValueLayout.JAVA_BYTE, 0, message, done, chunk);
                done += chunk;
            }
            return message;
        }
    }

    /** Copies a message that {@link #recv} returned as a byte[] into {@code into} (its length or more). */
    @HostAccess.Export
    public void copyItem(byte[] item, byte[] into) {
        System.arraycopy(item, 0, into, 0, item.length);
    }

    /**
     * Peeks without blocking for a while ({@link SpinWait}) before the read that sleeps: the
     * answer to a request mostly comes within microseconds, and catching it awake saves a
     * sleep and a wake-up on both sides. True if something came (data, end of file or an
     * error, which the read then reports) while spinning.
     */
    private boolean spinUntilReadable(long began) {
        if (!spin.enabled()) {
            return false;
        }
        long deadline = spin.deadline(began);
        do {
            if (io(RECV, recvState, recvBuffer, 1, MSG_PEEK | MSG_DONTWAIT) >= 0) {
                return true;
            }
            int errno = (int) ERRNO.get(recvState, 0L);
            if (errno != EAGAIN && errno != EINTR) {
                return true;
            }
        } while (SpinWait.goOn(deadline));
        return false;
    }

    /** Whether data, an end of file or an error is there to read within {@code millis} (poll(2)). */
    private boolean readableWithin(int millis) {
        pollFd.set(ValueLayout.JAVA_INT, 0, fd);
        pollFd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
        pollFd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        try {
            // 0: the time passed; -1 (EINTR and the like): let the caller look again
            return (int) POLL.invokeExact(pollFd, 1L, millis) > 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Reads exactly {@code size} bytes into the start of {@code buffer}: how many came before EOF, or -errno. */
    private long fill(MemorySegment buffer, long size) {
        long done = 0;
        while (done < size) {
            long n = io(RECV, recvState, buffer.asSlice(done), size - done, 0);
            if (n == 0) {
                return done;
            }
            if (n < 0) {
                int errno = (int) ERRNO.get(recvState, 0L);
                if (errno != EINTR) {
                    return -errno;
                }
            } else {
                done += n;
            }
        }
        return done;
    }

    private long io(MethodHandle call, MemorySegment state, MemorySegment buffer, long size, int flags) {
        try {
            return (long) call.invokeExact(state, fd, buffer, size, flags);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
