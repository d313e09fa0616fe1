package org.mp4j.reduction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The bytes are those CPython 3.11's pickle writes (pickle.dumps(x, 2) and pickle.dumps(x, 5)). */
class ScalarPicklesTest {
    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    void intsArePickledAsCPythonPicklesThemAtProtocol2() {
        assertArrayEquals(bytes(0x80, 2, 'K', 0, '.'), ScalarPickles.ofLong(0));
        assertArrayEquals(bytes(0x80, 2, 'K', 0xff, '.'), ScalarPickles.ofLong(255));
        assertArrayEquals(bytes(0x80, 2, 'M', 0x00, 0x01, '.'), ScalarPickles.ofLong(256));
        assertArrayEquals(bytes(0x80, 2, 'M', 0xff, 0xff, '.'), ScalarPickles.ofLong(65535));
        assertArrayEquals(bytes(0x80, 2, 'J', 0x00, 0x00, 0x01, 0x00, '.'), ScalarPickles.ofLong(65536));
        assertArrayEquals(bytes(0x80, 2, 'J', 0xff, 0xff, 0xff, 0xff, '.'), ScalarPickles.ofLong(-1));
        assertArrayEquals(bytes(0x80, 2, 'J', 0x00, 0x00, 0x00, 0x80, '.'), ScalarPickles.ofLong(Integer.MIN_VALUE));
        assertArrayEquals(bytes(0x80, 2, 0x8a, 5, 0x00, 0x00, 0x00, 0x80, 0x00, '.'), ScalarPickles.ofLong(1L << 31));
        assertArrayEquals(bytes(0x80, 2, 0x8a, 5, 0xff, 0xff, 0xff, 0x7f, 0xff, '.'),
            ScalarPickles.ofLong(Integer.MIN_VALUE - 1L));
        assertArrayEquals(bytes(0x80, 2, 0x8a, 5, 0x00, 0x00, 0x00, 0x00, 0x80, '.'), ScalarPickles.ofLong(-(1L << 39)));
        assertArrayEquals(bytes(0x80, 2, 0x8a, 6, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, '.'), ScalarPickles.ofLong(1L << 39));
        assertArrayEquals(bytes(0x80, 2, 0x8a, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '.'),
            ScalarPickles.ofLong(Long.MAX_VALUE));
        assertArrayEquals(bytes(0x80, 2, 0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 0x80, '.'), ScalarPickles.ofLong(Long.MIN_VALUE));
    }

    @Test
    void floatsArePickledAsCPythonPicklesThemAtProtocol2() {
        assertArrayEquals(bytes(0x80, 2, 'G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, '.'), ScalarPickles.ofDouble(1.5));
        assertArrayEquals(bytes(0x80, 2, 'G', 0x80, 0, 0, 0, 0, 0, 0, 0, '.'), ScalarPickles.ofDouble(-0.0));
        assertArrayEquals(bytes(0x80, 2, 'G', 0x7f, 0xf0, 0, 0, 0, 0, 0, 0, '.'),
            ScalarPickles.ofDouble(Double.POSITIVE_INFINITY));
    }

    @Test
    void everyLongAndDoubleComesBackFromItsPickle() {
        SplittableRandom random = new SplittableRandom(42);
        for (int shift = 0; shift < 64; shift++) {
            for (long v : new long[] {1L << shift, (1L << shift) - 1, -(1L << shift), -(1L << shift) - 1,
                    random.nextLong() >> shift}) {
                assertEquals(v, ScalarPickles.decode(ScalarPickles.ofLong(v)), "value " + v);
            }
        }
        for (double d : new double[] {0.0, -0.0, 1e-300, -2.5, Double.MAX_VALUE, Double.NaN,
                Double.NEGATIVE_INFINITY, random.nextDouble()}) {
            assertEquals(Double.doubleToRawLongBits(d),
                Double.doubleToRawLongBits((Double) ScalarPickles.decode(ScalarPickles.ofDouble(d))));
        }
    }

    @Test
    void protocol5PicklesWithAFrameAreRead() {
        assertEquals(300L, ScalarPickles.decode(bytes(0x80, 5, 0x95, 4, 0, 0, 0, 0, 0, 0, 0, 'M', 0x2c, 0x01, '.')));
        assertEquals(-1L, ScalarPickles.decode(bytes(0x80, 5, 0x95, 6, 0, 0, 0, 0, 0, 0, 0, 'J', 0xff, 0xff, 0xff, 0xff, '.')));
        assertEquals(1L << 40, ScalarPickles.decode(bytes(0x80, 5, 0x95, 9, 0, 0, 0, 0, 0, 0, 0,
            0x8a, 6, 0, 0, 0, 0, 0, 1, '.')));
        assertEquals(1.5, ScalarPickles.decode(bytes(0x80, 5, 0x95, 10, 0, 0, 0, 0, 0, 0, 0,
            'G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, '.')));
        assertEquals(7L, ScalarPickles.decode(bytes(0x80, 5, 'K', 7, '.')));
        assertEquals(Boolean.TRUE, ScalarPickles.decode(bytes(0x80, 5, 0x88, '.')));
        assertEquals(Boolean.FALSE, ScalarPickles.decode(bytes(0x80, 2, 0x89, '.')));
    }

    @Test
    void anythingElseIsLeftToPythonsUnpickler() {
        assertNull(ScalarPickles.decode(bytes(0x80, 5, 'N', '.')));                    // None
        assertNull(ScalarPickles.decode(bytes(0x80, 5, 0x95, 7, 0, 0, 0, 0, 0, 0, 0,
            'K', 1, 'K', 2, 0x86, 0x94, '.')));                                        // (1, 2)
        assertNull(ScalarPickles.decode(bytes(0x80, 5, 0x95, 6, 0, 0, 0, 0, 0, 0, 0,
            0x8c, 2, 'a', 'b', 0x94, '.')));                                           // 'ab'
        assertNull(ScalarPickles.decode(bytes(0x80, 2, 'K', 1, 'K', 2, '.')));          // two opcodes
        assertNull(ScalarPickles.decode(bytes(0x80, 5, 0x95, 5, 0, 0, 0, 0, 0, 0, 0, 'M', 0x2c, 0x01, '.')));  // frame length
        assertNull(ScalarPickles.decode(bytes(0x80, 2, 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, '.')));  // beyond a long
        assertNull(ScalarPickles.decode(bytes('K', 1, '.')));                          // protocol 0/1
        assertNull(ScalarPickles.decode(bytes(0x80, 2, 'K', 1)));                       // no STOP
        assertNull(ScalarPickles.decode(new byte[0]));
    }
}
