package org.mp4j.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ControlMessageTest {
    @Test
    void messagesSurviveTheWireInOrderAndEndCleanly() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        byte[] job = new byte[70_000];
        for (int i = 0; i < job.length; i++) {
            job[i] = (byte) i;
        }
        new ControlMessage(ControlMessage.JOB, job).writeTo(out);
        ControlMessage.exit(-15 & 0xff).writeTo(out);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf.toByteArray()));
        ControlMessage first = ControlMessage.readFrom(in);
        assertEquals(ControlMessage.JOB, first.type());
        assertArrayEquals(job, first.body());
        assertEquals(241, ControlMessage.readFrom(in).exitCode());
        assertNull(ControlMessage.readFrom(in));
    }

    @Test
    void theStartsTimeIsTheMachinesClockSoAChildCanCompareItsOwnWithIt() throws Exception {
        // A pooled child counts a Ctrl-C as its job's when it came after the start() that took
        // it (BootSigint): times read in two processes must be on one clock.
        long before = MonotonicClock.nanos();
        Process other = new ProcessBuilder("python3", "-c", "import time; print(time.monotonic_ns())").start();
        long inOtherProcess = Long.parseLong(new String(other.getInputStream().readAllBytes()).trim());
        assertEquals(0, other.waitFor());
        long after = MonotonicClock.nanos();
        assertTrue(before <= inOtherProcess && inOtherProcess <= after,
            before + " <= " + inOtherProcess + " <= " + after);

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ControlMessage.started(after, false).writeTo(new DataOutputStream(buf));
        ControlMessage read = ControlMessage.readFrom(new DataInputStream(new ByteArrayInputStream(buf.toByteArray())));
        assertEquals(ControlMessage.STARTED, read.type());
        assertEquals(after, read.startedNanos());
    }

    @Test
    void aStartSaysWhetherItsJvmMayServeAgainAndDoneCarriesTheExitCode() throws IOException {
        // forkserver starts let a clean JVM serve again (ChildMain): the child learns it from
        // STARTED, and its DONE gives the parent the exit code while the JVM lives on.
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        ControlMessage.started(42L, true).writeTo(out);
        ControlMessage.started(43L, false).writeTo(out);
        ControlMessage.done(3).writeTo(out);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf.toByteArray()));
        ControlMessage serves = ControlMessage.readFrom(in);
        assertEquals(42L, serves.startedNanos());
        assertTrue(serves.startedServesAgain());
        ControlMessage exits = ControlMessage.readFrom(in);
        assertEquals(43L, exits.startedNanos());
        assertFalse(exits.startedServesAgain());
        ControlMessage done = ControlMessage.readFrom(in);
        assertEquals(ControlMessage.DONE, done.type());
        assertEquals(3, done.exitCode());
    }

    @Test
    void aCorruptLengthIsRefused() {
        byte[] corrupt = {ControlMessage.JOB, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThrows(IOException.class,
            () -> ControlMessage.readFrom(new DataInputStream(new ByteArrayInputStream(corrupt))));
    }
}
