package org.mp4j.synchronize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mp4j.shm.SharedNames;

/** A waiter spins on the semaphore's value before it sleeps: it must read the real value, and never outlast its timeout. */
class PosixSemaphoreSpinTest {
    private static String freshName() {
        return "/" + new SharedNames().next() + ".t";
    }

    @Test
    void theValueASpinningWaiterWatchesIsTheSemaphoresValue() {
        String name = freshName();
        try (PosixSemaphore sem = PosixSemaphore.create(name, 3)) {
            assertEquals(3, sem.spinVisibleValue());
            sem.release();
            assertEquals(4, sem.spinVisibleValue());
            assertTrue(sem.acquireNanos(0));
            assertTrue(sem.acquireNanos(0));
            assertEquals(2, sem.spinVisibleValue());
            assertEquals(sem.value(), sem.spinVisibleValue());
        } finally {
            PosixSemaphore.unlink(name);
        }
    }

    @Test
    void aTimedWaitShorterThanTheSpinBudgetEndsAtItsTimeout() {
        // A new semaphore's budget is the whole limit (300 us by default; a timed-out wait then
        // halves it), so each try takes a new one; the fastest of them shows the wait's own length.
        // Many tries: on a loaded machine (CI, 2 cores) ten were all slowed once by preemption
        // and the first, cold calls through FFM.
        long fastest = Long.MAX_VALUE;
        for (int i = 0; i < 200; i++) {
            String name = freshName();
            try (PosixSemaphore sem = PosixSemaphore.create(name, 0)) {
                long t0 = System.nanoTime();
                assertFalse(sem.acquireNanos(TimeUnit.MICROSECONDS.toNanos(20)));
                fastest = Math.min(fastest, System.nanoTime() - t0);
            } finally {
                PosixSemaphore.unlink(name);
            }
        }
        assertTrue(fastest < TimeUnit.MICROSECONDS.toNanos(200), "fastest timed-out wait took " + fastest + " ns");
    }

    @Test
    void aReleaseFromAnotherThreadEndsAWaitWhetherItSpinsOrSleeps() throws Exception {
        String name = freshName();
        try (PosixSemaphore sem = PosixSemaphore.create(name, 0)) {
            for (long delayMicros : new long[] {0, 50, 20_000}) {
                Thread releaser = Thread.ofPlatform().start(() -> {
                    long until = System.nanoTime() + delayMicros * 1000;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    sem.release();
                });
                assertTrue(sem.acquireNanos(TimeUnit.SECONDS.toNanos(30)), "released after " + delayMicros + " us");
                releaser.join();
                assertEquals(0, sem.value());
            }
        } finally {
            PosixSemaphore.unlink(name);
        }
    }
}
