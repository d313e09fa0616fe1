package org.mp4j.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mp4j.engine.EngineKind;
import org.mp4j.shm.SharedNames;

/**
 * The warm pool's boot priorities with real (Jython) child JVMs: a refill boots in the
 * background, a first miss on a background child only raises it, and a second miss means
 * starts outrun the pool, so the next refill boots at normal priority; a child raised the
 * moment it was launched (a start that took the newest refill) really runs at normal priority;
 * while taken children boot on every core, refills wait in the background.
 */
class WarmPoolTest {
    /**
     * The children take this JVM for their tree's root, so it needs the root's resource tracker:
     * a child killed while it works out (or rehearses) leaves names in /dev/shm, which the
     * tracker removes once this JVM ends, as it does for an mp4j root.
     */
    @BeforeAll
    static void actAsTheTreesRoot() {
        new SharedNames().startTracker();
    }

    @Test
    void refillsBootInTheBackgroundUntilStartsMissTwice() throws Exception {
        try (ControlServer control = new ControlServer()) {
            ChildLauncher launcher = new ChildLauncher(EngineKind.JYTHON, control, ProcessHandle.current().pid(), null);
            boolean lowers = launcher.lowersBackgroundChildren();
            try (WarmPool pool = new WarmPool(launcher, 1, 4)) {   // 4 cores: taken children never fill them here
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

    @Test
    void refillsBootInTheBackgroundWhileTakenChildrenBootOnEveryCore() throws Exception {
        try (ControlServer control = new ControlServer()) {
            ChildLauncher launcher = new ChildLauncher(EngineKind.JYTHON, control, ProcessHandle.current().pid(), null);
            boolean lowers = launcher.lowersBackgroundChildren();
            try (WarmPool pool = new WarmPool(launcher, 1, 2)) {
                pool.fill();
                ChildProcess first = pool.take();                      // not ready yet: starts outrun the pool
                assertFalse(first.isReady(), "a JVM cannot have booted already");
                ChildProcess refill1 = nextRefill(pool, first);
                assertFalse(refill1.isLowered(), "one core boots a taken child, the other the refill");
                ChildProcess second = pool.take();
                assertSame(refill1, second);
                ChildProcess refill2 = nextRefill(pool, second);
                // taken milliseconds after their launch, neither JVM can be ready yet
                assertEquals(lowers, refill2.isLowered(), "two taken children boot on two cores: the refill waits");
                for (ChildProcess c : List.of(first, second)) {
                    c.kill();
                }
            }
        }
    }

    @Test
    void aChildRaisedTheMomentItIsLaunchedRunsAtNormalPriority() throws Exception {
        try (ControlServer control = new ControlServer()) {
            ChildLauncher launcher = new ChildLauncher(EngineKind.JYTHON, control, ProcessHandle.current().pid(), null);
            assumeTrue(launcher.lowersBackgroundChildren(), "nice is not usable here: nothing is lowered");
            int own = nice(Path.of("/proc/self/stat"));
            List<ChildProcess> children = List.of(launcher.launch(true), launcher.launch(true));
            try {
                for (ChildProcess c : children) {
                    launcher.foreground(c);     // while its launch wrappers may still run
                }
                for (ChildProcess c : children) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (!c.isReady() && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertTrue(c.isReady(), "the child never said READY");
                    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(c.pid()), "task"))) {
                        for (Path task : tasks.toList()) {
                            assertEquals(own, nice(task.resolve("stat")), "thread " + task + " of a raised child");
                        }
                    }
                }
            } finally {
                children.forEach(ChildProcess::kill);
            }
        }
    }

    /** The nice value in a /proc stat file (field 19; the name in parentheses may hold spaces). */
    private static int nice(Path stat) throws IOException {
        String text = Files.readString(stat);
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[19 - 3]);
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
