package org.mp4j.connection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connections under Jython's Listener and Client: CPython's frames over real loopback
 * sockets, TCP and a Unix path, with the answers a Python Connection turns into its errors.
 */
class FramedChannelTest {
    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + size);
        }
        return bytes;
    }

    /** A connected pair over TCP: [0] the client's end, [1] the listener's. */
    private static FramedChannel[] tcpPair(ChannelListener listener) throws IOException {
        FramedChannel client = FramedChannel.connect(listener.host(), listener.port());
        return new FramedChannel[] {client, listener.accept()};
    }

    @Test
    void messagesOfEverySizeArriveWholeAndInOrderBothWays() throws Exception {
        int[] sizes = {0, 1, 3, 4, 100, 65_532, 65_536, 65_537, 300_000, 2_000_000};
        try (ChannelListener listener = ChannelListener.tcp("127.0.0.1", 0, 1)) {
            FramedChannel[] ends = tcpPair(listener);
            try (FramedChannel client = ends[0]; FramedChannel server = ends[1]) {
                // a sender on its own thread: the large ones cannot fit in the socket's buffers
                CompletableFuture<Integer> sent = CompletableFuture.supplyAsync(() -> {
                    int failures = 0;
                    for (int size : sizes) {
                        failures += client.send(pattern(size)) == 0 ? 0 : 1;
                    }
                    return failures;
                });
                for (int size : sizes) {
                    Object got = server.recv(-1, -1);
                    assertArrayEquals(pattern(size), (byte[]) got, "message of " + size + " bytes");
                }
                assertEquals(0, sent.get(30, TimeUnit.SECONDS));
                assertEquals(0, server.send(pattern(70_000)));
                assertArrayEquals(pattern(70_000), (byte[]) client.recv(-1, -1));
            }
        }
    }

    @Test
    void framesAreCPythonsBigEndianLengthThenTheBytes() throws Exception {
        try (ChannelListener listener = ChannelListener.tcp("127.0.0.1", 0, 1);
                SocketChannel raw = SocketChannel.open(new InetSocketAddress(listener.host(), listener.port()));
                FramedChannel framed = listener.accept()) {
            byte[] message = "hello".getBytes();
            ByteBuffer frame = ByteBuffer.allocate(4 + message.length).putInt(message.length).put(message).flip();
            while (frame.hasRemaining()) {
                raw.write(frame);
            }
            assertArrayEquals(message, (byte[]) framed.recv(-1, 5_000));

            assertEquals(0, framed.send(new byte[] {7, 8}));
            ByteBuffer back = ByteBuffer.allocate(6);
            while (back.hasRemaining()) {
                raw.read(back);
            }
            assertArrayEquals(new byte[] {0, 0, 0, 2, 7, 8}, back.array());
        }
    }

    @Test
    void aMessageLongerThanTheLimitIsRefusedAndStaysUnread() throws Exception {
        try (ChannelListener listener = ChannelListener.tcp("127.0.0.1", 0, 1)) {
            FramedChannel[] ends = tcpPair(listener);
            try (FramedChannel client = ends[0]; FramedChannel server = ends[1]) {
                assertEquals(0, client.send(pattern(10)));
                assertEquals(FramedSocket.TOO_LONG, server.recv(9, 5_000));
                assertArrayEquals(pattern(10), (byte[]) server.recv(10, 5_000));
            }
        }
    }

    @Test
    void aReceiveWithNothingToReadWaitsItsTimeAndPollSeesTheNextMessage() throws Exception {
        try (ChannelListener listener = ChannelListener.tcp("127.0.0.1", 0, 1)) {
            FramedChannel[] ends = tcpPair(listener);
            try (FramedChannel client = ends[0]; FramedChannel server = ends[1]) {
                long began = System.nanoTime();
                assertEquals(FramedSocket.WAITING, server.recv(-1, 100));
                assertTrue(System.nanoTime() - began >= TimeUnit.MILLISECONDS.toNanos(95));
                assertFalse(server.poll(0));
                assertFalse(server.poll(50));

                CompletableFuture<Boolean> polled = CompletableFuture.supplyAsync(() -> server.poll(-1));
                Thread.sleep(50);
                assertEquals(0, client.send(pattern(5)));
                assertTrue(polled.get(10, TimeUnit.SECONDS));
                assertTrue(server.poll(0));
                assertArrayEquals(pattern(5), (byte[]) server.recv(-1, 0));
            }
        }
    }

    @Test
    void thePeersCloseIsEndOfFileBeforeAFrameAndInsideOne() throws Exception {
        try (ChannelListener listener = ChannelListener.tcp("127.0.0.1", 0, 2)) {
            FramedChannel[] ends = tcpPair(listener);
            try (FramedChannel server = ends[1]) {
                ends[0].close();
                assertTrue(server.poll(5_000), "the end of the stream is something to read");
                assertEquals(FramedSocket.EOF, server.recv(-1, 5_000));
            }
            try (SocketChannel raw = SocketChannel.open(new InetSocketAddress(listener.host(), listener.port()));
                    FramedChannel server = listener.accept()) {
                raw.write(ByteBuffer.allocate(7).putInt(10).put(new byte[] {1, 2, 3}).flip());
                raw.close();
                assertEquals(FramedSocket.EOF_IN_MESSAGE, server.recv(-1, 5_000));
            }
        }
    }

    @Test
    void sendingToAClosedPeerFailsWithAnErrnoAndAClosedEndAnswersEbadf() throws Exception {
        try (ChannelListener listener = ChannelListener.tcp("127.0.0.1", 0, 1)) {
            FramedChannel[] ends = tcpPair(listener);
            FramedChannel client = ends[0];
            ends[1].close();
            int result = 0;
            for (int i = 0; i < 1_000 && result == 0; i++) {   // the first sends may still fit in the buffers
                result = client.send(pattern(65_536));
            }
            assertNotEquals(0, result, "a send to a closed peer must fail");
            client.close();
            assertEquals(FramedChannel.EBADF, client.send(pattern(1)));
            assertEquals(FramedChannel.EBADF, client.recv(-1, 0));
        }
    }

    @Test
    void closingWakesAThreadWaitingForAMessage() throws Exception {
        try (ChannelListener listener = ChannelListener.tcp("127.0.0.1", 0, 1)) {
            FramedChannel[] ends = tcpPair(listener);
            try (FramedChannel client = ends[0]) {
                FramedChannel server = ends[1];
                CompletableFuture<Object> waiting = CompletableFuture.supplyAsync(() -> server.recv(-1, -1));
                Thread.sleep(200);
                assertFalse(waiting.isDone());
                server.close();
                assertEquals(FramedChannel.EBADF, waiting.get(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void aUnixSocketListenerTalksThroughItsPath(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("listener");
        try (ChannelListener listener = ChannelListener.unix(path.toString(), 1)) {
            assertTrue(Files.exists(path));
            assertNull(listener.host());
            assertEquals(-1, listener.port());
            try (FramedChannel client = FramedChannel.connectUnix(path.toString()); FramedChannel server = listener.accept()) {
                assertNull(server.peerHost());
                assertEquals(0, client.send(pattern(100_000)));
                assertArrayEquals(pattern(100_000), (byte[]) server.recv(-1, 5_000));
            }
        }
    }

    @Test
    void acceptEndsWithAnErrorWhenTheListenerIsClosed() throws Exception {
        ChannelListener listener = ChannelListener.tcp("127.0.0.1", 0, 1);
        CompletableFuture<Object> accepting = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept();
            } catch (IOException e) {
                return e;
            }
        });
        Thread.sleep(200);
        assertFalse(accepting.isDone());
        listener.close();
        assertInstanceOf(IOException.class, accepting.get(10, TimeUnit.SECONDS));
    }
}
