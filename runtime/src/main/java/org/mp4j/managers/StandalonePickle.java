package org.mp4j.managers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One value cut out of a larger pickle (an item inside a manager request) as a pickle of its
 * own, without unpickling it: the server stores the bytes and later sends them inside its
 * answer, so the value reaches the getter exactly as the putter pickled it, whatever its type.
 *
 * <p>A standalone pickle here is {@code PROTO p, body, STOP}: no FRAME opcodes (they are only
 * read-ahead hints, and a frame of the request may reach past the value), and memo indices from
 * 0 in the order the body writes them, so the body can be placed after other opcodes that write
 * no memo (an answer's {@code '#RETURN'}) and still reads its own memo entries.
 *
 * <p>The cut is refused (null) unless the span is one self-contained value: it must read only
 * memo entries it wrote itself, write them in sequence, never take from the stack below its
 * start, leave exactly one object, and use no opcode that needs more than the pickle (POP, DUP,
 * persistent ids, out-of-band buffers, the text forms of GET and PUT). Pickles made by CPython's,
 * GraalPy's or Jython's pickler pass; anything refused goes to the Python path instead.
 */
final class StandalonePickle {
    private StandalonePickle() {
    }

    /**
     * The value pickled in {@code p[start, end)}, as a standalone pickle of {@code protocol};
     * {@code memoBefore} is how many memo entries {@code p} wrote before {@code start}.
     */
    static byte[] cut(byte[] p, int start, int end, int memoBefore, int protocol) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(end - start + 3);
        out.write(PickleOps.PROTO);
        out.write(protocol);
        int depth = 0;                       // objects on the stack above the innermost mark
        int[] marks = new int[8];            // depth below each open mark
        int openMarks = 0;
        int written = 0;                     // memo entries this value wrote
        int at = start;
        while (at < end) {
            int op = p[at] & 0xff;
            int next = PickleOps.end(p, at, end);
            if (next < 0) {
                return null;
            }
            int effect = PickleOps.effect(op);
            if (effect == -1) {
                return null;
            }
            if (op == PickleOps.MARK) {
                if (openMarks == marks.length) {
                    marks = Arrays.copyOf(marks, openMarks * 2);
                }
                marks[openMarks++] = depth;
                depth = 0;
            } else if (effect < -1) {        // pops to the mark, then below it
                effect -= PickleOps.TO_MARK;
                if (openMarks == 0) {
                    return null;
                }
                depth = marks[--openMarks];
                if (depth < effect / 16) {
                    return null;
                }
                depth += effect % 16 - effect / 16;
            } else {
                if (depth < effect / 16) {
                    return null;
                }
                depth += effect % 16 - effect / 16;
            }
            switch (op) {
                case PickleOps.FRAME:
                    break;                   // dropped: see the class comment
                case PickleOps.MEMOIZE:
                    written++;
                    out.write(op);
                    break;
                case PickleOps.BINPUT:
                case PickleOps.LONG_BINPUT: {
                    long index = PickleOps.littleEndian(p, at + 1, next - at - 1);
                    if (index != memoBefore + (long) written) {
                        return null;         // not in sequence
                    }
                    writeMemo(out, PickleOps.BINPUT, PickleOps.LONG_BINPUT, written++);
                    break;
                }
                case PickleOps.BINGET:
                case PickleOps.LONG_BINGET: {
                    long index = PickleOps.littleEndian(p, at + 1, next - at - 1) - memoBefore;
                    if (index < 0 || index >= written) {
                        return null;         // an entry written outside the value
                    }
                    writeMemo(out, PickleOps.BINGET, PickleOps.LONG_BINGET, (int) index);
                    break;
                }
                default:
                    out.write(p, at, next - at);
            }
            at = next;
        }
        if (depth != 1 || openMarks != 0) {
            return null;
        }
        out.write(PickleOps.STOP);
        return out.toByteArray();
    }

    private static void writeMemo(ByteArrayOutputStream out, int shortOp, int longOp, int index) {
        if (index < 0x100) {
            out.write(shortOp);
            out.write(index);
        } else {
            out.write(longOp);
            for (int i = 0; i < 4; i++) {
                out.write(index >>> (8 * i));
            }
        }
    }

    /** A whole pickle ({@code pickle.dumps} of one value) as a standalone pickle, or null. */
    static byte[] of(byte[] pickle) {
        int n = pickle.length;
        if (n < 3 || (pickle[0] & 0xff) != PickleOps.PROTO || pickle[1] < 2
                || pickle[1] > PickleOps.HIGHEST_PROTOCOL || pickle[n - 1] != PickleOps.STOP) {
            return null;
        }
        return cut(pickle, 2, n - 1, 0, pickle[1]);
    }

    /** A whole pickle as a standalone one: {@link #of} it, else {@link #wrapping} it. */
    static byte[] ofAny(byte[] pickle) {
        byte[] standalone = of(pickle);
        return standalone != null ? standalone : wrapping(pickle);
    }

    /**
     * A standalone pickle of {@code pickle.loads(pickle)}: for a value whose own pickle cannot be
     * cut ({@link #of} refused it), the reader unpickles the original bytes in one more step.
     */
    static byte[] wrapping(byte[] pickle) {
        // Python 2 (a pickle of protocol 2 or less) reads the bytes as a str, Python 3 as bytes
        boolean python2 = pickle.length < 2 || (pickle[0] & 0xff) != PickleOps.PROTO || pickle[1] <= 2;
        ByteArrayOutputStream out = new ByteArrayOutputStream(pickle.length + 32);
        out.write(PickleOps.PROTO);
        out.write(python2 ? 2 : 3);
        out.write(PickleOps.GLOBAL);
        out.writeBytes("pickle\nloads\n".getBytes(StandardCharsets.US_ASCII));
        int n = pickle.length;
        if (n < 0x100) {
            out.write(python2 ? PickleOps.SHORT_BINSTRING : PickleOps.SHORT_BINBYTES);
            out.write(n);
        } else {
            out.write(python2 ? PickleOps.BINSTRING : PickleOps.BINBYTES);
            for (int i = 0; i < 4; i++) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(pickle);
        out.write(PickleOps.TUPLE1);
        out.write(PickleOps.REDUCE);
        out.write(PickleOps.STOP);
        return out.toByteArray();
    }

    /** The protocol of a standalone pickle. */
    static int protocol(byte[] standalone) {
        return standalone[1];
    }

    /** Appends the body of a standalone pickle (what lies between PROTO and STOP) to {@code out}. */
    static void writeBody(ByteArrayOutputStream out, byte[] standalone) {
        out.write(standalone, 2, standalone.length - 3);
    }
}
