package org.mp4j.queues;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mp4j.shm.SharedNames;

/** A Pipe's count of sending ends, as the receiver sees it: EOF once no holder is left. */
class PipeWritersTest {
    @Test
    void anEndPickledForAChildIsUncountedWhenTheChildDiesWithoutClaimingIt() throws Exception {
        SharedNames names = new SharedNames();
        Process child = new ProcessBuilder("sleep", "60").start();
        try (SharedQueue pipe = SharedQueue.create(names, 0, 4096)) {
            assertTrue(pipe.addWriterFor(child.pid()));
            pipe.removeWriter();                    // the maker closes its own end
            assertFalse(reapedWithin(pipe, 300), "the child still holds its end");
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertTrue(reapedWithin(pipe, 5000), "the dead child's end must not count");
        } finally {
            child.destroyForcibly();
            names.removeAll();
        }
    }

    @Test
    void anEndForAPidThatRunsNothingStillCountsUntilClosed() throws Exception {
        SharedNames names = new SharedNames();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        try (SharedQueue pipe = SharedQueue.create(names, 0, 4096)) {
            assertFalse(pipe.addWriterFor(gone.pid()));
            pipe.removeWriter();
            assertFalse(reapedWithin(pipe, 300), "an end with no known holder is counted, not lost");
            pipe.claimWriter();                     // its receiver (here: this process) holds it
            pipe.removeWriter();
            assertTrue(pipe.writersGone());
        } finally {
            names.removeAll();
        }
    }

    private static boolean reapedWithin(SharedQueue pipe, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            if (pipe.writersGone()) {
                return true;
            }
            Thread.sleep(20);
        }
        return pipe.writersGone();
    }
}
