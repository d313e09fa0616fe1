package org.mp4j.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExitStatusTest {
    @Test
    void aReportedExitCodeIsTakenAsIsEvenWhenItLooksLikeASignal() {
        assertEquals(0, ExitStatus.toExitCode(0, 0));
        assertEquals(143, ExitStatus.toExitCode(143, 143));
        assertEquals(255, ExitStatus.toExitCode(255, 255));
    }

    @Test
    void anUnreportedDeathBySignalBecomesTheNegativeSignalNumber() {
        assertEquals(-15, ExitStatus.toExitCode(null, 128 + 15));
        assertEquals(-9, ExitStatus.toExitCode(null, 128 + 9));
    }

    @Test
    void anUnreportedOrdinaryExitKeepsItsValue() {
        assertEquals(1, ExitStatus.toExitCode(null, 1));
    }
}
