package org.mp4j.engine;

import java.nio.charset.StandardCharsets;
import org.mp4j.queues.SharedQueue;
import org.python.core.Py;
import org.python.core.PyObject;
import org.python.core.PyString;

/**
 * Jython's reader of a queue's (or pipe's) items: each item as the Python 2 {@code str} that
 * unpickles, made here. A Java String returned to Jython becomes a {@code unicode} (a copy,
 * ~250 µs for 100 KB) that Python then had to encode back to a {@code str} (~850 µs); a
 * PyString made here costs the copy into a String and one pass that checks every char fits
 * a byte.
 */
public final class JythonItemReader {
    private final SharedQueue queue;

    public JythonItemReader(SharedQueue queue) {
        this.queue = queue;
    }

    /** The next item, waiting up to {@code timeout} seconds (see {@link SharedQueue#get}); None if none came. */
    public PyObject get(double timeout) {
        byte[] item = queue.get(timeout);
        return item == null ? Py.None : new PyString(new String(item, StandardCharsets.ISO_8859_1));
    }
}
