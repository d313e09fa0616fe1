package org.mp4j.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessStampTest {
    @Test
    void thisProcessIsRunningUnderItsOwnPid() {
        assertNotNull(ProcessStamp.SELF);
        assertEquals(ProcessHandle.current().pid(), ProcessStamp.SELF.pid());
        assertTrue(ProcessStamp.SELF.isRunning());
    }

    @Test
    void aKilledProcessIsNoLongerRunningAndItsPidFindsNoneOrAnother() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            ProcessStamp stamp = ProcessStamp.read(sleeper.pid());
            assertNotNull(stamp);
            assertTrue(stamp.isRunning());
            sleeper.destroyForcibly();
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
            assertFalse(stamp.isRunning());
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aStampWithAnotherStartTimeIsNotTheProcessNowUnderThatPid() {
        ProcessStamp self = ProcessStamp.SELF;
        assertFalse(new ProcessStamp(self.pid(), self.startTicks() - 1).isRunning(),
            "a reused pid must not count as the process that ended");
    }

    @Test
    void aZombieIsNotRunning() throws Exception {
        // The shell's child ends; the shell becomes a sleep that never waits for it, so it stays
        // a zombie for the test's length.
        Process shell = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 60").start();
        try {
            long zombie = Long.parseLong(shell.inputReader().readLine().trim());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ProcessStamp.read(zombie) != null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertNull(ProcessStamp.read(zombie));
            assertTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc", Long.toString(zombie))),
                "the zombie is still in the process table");
        } finally {
            shell.destroyForcibly();
        }
    }
}
