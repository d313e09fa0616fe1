package org.mp4j.managers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A proxy's request with plain scalar arguments, pickled in Java, is what CPython pickles. */
class ScalarRequestTest {
    private static final int NONE = ScalarRequest.NONE;
    private static final int INT = ScalarRequest.INT;
    private static final int FLOAT = ScalarRequest.FLOAT;
    private static final int STR = ScalarRequest.STR;
    private static final int BOOL = ScalarRequest.BOOL;

    private record Call(String python, String method, int argc, int kindA, Object a, int kindB, Object b) {
        byte[] pickle() {
            return ScalarRequest.of("7f3a9c", method, argc, kindA, a, kindB, b);
        }
    }

    @Test
    void requestsAreByteForByteCpythonsProtocol2PickleWithoutTheMemo() throws Exception {
        List<Call> calls = new ArrayList<>();
        calls.add(new Call("()", "get", 0, NONE, null, NONE, null));
        calls.add(new Call("(None,)", "put", 1, NONE, null, NONE, null));
        calls.add(new Call("(True, False)", "put", 2, BOOL, true, BOOL, false));
        long[] ints = {0, 127, 128, 255, 256, 65535, 65536, -1, -128, -129, Integer.MAX_VALUE,
            Integer.MIN_VALUE, 1L << 31, -(1L << 31) - 1, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};
        for (long i : ints) {
            calls.add(new Call("(" + i + ", -7)", "__setitem__", 2, INT, i, INT, -7));
        }
        // GraalPy hands a small int as an Integer, and may hand a float of integral value so too
        calls.add(new Call("(5, 3.0)", "__setitem__", 2, INT, 5, FLOAT, 3));
        calls.add(new Call("(1.5, -0.0)", "__setitem__", 2, FLOAT, 1.5, FLOAT, -0.0));
        calls.add(new Call("(float('inf'), 1e-300)", "put", 2, FLOAT, Double.POSITIVE_INFINITY, FLOAT, 1e-300));
        calls.add(new Call("('', 'k')", "__setitem__", 2, STR, "", STR, "k"));
        calls.add(new Call("('caf\\xe9', '\\u20ac' * 300)", "__setitem__", 2, STR, "caf\u00e9", STR, "\u20ac".repeat(300)));
        calls.add(new Call("('\\x7f\\x80\\u07ff\\u0800\\uffff',)", "__getitem__", 1, STR, "\u007f\u0080\u07ff\u0800\uffff", NONE, null));

        StringBuilder script = new StringBuilder("""
            import pickle, pickletools, sys
            lines = sys.stdin.read().split()
            expected = [%s]
            assert len(lines) == len(expected), (len(lines), len(expected))
            for line, (method, args) in zip(lines, expected):
                request = ('7f3a9c', method, args, {})
                want = pickletools.optimize(pickle.dumps(request, 2))
                got = bytes.fromhex(line)
                assert got == want, (request, got, want)
                assert repr(pickle.loads(got)) == repr(request), (request, pickle.loads(got))
            print('same', len(lines))
            """);
        StringBuilder expected = new StringBuilder();
        StringBuilder input = new StringBuilder();
        for (Call c : calls) {
            expected.append("('").append(c.method()).append("', ").append(c.python()).append("), ");
            input.append(HexFormat.of().formatHex(c.pickle())).append('\n');
        }
        Process p = new ProcessBuilder("python3", "-c", String.format(script.toString(), expected))
            .redirectErrorStream(true).start();
        p.getOutputStream().write(input.toString().getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        assertEquals("same " + calls.size(), out);
    }

    @Test
    void whatJavaCannotWriteAsPythonWouldIsLeftToPython() {
        // a surrogate: Java's UTF-16 cannot tell a pair of Python's surrogate code points from
        // the character they encode; so an emoji goes to Python too
        assertNull(ScalarRequest.of("id", "put", 1, STR, "a\ud800", NONE, null));
        assertNull(ScalarRequest.of("id", "put", 1, STR, "\ud83d\ude00", NONE, null));
        assertNull(ScalarRequest.of("id", "put", 1, INT, BigInteger.TWO.pow(64), NONE, null));
        // an argument that is not what its kind says, or no kind at all
        assertNull(ScalarRequest.of("id", "put", 1, INT, 1.5, NONE, null));
        assertNull(ScalarRequest.of("id", "put", 2, INT, 1, BOOL, 1));
        assertNull(ScalarRequest.of("id", "put", 1, NONE, "x", NONE, null));
        assertNull(ScalarRequest.of("id", "put", 1, -1, "x", NONE, null));
        assertNull(ScalarRequest.of("id", "put", 3, INT, 1, INT, 2));
        assertNull(ScalarRequest.of(7, "put", 0, NONE, null, NONE, null));
        assertNull(ScalarRequest.of("id", null, 0, NONE, null, NONE, null));
    }
}
