package org.mp4j.synchronize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.mp4j.shm.SharedNames;

/** The per-process bookkeeping of CPython's SemLock: who holds it, how often, and which releases it refuses. */
class SemLockTest {
    private static String freshName() {
        return "/" + new SharedNames().next() + ".t";
    }

    private static <T> T inAnotherThread(Supplier<T> body) {
        return CompletableFuture.supplyAsync(body).join();
    }

    @Test
    void anRLockIsHeldAgainByItsThreadOnlyAndReleasedByItAsOftenAsTaken() {
        String name = freshName();
        try (PosixSemaphore sem = PosixSemaphore.create(name, 1)) {
            SemLock rlock = new SemLock(sem, SemLock.RECURSIVE_MUTEX, 1);
            assertTrue(rlock.acquireNow());
            assertTrue(rlock.acquireWithin(0.0), "its holder takes it again without waiting");
            assertEquals(2, rlock.count());
            assertTrue(rlock.isMine());
            assertFalse(inAnotherThread(rlock::acquireNow), "another thread finds it taken");
            assertFalse(inAnotherThread(rlock::isMine));
            assertEquals(SemLock.NOT_OWNED, (int) inAnotherThread(rlock::release));
            assertEquals(SemLock.RELEASED, rlock.release());
            assertEquals(0, sem.value(), "still held once");
            assertEquals(SemLock.RELEASED, rlock.release());
            assertEquals(1, sem.value());
            assertEquals(SemLock.NOT_OWNED, rlock.release(), "released more often than taken");
            assertTrue(inAnotherThread(rlock::acquireNow), "free for another thread");
        } finally {
            PosixSemaphore.unlink(name);
        }
    }

    @Test
    void aLockWaitsForItsHolderAndRefusesAReleaseBeyondItsMaximum() {
        String name = freshName();
        try (PosixSemaphore sem = PosixSemaphore.create(name, 1)) {
            SemLock lock = new SemLock(sem, SemLock.SEMAPHORE, 1);
            assertEquals(SemLock.RELEASED_TOO_MANY_TIMES, lock.release());
            assertTrue(lock.acquireNow());
            assertFalse(lock.acquireNow(), "a Lock is not taken twice, not even by its holder");
            assertFalse(lock.acquireWithin(0.01));
            assertTrue(lock.isMine());
            assertEquals(SemLock.RELEASED, (int) inAnotherThread(lock::release), "any thread may release a Lock");
            assertEquals(0, lock.count());
            assertFalse(lock.isMine());
            assertTrue(inAnotherThread(() -> lock.acquireWithin(1.0)));
        } finally {
            PosixSemaphore.unlink(name);
        }
    }

    @Test
    void aBoundedSemaphoreCountsItsHoldsUpToItsValue() {
        String name = freshName();
        try (PosixSemaphore sem = PosixSemaphore.create(name, 2)) {
            SemLock bounded = new SemLock(sem, SemLock.SEMAPHORE, 2);
            assertTrue(bounded.acquireNow());
            assertTrue(bounded.acquireNow());
            assertFalse(bounded.acquireNow());
            assertEquals(2, bounded.count());
            assertEquals(SemLock.RELEASED, bounded.release());
            assertEquals(SemLock.RELEASED, bounded.release());
            assertEquals(SemLock.RELEASED_TOO_MANY_TIMES, bounded.release());
            assertEquals(2, sem.value());
        } finally {
            PosixSemaphore.unlink(name);
        }
    }
}
