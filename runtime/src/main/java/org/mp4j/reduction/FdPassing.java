package org.mp4j.reduction;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.graalvm.polyglot.HostAccess;

/**
 * Hands open file descriptors (a socket a Process gets as an argument) to another process of
 * the tree, as CPython's {@code reduction.sendfds}/{@code recvfds} do: {@code SCM_RIGHTS} over
 * a Unix socket, through the FFM API (the JDK's Unix-domain channels cannot carry descriptors).
 *
 * <p>Every process that may receive listens on the abstract Unix address
 * {@code "\0mp4j-fd-<pid>"}. A sender connects and sends one message: an 8-byte token as data
 * and the descriptor as ancillary data. The receiver keeps {@code token -> fd} until the
 * unpickling code takes it.
 *
 * <pre>
 *   struct sockaddr_un   0 short sun_family = AF_UNIX   2 char sun_path[108] ("\0" + name)
 *   struct msghdr (56)   0 name  8 namelen  16 iov  24 iovlen  32 control  40 controllen  48 flags
 *   struct iovec (16)    0 base  8 len
 *   struct cmsghdr       0 long len  8 int level = SOL_SOCKET  12 int type = SCM_RIGHTS  16 int fd
 * </pre>
 */
public final class FdPassing {
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final long CMSG_LEN = 20;        // header 16 + one int
    private static final long CMSG_SPACE = 24;      // aligned to 8

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MethodHandle SOCKET = fn("socket", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    private static final MethodHandle BIND = fn("bind", ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
    private static final MethodHandle LISTEN = fn("listen", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    private static final MethodHandle ACCEPT = fn("accept", ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS);
    private static final MethodHandle CONNECT = fn("connect", ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT);
    private static final MethodHandle SENDMSG = LINKER.downcallHandle(LIBC.find("sendmsg").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RECVMSG = LINKER.downcallHandle(LIBC.find("recvmsg").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = fn("close", ValueLayout.JAVA_INT);

    private final Map<Long, Integer> received = new ConcurrentHashMap<>();
    private final Object arrivals = new Object();
    private volatile Thread listener;

    private static MethodHandle fn(String name, ValueLayout... args) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, args));
    }

    private static MemorySegment address(Arena arena, long pid) {
        byte[] name = ("mp4j-fd-" + pid).getBytes(StandardCharsets.US_ASCII);
        MemorySegment sa = arena.allocate(110);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(name, 0, sa, ValueLayout.JAVA_BYTE, 3, name.length);   // sun_path[0] = 0: abstract
        return sa.asSlice(0, 3 + name.length);
    }

    /** Starts listening for descriptors sent to this process (once; at child start-up). */
    public synchronized void listen() {
        if (listener != null) {
            return;
        }
        int server;
        try (Arena arena = Arena.ofConfined()) {
            server = (int) SOCKET.invokeExact(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            MemorySegment sa = address(arena, ProcessHandle.current().pid());
            if (server < 0 || (int) BIND.invokeExact(server, sa, (int) sa.byteSize()) != 0
                    || (int) LISTEN.invokeExact(server, 16) != 0) {
                throw new IllegalStateException("cannot listen for file descriptors");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        final int fd = server;
        listener = Thread.ofPlatform().daemon().name("mp4j-fd-receiver").start(() -> receiveLoop(fd));
    }

    private void receiveLoop(int server) {
        while (true) {
            try {
                int conn = (int) ACCEPT.invokeExact(server, MemorySegment.NULL, MemorySegment.NULL);
                if (conn < 0) {
                    continue;
                }
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment token = arena.allocate(8);
                    MemorySegment iov = arena.allocate(16);
                    iov.set(ValueLayout.ADDRESS, 0, token);
                    iov.set(ValueLayout.JAVA_LONG, 8, 8);
                    MemorySegment control = arena.allocate(CMSG_SPACE, 8);
                    MemorySegment msg = arena.allocate(56, 8);
                    msg.set(ValueLayout.ADDRESS, 16, iov);
                    msg.set(ValueLayout.JAVA_LONG, 24, 1);
                    msg.set(ValueLayout.ADDRESS, 32, control);
                    msg.set(ValueLayout.JAVA_LONG, 40, CMSG_SPACE);
                    long n = (long) RECVMSG.invokeExact(conn, msg, MSG_CMSG_CLOEXEC);
                    if (n == 8 && control.get(ValueLayout.JAVA_INT, 8) == SOL_SOCKET
                            && control.get(ValueLayout.JAVA_INT, 12) == SCM_RIGHTS) {
                        received.put(token.get(ValueLayout.JAVA_LONG, 0), control.get(ValueLayout.JAVA_INT, 16));
                        synchronized (arrivals) {
                            arrivals.notifyAll();
                        }
                    }
                } finally {
                    int ignored = (int) CLOSE.invokeExact(conn);
                }
            } catch (Throwable t) {
                // a broken sender: wait for the next one
            }
        }
    }

    /**
     * Sends a duplicate of {@code fd} to process {@code pid} under {@code token}, retrying for
     * up to {@code timeoutSeconds} while that process is not listening yet (a JVM still booting).
     */
    @HostAccess.Export
    public void send(long pid, int fd, long token, double timeoutSeconds) {
        long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = address(arena, pid);
            while (true) {
                int s = (int) SOCKET.invokeExact(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                try {
                    if ((int) CONNECT.invokeExact(s, sa, (int) sa.byteSize()) == 0) {
                        MemorySegment data = arena.allocate(8);
                        data.set(ValueLayout.JAVA_LONG, 0, token);
                        MemorySegment iov = arena.allocate(16);
                        iov.set(ValueLayout.ADDRESS, 0, data);
                        iov.set(ValueLayout.JAVA_LONG, 8, 8);
                        MemorySegment control = arena.allocate(CMSG_SPACE, 8);
                        control.set(ValueLayout.JAVA_LONG, 0, CMSG_LEN);
                        control.set(ValueLayout.JAVA_INT, 8, SOL_SOCKET);
                        control.set(ValueLayout.JAVA_INT, 12, SCM_RIGHTS);
                        control.set(ValueLayout.JAVA_INT, 16, fd);
                        MemorySegment msg = arena.allocate(56, 8);
                        msg.set(ValueLayout.ADDRESS, 16, iov);
                        msg.set(ValueLayout.JAVA_LONG, 24, 1);
                        msg.set(ValueLayout.ADDRESS, 32, control);
                        msg.set(ValueLayout.JAVA_LONG, 40, CMSG_SPACE);
                        if ((long) SENDMSG.invokeExact(s, msg, 0) == 8) {
                            return;
                        }
                        throw new IllegalStateException("sendmsg of a file descriptor to process " + pid + " failed");
                    }
                } finally {
                    int ignored = (int) CLOSE.invokeExact(s);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("process " + pid + " does not take file descriptors");
                }
                Thread.sleep(10);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The descriptor sent under {@code token}, waiting up to {@code timeoutSeconds}; -1 if none came. */
    @HostAccess.Export
    public int take(long token, double timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
        synchronized (arrivals) {
            while (true) {
                Integer fd = received.remove(token);
                if (fd != null) {
                    return fd;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return -1;
                }
                arrivals.wait(Math.max(1, left / 1_000_000));
            }
        }
    }
}
