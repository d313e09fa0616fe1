package org.mp4j.managers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.mp4j.reduction.ScalarPickles;

/**
 * A proxy's manager request {@code (ident, method, args, {})} pickled in Java, for the calls
 * whose arguments are at most two plain scalars ({@code d[k] = v}, {@code d[k]}, {@code q.put(x)},
 * {@code q.get()}, ...): GraalPy's pickler cost the client ~8 µs a request, as much as the
 * server's whole work for it.
 *
 * <p>Python says what each argument is ({@link #INT}, {@link #FLOAT}, {@link #STR},
 * {@link #BOOL}, {@link #NONE}), having checked its exact type: GraalPy hands a Python int, or a
 * float of integral value, to Java as the smallest boxed number that holds it, and an int
 * subclass (an IntEnum) as a plain number, so only Python can tell them apart. The pickle is
 * what CPython's {@code pickle.dumps(request, 2)} writes, memo left out, so that any server
 * reads it: mp4j's Java loop, its Python loop, and CPython's.
 * <pre>
 *   0x80 2                   PROTO 2
 *   '('                      MARK
 *   'X' n:u32le utf8         BINUNICODE ident, then method
 *   argument*                each as below
 *   ')' | 0x85 | 0x86        EMPTY_TUPLE | TUPLE1 | TUPLE2: the args
 *   '}'                      EMPTY_DICT: the kwds
 *   't'                      TUPLE: (ident, method, args, kwds)
 *   '.'                      STOP
 *   argument  'N' | 0x88 | 0x89 | an int or float as ScalarPickles writes it | 'X' ...
 * </pre>
 * A str is written only when it holds no surrogate: Java's UTF-16 cannot tell a pair of
 * surrogate code points of Python's from the one character they encode.
 */
final class ScalarRequest {
    static final int NONE = 0;
    static final int INT = 1;
    static final int FLOAT = 2;
    static final int STR = 3;
    static final int BOOL = 4;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    private ScalarRequest() {
    }

    /**
     * The request's pickle, or null where an argument is not what its kind says, an int does not
     * fit 64 bits, or a str holds a surrogate (the caller then pickles it in Python).
     */
    static byte[] of(Object ident, Object method, int argc, int kindA, Object a, int kindB, Object b) {
        if (!(ident instanceof String id) || !(method instanceof String name) || argc < 0 || argc > 2) {
            return null;
        }
        ScalarRequest request = new ScalarRequest();
        request.put(PickleOps.PROTO);
        request.put(2);
        request.put(PickleOps.MARK);
        if (!request.text(id) || !request.text(name)
                || (argc > 0 && !request.argument(kindA, a)) || (argc > 1 && !request.argument(kindB, b))) {
            return null;
        }
        request.put(argc == 0 ? PickleOps.EMPTY_TUPLE : argc == 1 ? PickleOps.TUPLE1 : PickleOps.TUPLE2);
        request.put(PickleOps.EMPTY_DICT);
        request.put(PickleOps.TUPLE);
        request.put(PickleOps.STOP);
        return request.out.toByteArray();
    }

    private boolean argument(int kind, Object value) {
        switch (kind) {
            case NONE -> {
                put(PickleOps.NONE);
                return value == null;
            }
            case BOOL -> {
                if (!(value instanceof Boolean flag)) {
                    return false;
                }
                put(flag ? PickleOps.NEWTRUE : PickleOps.NEWFALSE);
                return true;
            }
            case INT -> {
                if (!(value instanceof Long || value instanceof Integer || value instanceof Short
                        || value instanceof Byte)) {
                    return false;       // a BigInteger: pickled in Python
                }
                opcodeOf(ScalarPickles.ofLong(((Number) value).longValue()));
                return true;
            }
            case FLOAT -> {
                if (!(value instanceof Number number) || value instanceof java.math.BigInteger) {
                    return false;
                }
                // exact: a number GraalPy narrowed from a double holds the double's value
                opcodeOf(ScalarPickles.ofDouble(number.doubleValue()));
                return true;
            }
            case STR -> {
                return value instanceof String s && text(s);
            }
            default -> {
                return false;
            }
        }
    }

    /** The opcode of a protocol 2 scalar pickle ({@link ScalarPickles}): it without PROTO and STOP. */
    private void opcodeOf(byte[] pickle) {
        out.write(pickle, 2, pickle.length - 3);
    }

    /** BINUNICODE: the UTF-8 of {@code s}; false (nothing written) if it holds a surrogate. */
    private boolean text(String s) {
        if (s.chars().anyMatch(c -> Character.isSurrogate((char) c))) {
            return false;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        put(PickleOps.BINUNICODE);
        for (int i = 0; i < 4; i++) {
            put(utf8.length >>> (8 * i));
        }
        out.writeBytes(utf8);
        return true;
    }

    private void put(int b) {
        out.write(b);
    }
}
