package org.mp4j.queues;

import java.io.IOException;
import java.io.UncheckedIOException;
import net.razorvine.pickle.Pickler;
import net.razorvine.pickle.Unpickler;
import org.mp4j.shm.SharedNames;

/**
 * A {@link SharedQueue} for Java hosts: Java objects in and out, pickled with Pyrolite (protocol
 * 2, which both engines read), so that Java threads and Python processes share one queue.
 * Python attaches with {@code multiprocessing.queues.attach_queue(name)}.
 */
public final class PickledQueue implements AutoCloseable {
    private final SharedQueue queue;

    private PickledQueue(SharedQueue queue) {
        this.queue = queue;
    }

    /** A new queue owned by this JVM ({@code maxsize <= 0}: unbounded). */
    public static PickledQueue create(SharedNames names, int maxsize) {
        return new PickledQueue(SharedQueue.create(names, maxsize, SharedQueue.DEFAULT_CAPACITY));
    }

    public static PickledQueue attach(String name) {
        return new PickledQueue(SharedQueue.attach(name));
    }

    public String name() {
        return queue.name();
    }

    /** Puts {@code item}; false if the queue stayed full for {@code timeoutSeconds} (negative: wait for ever). */
    public boolean put(Object item, double timeoutSeconds) {
        try {
            return queue.put(new Pickler(false).dumps(item), timeoutSeconds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next item, or null if none came within {@code timeoutSeconds}. */
    public Object get(double timeoutSeconds) {
        byte[] data = queue.get(timeoutSeconds);
        if (data == null) {
            return null;
        }
        try {
            return new Unpickler().loads(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
