package org.mp4j.managers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Requests pickled by the real CPython (python3 on the machine), read in Java, and answers made
 * in Java that CPython unpickles: what a manager server on GraalPy does with a proxy's call.
 */
class ManagerRequestTest {
    /** Items of every kind, as CPython client code puts them; each line of output is one request. */
    private static final String ITEMS = """
        import pickle, sys
        class Point(object):
            def __init__(self, x, y): self.x, self.y = x, y
            def __eq__(self, o): return type(o) is Point and (self.x, self.y) == (o.x, o.y)
        s = 'shared'
        cyclic = [1, 2]; cyclic.append(cyclic)
        ITEMS = [None, True, -1, 2 ** 100, 1.5, u'h\\xe9llo \\u4e16', b'\\x00\\xff', bytearray(b'ab'),
                 (1, s, s), [s, s, {'k': s}], {1: 2, 'x': [3]}, {1, 2}, frozenset([3]), Point(1, s),
                 b'x' * 200000, [s] * 70000, [str(i) for i in range(300)], complex(1, 2), cyclic]
        def same(a, b):
            if a is cyclic:
                return b[2] is b and b[:2] == [1, 2]
            return a == b and type(a) is type(b)
        if sys.argv[1] == 'requests':
            for protocol in (2, 3, 4, 5):
                for item in ITEMS:
                    print(pickle.dumps(('7f3a01', 'put', (item, False, 2.5), {'timeout': 1}), protocol).hex())
        else:
            answers = sys.stdin.read().split()
            for i, answer in enumerate(answers):
                kind, value = pickle.loads(bytes.fromhex(answer))
                item = ITEMS[i % len(ITEMS)]
                print('ok' if kind == '#RETURN' and same(item, value) else 'FAIL %d %r' % (i, value[:80] if isinstance(value, (bytes, list)) else value))
        """;

    @Test
    void everyItemCutFromACpythonRequestComesBackToCpythonAsItWas() throws Exception {
        List<String> requests = python(ITEMS, "requests", "");
        assertEquals(4 * 19, requests.size());
        StringBuilder answers = new StringBuilder();
        for (String hex : requests) {
            ManagerRequest r = ManagerRequest.parse(HexFormat.of().parseHex(hex));
            assertNotNull(r, hex.substring(0, Math.min(hex.length(), 80)));
            assertEquals("7f3a01", r.ident);
            assertEquals("put", r.method);
            assertEquals(3, r.argCount());
            assertEquals(Boolean.FALSE, r.scalar(1));
            assertEquals(2.5, r.scalar(2));
            assertEquals(1, r.keywordCount());
            assertEquals(1L, r.keywordScalar(r.keyword("timeout")));
            assertEquals(ManagerRequest.ABSENT, r.keyword("block"));
            byte[] item = r.item(0);
            assertNotNull(item, hex.substring(0, Math.min(hex.length(), 80)));
            answers.append(HexFormat.of().formatHex(ServedObjects.returning(r.protocol, item))).append('\n');
        }
        List<String> verdicts = python(ITEMS, "answers", answers.toString());
        assertEquals(requests.size(), verdicts.size());
        for (String verdict : verdicts) {
            assertEquals("ok", verdict);
        }
    }

    @Test
    void anItemThatIsTheSameObjectAsAnEarlierPartOfTheRequestIsLeftToPython() throws Exception {
        // CPython pickles the interned 'put' once: the item is a memo reference to the method name
        String hex = python("import pickle; print(pickle.dumps(('7f3a01', 'put', ('put',), {}), 4).hex())", "", "").get(0);
        ManagerRequest r = ManagerRequest.parse(HexFormat.of().parseHex(hex));
        assertNotNull(r);
        assertSame(ManagerRequest.UNKNOWN, r.scalar(0));
        assertNull(r.item(0));
    }

    @Test
    void whatIsNotARequestIsNotRead() throws Exception {
        List<String> others = python("""
            import pickle
            for obj in [('id', 'put', (1,)), ['id', 'put', (), {}], ('id', 'put', [1], {}), ('id', 'put', (), []),
                        (1, 'put', (), {}), ('id', 'put', (), {}, 5)]:
                print(pickle.dumps(obj, 4).hex())
            print(pickle.dumps(('id', 'put', (), {}), 0).hex())
            """, "", "");
        assertEquals(7, others.size());
        for (String hex : others) {
            assertNull(ManagerRequest.parse(HexFormat.of().parseHex(hex)), hex);
        }
        assertNull(ManagerRequest.parse(new byte[] {(byte) 0x80, 4, 'N'}));
        assertNull(ManagerRequest.parse("garbage".getBytes(StandardCharsets.US_ASCII)));
    }

    private static List<String> python(String script, String mode, String input) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", script, mode).redirectErrorStream(true).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        List<String> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.trim());
            }
        }
        return lines;
    }
}
