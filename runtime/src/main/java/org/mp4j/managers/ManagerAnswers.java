package org.mp4j.managers;

import org.graalvm.polyglot.HostAccess;
import org.mp4j.connection.FramedSocket;

/**
 * A proxy's side of a manager call on GraalPy: sends a request with plain scalar arguments
 * pickled in Java ({@link #call}, {@link ScalarRequest}); receives the server's answer and, when it is
 * {@code ('#RETURN', x)} with x None, a bool, an int of 64 bits, a float or a str of strict
 * UTF-8 (a put's, a setitem's, a qsize's, a get of a number or a str), hands x over as it is; decoding the Latin-1 frame
 * and unpickling it cost the client more than the whole request's Java work. Any other answer
 * comes as {@link FramedSocket#recv} gives it, inside an {@link Other} so that Python can tell
 * it from a value.
 *
 * <p>Answers read here, as mp4j's Java server, its Python server and CPython's write them:
 * <pre>
 *   PROTO p  [FRAME n]  (SHORT_)BINUNICODE '#RETURN' [memo]  value [memo]  TUPLE2 [memo]  STOP
 *   value    NONE | NEWTRUE | NEWFALSE | BININT1 | BININT2 | BININT | LONG1 (n <= 8) | BINFLOAT
 *            | SHORT_BINUNICODE | BINUNICODE | BINUNICODE8 (strict UTF-8: no lone surrogate)
 * </pre>
 */
public final class ManagerAnswers {
    private static final Object NOT_A_VALUE = PickleOps.NOT_SCALAR;
    /** The longest answer read here: a str of up to ~1000 bytes of UTF-8. */
    private static final int MAX_ANSWER = 1040;

    /** An answer that is not one of the values above: a Latin-1 String, a byte[] or an Integer, as recv gives it. */
    public static final class Other {
        private final Object message;

        Other(Object message) {
            this.message = message;
        }

        @HostAccess.Export
        public Object message() {
            return message;
        }
    }

    /** {@link #call}: the request was not sent; Python pickles and sends it. */
    public static final int NOT_SENT = -100;
    private static final Other NOT_SENT_ANSWER = new Other(NOT_SENT);

    /**
     * Sends the request {@code (ident, method, args, {})} whose {@code argc} arguments Python
     * found to be plain scalars of the kinds given ({@link ScalarRequest}), and returns its
     * answer as {@link #receive} does; or an {@link Other} holding {@link #NOT_SENT} where Java
     * did not pickle it or its send failed (the connection is broken then, and Python's send of
     * the same request raises the error).
     */
    @HostAccess.Export
    public Object call(FramedSocket frames, int waitMillis, Object ident, Object method,
                       int argc, int kindA, Object a, int kindB, Object b) {
        byte[] request = ScalarRequest.of(ident, method, argc, kindA, a, kindB, b);
        if (request == null || frames.send(request) != 0) {
            return NOT_SENT_ANSWER;
        }
        return receive(frames, waitMillis);
    }

    /** The next answer on {@code frames}: its value (see the class comment), or an {@link Other}. */
    @HostAccess.Export
    public Object receive(FramedSocket frames, int waitMillis) {
        Object message = frames.receive(-1, waitMillis, true);
        if (message instanceof byte[] frame) {
            Object value = returned(frame);
            if (value != NOT_A_VALUE) {
                return value;
            }
            return new Other(FramedSocket.forPython(frame));
        }
        return new Other(message);
    }

    /** The x of an answer {@code ('#RETURN', x)} in {@code frame} (null for None), or NOT_A_VALUE. */
    static Object returned(byte[] frame) {
        int n = frame.length;
        if (n < 12 || n > MAX_ANSWER || (frame[0] & 0xff) != PickleOps.PROTO || frame[n - 1] != PickleOps.STOP) {
            return NOT_A_VALUE;
        }
        int at = 2;
        if ((frame[at] & 0xff) == PickleOps.FRAME) {
            at += 9;
        }
        int end = at < n ? PickleOps.end(frame, at, n) : -1;
        if (end < 0 || !"#RETURN".equals(PickleOps.text(frame, at, end))) {
            return NOT_A_VALUE;
        }
        at = skipMemo(frame, end, n);
        int valueAt = at;
        end = at < n ? PickleOps.end(frame, at, n) : -1;
        int tupleAt = end < 0 ? n : skipMemo(frame, end, n);   // a str is memoized
        if (tupleAt >= n || (frame[tupleAt] & 0xff) != PickleOps.TUPLE2) {
            return NOT_A_VALUE;
        }
        if (skipMemo(frame, tupleAt + 1, n) != n - 1) {
            return NOT_A_VALUE;
        }
        return value(frame, valueAt, end);
    }

    private static int skipMemo(byte[] frame, int at, int n) {
        if (at < n && PickleOps.memoWrite(frame[at] & 0xff)) {
            int end = PickleOps.end(frame, at, n);
            return end < 0 ? n : end;
        }
        return at;
    }

    private static Object value(byte[] frame, int at, int end) {
        Object value = PickleOps.scalar(frame, at, end);
        if (value == PickleOps.NONE_VALUE) {
            return null;
        }
        if (value instanceof String) {
            // a str; not a Python 2 str (BINSTRING), which Python 3 may unpickle as bytes
            int op = frame[at] & 0xff;
            boolean unicode = op == PickleOps.SHORT_BINUNICODE || op == PickleOps.BINUNICODE
                || op == PickleOps.BINUNICODE8;
            return unicode ? value : NOT_A_VALUE;
        }
        return value;
    }
}
