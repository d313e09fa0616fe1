package org.mp4j.reduction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The layout is CPython 3.11's pickle.dumps(b, 5) for a bytes object of 64 KB or more. */
class BytesPicklesTest {
    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static byte[] pickle(byte[] payload) {
        byte[] prefix = BytesPickles.prefix(payload.length);
        byte[] suffix = BytesPickles.suffix();
        byte[] out = Arrays.copyOf(prefix, prefix.length + payload.length + suffix.length);
        System.arraycopy(payload, 0, out, prefix.length, payload.length);
        System.arraycopy(suffix, 0, out, prefix.length + payload.length, suffix.length);
        return out;
    }

    @Test
    void aBytesObjectIsPickledAsCPythonPicklesOneOf64KbOrMore() {
        // pickle.dumps(b'x' * 70000, 5): PROTO 5, BINBYTES 70000 (0x011170), the bytes, MEMOIZE, STOP
        assertArrayEquals(bytes(0x80, 5, 'B', 0x70, 0x11, 0x01, 0x00), BytesPickles.prefix(70000));
        assertArrayEquals(bytes(0x94, '.'), BytesPickles.suffix());
    }

    @Test
    void thePayloadComesBackFromItsPickleAtEveryLength() {
        for (int n : new int[] {0, 1, 255, 256, 65536, 1 << 20}) {
            byte[] payload = new byte[n];
            for (int i = 0; i < n; i++) {
                payload[i] = (byte) (i * 7);
            }
            byte[] pickle = pickle(payload);
            assertEquals(n, BytesPickles.payloadLength(pickle));
            byte[] back = new byte[n];
            BytesPickles.copyPayload(pickle, back);
            assertArrayEquals(payload, back);
        }
    }

    @Test
    void anyOtherPickleIsLeftToTheUnpickler() {
        // pickle.dumps(b'abc', 5): framed, SHORT_BINBYTES
        assertEquals(-1, BytesPickles.payloadLength(
            bytes(0x80, 5, 0x95, 7, 0, 0, 0, 0, 0, 0, 0, 'C', 3, 'a', 'b', 'c', 0x94, '.')));
        byte[] pickle = pickle(new byte[] {1, 2, 3});
        assertEquals(-1, BytesPickles.payloadLength(Arrays.copyOf(pickle, pickle.length - 1)), "cut short");
        byte[] longer = Arrays.copyOf(pickle, pickle.length + 1);
        longer[longer.length - 1] = '.';
        longer[longer.length - 2] = (byte) 0x94;
        assertEquals(-1, BytesPickles.payloadLength(longer), "a length that is not the payload's");
        byte[] protocol4 = pickle.clone();
        protocol4[1] = 4;
        assertEquals(-1, BytesPickles.payloadLength(protocol4));
        assertEquals(-1, BytesPickles.payloadLength(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> BytesPickles.copyPayload(pickle, new byte[2]));
    }
}
