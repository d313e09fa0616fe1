package org.mp4j.managers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.mp4j.reduction.ScalarPickles;

/** A proxy reads ('#RETURN', scalar or str) answers in Java, as CPython's and mp4j's servers write them. */
class ManagerAnswersTest {
    @Test
    void scalarAnswersOfCpythonAndOfTheJavaServerAreReadAsTheirValues() throws Exception {
        Process p = new ProcessBuilder("python3", "-c", """
            import pickle
            for protocol in (2, 4, 5):
                for x in (None, True, False, 0, 255, 65535, -1, 2 ** 31, -2 ** 63, 2 ** 63 - 1, 1.5, -0.0,
                          '', 'text', 'caf\\xe9 \\u20ac', 'x' * 300):
                    print(pickle.dumps(('#RETURN', x), protocol).hex())
            for other in (('#RETURN', 2 ** 64), ('#RETURN', [1]), ('#ERROR', 1), ('#RETURN', 1, 2),
                          ('#RETURN', 'lone \\ud800'), ('#RETURN', 'x' * 2000)):
                print(pickle.dumps(other, 4).hex())
            # a Python 2 str (SHORT_BINSTRING), which Python 3 may unpickle as bytes
            print(pickle.dumps(('#RETURN', 0), 2).replace(b'K\\x00', b'U\\x01x').hex())
            """).redirectErrorStream(true).start();
        String[] lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\n");
        assertEquals(0, p.waitFor());
        Object[] values = {null, true, false, 0L, 255L, 65535L, -1L, 1L << 31, Long.MIN_VALUE, Long.MAX_VALUE, 1.5, -0.0,
            "", "text", "caf\u00e9 \u20ac", "x".repeat(300)};
        assertEquals(3 * values.length + 7, lines.length);
        for (int i = 0; i < 3 * values.length; i++) {
            assertEquals(values[i % values.length], ManagerAnswers.returned(HexFormat.of().parseHex(lines[i])), lines[i]);
        }
        for (int i = 3 * values.length; i < lines.length; i++) {
            assertSame(PickleOps.NOT_SCALAR, ManagerAnswers.returned(HexFormat.of().parseHex(lines[i])), lines[i]);
        }
        assertNull(ManagerAnswers.returned(ServedObjects.returning(5, (Object) null)));
        assertEquals(Boolean.TRUE, ManagerAnswers.returned(ServedObjects.returning(2, true)));
        assertEquals(-7L, ManagerAnswers.returned(ServedObjects.returning(4, ScalarPickles.ofLong(-7))));
    }
}
