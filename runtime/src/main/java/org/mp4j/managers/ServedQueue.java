package org.mp4j.managers;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.graalvm.polyglot.HostAccess;

/**
 * The queue behind a {@code SyncManager.Queue()} or {@code JoinableQueue()}: Python's
 * {@code queue.Queue} (maxsize, blocking with timeouts, {@code task_done}/{@code join}) holding
 * standalone pickles ({@link StandalonePickle}) instead of objects. {@link ServedObjects} puts
 * and gets in Java, straight from and into the pickles of the requests and answers; the server's
 * Python object ({@code managers._ServedQueue}) calls the exported methods for the rest.
 *
 * <p>Timeouts are in seconds, negative for none (wait for ever); callers check them as
 * {@code queue.Queue} does before they come here. Unlike {@code queue.Queue} under a server
 * thread, an item whose answer could not be sent goes back to the front ({@link #putBack}).
 */
public final class ServedQueue {
    private final long maxsize;                       // <= 0: no bound, as queue.Queue
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Condition allTasksDone = lock.newCondition();
    private final ArrayDeque<byte[]> items = new ArrayDeque<>();
    private long unfinishedTasks;

    ServedQueue(long maxsize) {
        this.maxsize = maxsize;
    }

    /**
     * Puts a standalone pickle; false if the queue stayed full (not blocking, or for the
     * timeout). A wait can be interrupted (the thread then ends as the queue was: nothing put).
     */
    boolean put(byte[] standalone, boolean block, double timeoutSeconds) throws InterruptedException {
        lock.lock();
        try {
            if (!waitFor(notFull, () -> maxsize <= 0 || items.size() < maxsize, block, timeoutSeconds)) {
                return false;
            }
            items.addLast(standalone);
            unfinishedTasks++;
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the first standalone pickle; null if the queue stayed empty (not blocking, or for the timeout). */
    byte[] get(boolean block, double timeoutSeconds) throws InterruptedException {
        lock.lock();
        try {
            if (!waitFor(notEmpty, () -> !items.isEmpty(), block, timeoutSeconds)) {
                return null;
            }
            byte[] item = items.removeFirst();
            notFull.signal();
            return item;
        } finally {
            lock.unlock();
        }
    }

    boolean bounded() {
        return maxsize > 0;
    }

    /** An item that {@link #get} gave but nobody received goes back to the front (it is still unfinished). */
    void putBack(byte[] standalone) {
        lock.lock();
        try {
            items.addFirst(standalone);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Python's put: a whole pickle of the item; 0 put, 1 full. */
    @HostAccess.Export
    public int putPickle(byte[] pickle, boolean block, double timeoutSeconds) throws InterruptedException {
        return put(StandalonePickle.ofAny(pickle), block, timeoutSeconds) ? 0 : 1;
    }

    /** Python's get: the standalone pickle of the item, or null if none came. */
    @HostAccess.Export
    public byte[] getPickle(boolean block, double timeoutSeconds) throws InterruptedException {
        return get(block, timeoutSeconds);
    }

    /** Copies an item from {@link #getPickle} into {@code into} (the storage of a new bytes object). */
    @HostAccess.Export
    public void copyItem(byte[] item, byte[] into) {
        System.arraycopy(item, 0, into, 0, item.length);
    }

    @HostAccess.Export
    public int qsize() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }

    @HostAccess.Export
    public boolean empty() {
        return qsize() == 0;
    }

    @HostAccess.Export
    public boolean full() {
        return maxsize > 0 && qsize() >= maxsize;
    }

    /** One task done; false if none was unfinished (queue.Queue raises ValueError). */
    @HostAccess.Export
    public boolean taskDone() {
        lock.lock();
        try {
            if (unfinishedTasks <= 0) {
                return false;
            }
            if (--unfinishedTasks == 0) {
                allTasksDone.signalAll();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every item put has had its task_done. */
    @HostAccess.Export
    public void join() throws InterruptedException {
        lock.lock();
        try {
            while (unfinishedTasks > 0) {
                allTasksDone.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * With the lock held: whether {@code ready} holds, now or (if {@code block}) within the
     * timeout (seconds, negative for none), waiting on {@code signalled}.
     */
    private static boolean waitFor(Condition signalled, BooleanSupplier ready, boolean block, double timeoutSeconds)
            throws InterruptedException {
        if (ready.getAsBoolean()) {
            return true;
        }
        if (!block) {
            return false;
        }
        long nanos = nanos(timeoutSeconds);
        while (!ready.getAsBoolean()) {
            if (nanos < 0) {
                signalled.await();
            } else if (nanos == 0) {
                return false;
            } else {
                nanos = Math.max(signalled.awaitNanos(nanos), 0);
            }
        }
        return true;
    }

    private static long nanos(double seconds) {
        if (seconds < 0) {
            return -1;
        }
        double nanos = seconds * 1e9;
        return nanos >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, (long) nanos);
    }
}
