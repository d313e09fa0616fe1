package org.mp4j.synchronize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpinWaitTest {
    private static final long LIMIT = 300_000;

    /** The budget a wait that begins now would spin for. */
    private static long budget(SpinWait spin) {
        long now = System.nanoTime();
        return spin.deadline(now) - now;
    }

    /** Reports a wait that slept for {@code nanos} and ends now. */
    private static void slept(SpinWait spin, long nanos) {
        spin.slept(System.nanoTime() - nanos);
    }

    @Test
    void aNewWaiterSpinsUpToTheLimit() {
        assertEquals(LIMIT, budget(new SpinWait(LIMIT)));
    }

    @Test
    void waitsOfOneToTwoLimitsLeaveTheBudgetAsItIs() {
        SpinWait spin = new SpinWait(LIMIT);
        slept(spin, 10 * LIMIT);
        slept(spin, LIMIT + LIMIT / 2);
        assertEquals(LIMIT / 2, budget(spin));
    }

    @Test
    void waitsLongerThanTwiceTheLimitHalveTheBudgetDownToAFloorOfFiveMicroseconds() {
        SpinWait spin = new SpinWait(LIMIT);
        slept(spin, 10 * LIMIT);
        assertEquals(LIMIT / 2, budget(spin));
        spin.timedOut();
        assertEquals(LIMIT / 4, budget(spin));
        for (int i = 0; i < 20; i++) {
            slept(spin, 10 * LIMIT);
        }
        assertEquals(5_000, budget(spin));
    }

    @Test
    void aShortWaitThatSleptRaisesTheBudgetToTwiceItsLengthWithinTheLimit() {
        SpinWait spin = new SpinWait(LIMIT);
        for (int i = 0; i < 20; i++) {
            spin.timedOut();
        }
        slept(spin, 40_000);
        long raised = budget(spin);
        assertTrue(raised >= 80_000 && raised < 100_000, "budget " + raised);
        slept(spin, 250_000);
        assertEquals(LIMIT, budget(spin));
    }

    @Test
    void theLimitIsReadInMicrosecondsAndZeroOrLessTurnsSpinningOff() {
        assertEquals(120_000, SpinWait.limitNanos("120"));
        assertEquals(0, SpinWait.limitNanos("0"));
        assertEquals(0, SpinWait.limitNanos("-5"));
        assertEquals(SpinWait.DEFAULT_MICROS * 1000, SpinWait.limitNanos(null));
        assertEquals(SpinWait.DEFAULT_MICROS * 1000, SpinWait.limitNanos("fast"));
        assertFalse(new SpinWait(0).enabled());
        assertTrue(new SpinWait(LIMIT).enabled());
    }
}
