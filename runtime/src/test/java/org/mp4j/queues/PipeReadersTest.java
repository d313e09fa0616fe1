package org.mp4j.queues;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mp4j.shm.SharedNames;

/** A Pipe's count of receiving ends, as a sender sees it: a send fails (EPIPE) once none is left. */
class PipeReadersTest {
    private static final byte[] ITEM = {1, 2, 3};

    @Test
    void aSendFailsOnceEveryReceivingEndIsClosedAndAddsNothing() {
        SharedNames names = new SharedNames();
        try (SharedQueue pipe = SharedQueue.createPipe(names, 4096)) {
            assertTrue(pipe.put(ITEM, -1));
            pipe.removeReader();                    // the maker closes its receiving end
            assertFalse(pipe.put(ITEM, -1));
            assertEquals(1, pipe.qsize());
        } finally {
            names.removeAll();
        }
    }

    @Test
    void aReceivingEndOfAChildThatDiedIsUncounted() throws Exception {
        SharedNames names = new SharedNames();
        Process child = new ProcessBuilder("sleep", "60").start();
        try (SharedQueue pipe = SharedQueue.createPipe(names, 1 << 20)) {
            assertTrue(pipe.addReaderFor(child.pid()));
            pipe.removeReader();
            assertTrue(sendsWithin(pipe, 300), "the child still holds its end");
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertFalse(sendsWithin(pipe, 5000), "the dead child's end must not count");
        } finally {
            child.destroyForcibly();
            names.removeAll();
        }
    }

    @Test
    void aQueueTakesItemsWhoeverReads() {
        SharedNames names = new SharedNames();
        try (SharedQueue queue = SharedQueue.create(names, 0, 4096)) {
            queue.removeReader();
            assertTrue(queue.put(ITEM, -1));
        } finally {
            names.removeAll();
        }
    }

    /** Whether sends keep succeeding for {@code millis}; false at the first that fails. */
    private static boolean sendsWithin(SharedQueue pipe, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            if (!pipe.put(ITEM, -1)) {
                return false;
            }
            Thread.sleep(20);
        }
        return pipe.put(ITEM, -1);
    }
}
