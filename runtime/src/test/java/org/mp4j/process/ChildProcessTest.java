package org.mp4j.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mp4j.engine.EngineKind;
import org.mp4j.shm.SharedNames;

/** Real child JVMs (Jython, the quicker engine to boot), driven from Java without Python. */
class ChildProcessTest {
    private static ControlServer control;
    private static ChildLauncher launcher;

    @BeforeAll
    static void start() {
        new SharedNames().startTracker();      // see WarmPoolTest.actAsTheTreesRoot
        control = new ControlServer();
        launcher = new ChildLauncher(EngineKind.JYTHON, control, ProcessHandle.current().pid(), null);
    }

    @AfterAll
    static void stop() {
        control.close();
    }

    private static ChildProcess readyChild() throws InterruptedException {
        ChildProcess c = launcher.launch();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.isReady() && System.nanoTime() < deadline && c.poll() == null) {
            Thread.sleep(20);
        }
        assertTrue(c.isReady(), "the child never said READY");
        return c;
    }

    @Test
    void aReadyChildIsALiveSeparateProcessWithoutAnExitCode() throws Exception {
        ChildProcess c = readyChild();
        assertTrue(c.pid() != ProcessHandle.current().pid());
        assertTrue(ProcessHandle.of(c.pid()).map(ProcessHandle::isAlive).orElse(false));
        assertNull(c.poll());
        assertNull(c.waitFor(0.1), "waitFor must time out while the child runs");
        c.kill();
        assertEquals(-9, c.waitFor(30));
    }

    @Test
    void terminateEndsTheChildWithMinusSigterm() throws Exception {
        ChildProcess c = readyChild();
        c.terminate();
        assertEquals(-15, c.onExit().get(30, TimeUnit.SECONDS));
    }

    @Test
    void killEndsEvenAChildThatIsStillBooting() throws Exception {
        ChildProcess c = launcher.launch();
        c.kill();
        assertEquals(-9, c.onExit().get(30, TimeUnit.SECONDS));
    }
}
