package org.mp4j.connection;

/**
 * A connection framed as CPython's {@code multiprocessing.connection} frames it, seen from Java
 * code that serves it: {@link FramedSocket} (GraalPy, on a socket's descriptor) or
 * {@link FramedChannel} (Jython, a Java channel).
 */
public interface MessageFrames {
    /** Sends {@code message} as one frame: 0, or the errno that stopped it. */
    int send(byte[] message);

    /**
     * Receives one frame as a byte[], or an Integer: {@link FramedSocket#EOF} and the other
     * answers of {@link FramedSocket#recv}, or an errno. A receive that does not
     * {@code spinFirst} sleeps at once while nothing came.
     */
    Object receive(long maxLength, int waitMillis, boolean spinFirst);
}
