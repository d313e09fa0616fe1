package org.mp4j.synchronize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mp4j.shm.SharedNames;
import org.mp4j.shm.SharedSegment;

/**
 * The Event's flag and its waits. Two handles on one name stand for two processes: each maps
 * the segment itself, and the futex is the kind other processes wait on.
 */
class SharedEventTest {
    @Test
    void setAndClearAreSeenThroughEveryHandle() {
        try (SharedEvent made = SharedEvent.create(new SharedNames()); SharedEvent opened = SharedEvent.attach(made.name())) {
            try {
                assertFalse(opened.isSet());
                made.set();
                assertTrue(opened.isSet());
                assertTrue(opened.waitSet(0));
                assertTrue(opened.waitSet(-1));
                opened.clear();
                assertFalse(made.isSet());
                assertFalse(made.waitSet(0));
            } finally {
                SharedSegment.unlink(made.name());
            }
        }
    }

    @Test
    void aWaitThatIsNotSetEndsAtItsTimeoutWithFalse() {
        try (SharedEvent event = SharedEvent.create(new SharedNames())) {
            try {
                long began = System.nanoTime();
                assertFalse(event.waitSet(0.2));
                long took = System.nanoTime() - began;
                assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(195), "took " + took + " ns");
                assertTrue(took < TimeUnit.SECONDS.toNanos(3), "took " + took + " ns");
            } finally {
                SharedSegment.unlink(event.name());
            }
        }
    }

    @Test
    void everySleepingWaiterWakesAtASetThroughAnotherHandle() throws Exception {
        try (SharedEvent made = SharedEvent.create(new SharedNames())) {
            List<SharedEvent> handles = new ArrayList<>();
            try {
                List<CompletableFuture<Boolean>> waits = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    SharedEvent handle = SharedEvent.attach(made.name());
                    handles.add(handle);
                    waits.add(CompletableFuture.supplyAsync(() -> handle.waitSet(-1)));
                }
                Thread.sleep(200);          // far beyond any spin: the waiters sleep in the kernel
                for (CompletableFuture<Boolean> wait : waits) {
                    assertFalse(wait.isDone());
                }
                made.set();
                for (CompletableFuture<Boolean> wait : waits) {
                    assertTrue(wait.get(10, TimeUnit.SECONDS));
                }
            } finally {
                handles.forEach(SharedEvent::close);
                SharedSegment.unlink(made.name());
            }
        }
    }

    @Test
    void aTimedWaitIsWokenBySetBeforeItsTimeout() throws Exception {
        try (SharedEvent made = SharedEvent.create(new SharedNames()); SharedEvent opened = SharedEvent.attach(made.name())) {
            try {
                long began = System.nanoTime();
                CompletableFuture<Boolean> wait = CompletableFuture.supplyAsync(() -> opened.waitSet(30));
                Thread.sleep(100);
                made.set();
                assertTrue(wait.get(10, TimeUnit.SECONDS));
                assertTrue(System.nanoTime() - began < TimeUnit.SECONDS.toNanos(10));
            } finally {
                SharedSegment.unlink(made.name());
            }
        }
    }

    @Test
    void theFutexNumberIsKnownForThisMachinesArchitecture() {
        assertTrue(SharedEvent.futexSyscallNumber(System.getProperty("os.arch")) > 0);
        assertEquals(-1, SharedEvent.futexSyscallNumber("sparc"));
    }
}
