package org.mp4j.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mp4j.engine.EngineKind;

/**
 * The warm pool's boot priorities with real (Jython) child JVMs: a refill boots in the
 * background, a first miss on a background child only raises it, and a second miss means
 * starts outrun the pool, so the next refill boots at normal priority.
 */
class WarmPoolTest {

    @Test
    void refillsBootInTheBackgroundUntilStartsMissTwice() throws Exception {
        try (ControlServer control = new ControlServer()) {
            ChildLauncher launcher = new ChildLauncher(EngineKind.JYTHON, control, ProcessHandle.current().pid());
            boolean lowers = launcher.lowersBackgroundChildren();
            try (WarmPool pool = new WarmPool(launcher, 1)) {
                pool.fill();
                ChildProcess first = pool.pooled().get(0);
                assertFalse(first.isLowered(), "the first child boots at normal priority");
                pool.awaitReady(60_000);
                assertTrue(first.isReady(), "the first child never said READY");

                assertSame(first, pool.take());                        // ready: no miss
                ChildProcess refill1 = nextRefill(pool, first);
                assertEquals(lowers, refill1.isLowered(), "a refill boots in the background");

                assertSame(refill1, pool.take());                      // first miss: raised only
                assertFalse(refill1.isLowered(), "a taken child is raised");
                ChildProcess refill2 = nextRefill(pool, refill1);
                assertEquals(lowers, refill2.isLowered(), "one miss is not yet starts outrunning the pool");

                assertSame(refill2, pool.take());                      // second miss: outrun
                ChildProcess refill3 = nextRefill(pool, refill2);
                assertFalse(refill3.isLowered(), "after two misses refills boot at normal priority");
                for (ChildProcess c : List.of(first, refill1, refill2)) {
                    c.kill();
                }
            }
        }
    }

    /** Waits for the refill that replaces {@code taken}. */
    private static ChildProcess nextRefill(WarmPool pool, ChildProcess taken) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            List<ChildProcess> pooled = pool.pooled();
            if (!pooled.isEmpty()) {
                assertNotSame(taken, pooled.get(0));
                return pooled.get(0);
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no refill within 30 s");
    }
}
