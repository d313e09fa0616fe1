package org.mp4j.process;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SignalDispositionTest {
    private static final int SIGWINCH = 28;     // one this JVM does not use; its default is harmless

    @Test
    void isIgnoredReadsWhatTheKernelHasWithoutChangingIt() {
        try {
            assertTrue(SignalDisposition.ignore(SIGWINCH));
            assertTrue(SignalDisposition.isIgnored(SIGWINCH));
            assertTrue(SignalDisposition.isIgnored(SIGWINCH), "a second look sees the same");
            assertTrue(SignalDisposition.restoreDefault(SIGWINCH));
            assertFalse(SignalDisposition.isIgnored(SIGWINCH));
        } finally {
            SignalDisposition.restoreDefault(SIGWINCH);
        }
    }
}
