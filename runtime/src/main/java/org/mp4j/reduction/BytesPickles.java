package org.mp4j.reduction;

/**
 * The pickle of one Python 3 {@code bytes} object, written and read in Java, so that a large
 * bytes item crosses a queue or pipe without GraalPy's pickler and unpickler, each of which
 * copies the whole payload once more (a 100 KB item: ~45 us to pickle, ~27 us to unpickle,
 * warm, in one process).
 *
 * <p>Layout, what CPython's {@code pickle.dumps(b, 5)} writes for 64 KB and more (opcodes as
 * {@code pickletools} names them):
 * <pre>
 *   0x80 0x05        PROTO 5
 *   'B' n:u32le      BINBYTES, n payload bytes follow
 *   n bytes          the payload
 *   0x94             MEMOIZE
 *   '.'              STOP
 * </pre>
 * Every Python 3 unpickler reads it at any length (a FRAME is optional). {@link #payloadLength}
 * recognizes exactly this layout; any other pickle, CPython's framed one for a shorter bytes
 * object included, is left to the unpickler.
 */
public final class BytesPickles {
    private static final byte PROTO = (byte) 0x80;
    private static final byte BINBYTES = 'B';
    private static final byte MEMOIZE = (byte) 0x94;
    private static final byte STOP = '.';
    /** PROTO, its version, BINBYTES and the length. */
    public static final int PREFIX_LENGTH = 7;
    /** MEMOIZE and STOP. */
    public static final int SUFFIX_LENGTH = 2;
    private static final byte[] SUFFIX = {MEMOIZE, STOP};

    private BytesPickles() {
    }

    /** What comes before a payload of {@code length} bytes. */
    public static byte[] prefix(int length) {
        return new byte[] {PROTO, 5, BINBYTES, (byte) length, (byte) (length >>> 8),
            (byte) (length >>> 16), (byte) (length >>> 24)};
    }

    /** What comes after the payload. */
    public static byte[] suffix() {
        return SUFFIX.clone();
    }

    /** The payload's length if {@code pickle} is laid out as above, else -1. */
    public static int payloadLength(byte[] pickle) {
        int length = pickle.length;
        if (length < PREFIX_LENGTH + SUFFIX_LENGTH || pickle[0] != PROTO || pickle[1] != 5
                || pickle[2] != BINBYTES || pickle[length - 2] != MEMOIZE || pickle[length - 1] != STOP) {
            return -1;
        }
        long n = (pickle[3] & 0xffL) | (pickle[4] & 0xffL) << 8 | (pickle[5] & 0xffL) << 16
            | (pickle[6] & 0xffL) << 24;
        return n == length - PREFIX_LENGTH - SUFFIX_LENGTH ? (int) n : -1;
    }

    /** Copies the payload of a pickle that {@link #payloadLength} accepted into {@code into}. */
    public static void copyPayload(byte[] pickle, byte[] into) {
        int n = payloadLength(pickle);
        if (n < 0 || into.length != n) {
            throw new IllegalArgumentException("not the pickle of a bytes object of " + into.length + " bytes");
        }
        System.arraycopy(pickle, PREFIX_LENGTH, into, 0, n);
    }
}
