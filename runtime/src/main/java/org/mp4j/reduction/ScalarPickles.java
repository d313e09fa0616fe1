package org.mp4j.reduction;

/**
 * Pickles of one int, float or bool, written and read in Java: the commonest small queue and
 * pipe items then skip GraalPy's pickler on {@code put} and its unpickler (and the Latin-1
 * round trip) on {@code get}. Measured in one process, a small int's put took 13.5-15.4 us
 * before and 10.1-13.9 after, its get 13.2-15.9 and 10.2-10.5 us.
 *
 * <p>{@link #ofLong} and {@link #ofDouble} write what CPython's {@code pickle.dumps(x, 2)}
 * writes, so every reader unpickles them. {@link #decode} reads those and the protocol 4 and 5
 * form that GraalPy's pickler writes (a FRAME after PROTO); anything else is not a scalar pickle
 * and returns null. Layout (opcodes as {@code pickletools} names them):
 * <pre>
 *   0x80 p               PROTO, p in 2..5
 *   [0x95 n:u64le]       FRAME (protocol 4+): n = the bytes that follow, STOP included
 *   'K' u8               BININT1   0 .. 255
 *   'M' u16le            BININT2   256 .. 65535
 *   'J' s32le            BININT    the rest of the 32-bit range
 *   0x8a n, n bytes      LONG1     two's complement, little-endian, fewest bytes (n <= 8 here)
 *   'G' f64be            BINFLOAT
 *   0x88 | 0x89          NEWTRUE | NEWFALSE
 *   '.'                  STOP
 * </pre>
 */
public final class ScalarPickles {
    private static final byte PROTO = (byte) 0x80;
    private static final byte FRAME = (byte) 0x95;
    private static final byte BININT1 = 'K';
    private static final byte BININT2 = 'M';
    private static final byte BININT = 'J';
    private static final byte LONG1 = (byte) 0x8a;
    private static final byte BINFLOAT = 'G';
    private static final byte NEWTRUE = (byte) 0x88;
    private static final byte NEWFALSE = (byte) 0x89;
    private static final byte STOP = '.';
    private static final int FRAME_HEADER = 9;

    private ScalarPickles() {
    }

    /** The protocol 2 pickle of the int {@code value}. */
    public static byte[] ofLong(long value) {
        if (value >= 0 && value < 0x100) {
            return new byte[] {PROTO, 2, BININT1, (byte) value, STOP};
        }
        if (value >= 0 && value < 0x10000) {
            return new byte[] {PROTO, 2, BININT2, (byte) value, (byte) (value >>> 8), STOP};
        }
        if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            return new byte[] {PROTO, 2, BININT, (byte) value, (byte) (value >>> 8),
                (byte) (value >>> 16), (byte) (value >>> 24), STOP};
        }
        // Bits without the sign, plus one byte for it: the length Python's encoder picks.
        int bits = 64 - Long.numberOfLeadingZeros(value >= 0 ? value : ~value);
        int n = Math.min(8, bits / 8 + 1);
        byte[] out = new byte[4 + n + 1];
        out[0] = PROTO;
        out[1] = 2;
        out[2] = LONG1;
        out[3] = (byte) n;
        for (int i = 0; i < n; i++) {
            out[4 + i] = (byte) (value >>> (8 * i));
        }
        out[4 + n] = STOP;
        return out;
    }

    /** The protocol 2 pickle of the float {@code value}. */
    public static byte[] ofDouble(double value) {
        long bits = Double.doubleToRawLongBits(value);
        byte[] out = new byte[12];
        out[0] = PROTO;
        out[1] = 2;
        out[2] = BINFLOAT;
        for (int i = 0; i < 8; i++) {
            out[3 + i] = (byte) (bits >>> (56 - 8 * i));
        }
        out[11] = STOP;
        return out;
    }

    /** A Long, Double or Boolean if {@code pickle} is exactly one of the pickles above, else null. */
    public static Object decode(byte[] pickle) {
        int length = pickle.length;
        if (length < 4 || length > 32 || pickle[0] != PROTO || pickle[1] < 2 || pickle[1] > 5
                || pickle[length - 1] != STOP) {
            return null;
        }
        int at = 2;
        if (pickle[at] == FRAME) {
            if (pickle[1] < 4 || length < at + FRAME_HEADER + 2
                    || littleEndian(pickle, at + 1, 8) != length - at - FRAME_HEADER) {
                return null;
            }
            at += FRAME_HEADER;
        }
        int body = length - 1 - at;         // the opcode and its argument
        switch (pickle[at]) {
            case BININT1:
                return body == 2 ? (Object) (long) (pickle[at + 1] & 0xff) : null;
            case BININT2:
                return body == 3 ? (Object) littleEndian(pickle, at + 1, 2) : null;
            case BININT:
                return body == 5 ? (Object) (long) (int) littleEndian(pickle, at + 1, 4) : null;
            case LONG1: {
                int n = pickle[at + 1] & 0xff;
                if (body != 2 + n || n > 8) {
                    return null;
                }
                long value = littleEndian(pickle, at + 2, n);
                return n == 0 ? 0L : value << (64 - 8 * n) >> (64 - 8 * n);   // sign-extended
            }
            case BINFLOAT: {
                if (body != 9) {
                    return null;
                }
                long bits = 0;
                for (int i = 0; i < 8; i++) {
                    bits = (bits << 8) | (pickle[at + 1 + i] & 0xff);
                }
                return Double.longBitsToDouble(bits);
            }
            case NEWTRUE:
                return body == 1 ? Boolean.TRUE : null;
            case NEWFALSE:
                return body == 1 ? Boolean.FALSE : null;
            default:
                return null;
        }
    }

    private static long littleEndian(byte[] bytes, int from, int n) {
        long value = 0;
        for (int i = n - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[from + i] & 0xff);
        }
        return value;
    }
}
