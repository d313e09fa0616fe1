package org.mp4j.engine;

import java.nio.charset.StandardCharsets;
import org.mp4j.connection.FramedChannel;
import org.mp4j.managers.ServedObjects;
import org.python.core.Py;
import org.python.core.PyObject;
import org.python.core.PyString;

/**
 * Jython's reader of a {@link FramedChannel}: each message as the Python 2 {@code str} that
 * unpickles, made here (a byte[] returned to Jython would reach Python as an array to copy
 * again, see {@link JythonItemReader}); the channel's other answers as Python ints. A manager
 * server's connection reads through {@link #serveRequests}, which answers in Java what it can.
 */
public final class JythonFrameReader {
    private final FramedChannel channel;

    public JythonFrameReader(FramedChannel channel) {
        this.channel = channel;
    }

    /** {@link FramedChannel#recv}, its byte[] made a str. */
    public PyObject recv(long maxLength, int waitMillis) {
        return forPython(channel.recv(maxLength, waitMillis));
    }

    /** A manager server's connection: {@link ServedObjects#serve} on this channel, its byte[] made a str. */
    public PyObject serveRequests(ServedObjects objects) {
        return forPython(objects.serve(channel));
    }

    private static PyObject forPython(Object frame) {
        if (frame instanceof byte[] message) {
            return new PyString(new String(message, StandardCharsets.ISO_8859_1));
        }
        return Py.newInteger((Integer) frame);
    }
}
