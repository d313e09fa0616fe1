package org.mp4j.managers;

import java.util.Arrays;

/**
 * A proxy's method call as it reaches a manager's server: the pickle of
 * {@code (ident, methodname, args, kwds)} that {@code BaseProxy._callmethod} sends, read by
 * walking its opcodes ({@link PickleOps}) instead of unpickling it. What is found: the two
 * strings, and where each positional argument and each keyword value lies in the pickle, so an
 * argument can be read as a scalar ({@link #scalar}) or cut out whole ({@link #item}).
 *
 * <p>The walk keeps, for every object on the unpickler's stack, where its opcodes began and how
 * many memo entries were written before them; an object's opcodes end where the next object's
 * begin. Children are recorded only for the envelope and its first elements (stack slots 0 to
 * 4), which is where the request's tuple, its args tuple and its kwds dict are built:
 * <pre>
 *   tuple   int[] {start0, memo0, start1, memo1, ..., end}        child i = [start i, start i+1 or end)
 *   dict    int[] {keyStart, keyMemo, valueStart, valueMemo, valueEnd, ...}  (a count at [0])
 * </pre>
 * {@link #parse} answers null for anything else than such a request, and for any pickle it
 * cannot walk: the Python path then unpickles it as it always did.
 */
final class ManagerRequest {
    /** {@link #scalar}: the argument is there but not a scalar this class reads. */
    static final Object UNKNOWN = PickleOps.NOT_SCALAR;
    /** {@link #scalar}: Python's None. */
    static final Object NONE = PickleOps.NONE_VALUE;
    /** {@link #keyword}: no such keyword argument. */
    static final int ABSENT = -1;

    private static final int RECORDED_SLOTS = 5;

    final byte[] frame;
    final int protocol;
    final String ident;
    final String method;
    private final int[] args;              // the args tuple's children, as recorded
    private final int[] kwds;              // the kwds dict's pairs, as recorded

    private ManagerRequest(byte[] frame, int protocol, String ident, String method, int[] args, int[] kwds) {
        this.frame = frame;
        this.protocol = protocol;
        this.ident = ident;
        this.method = method;
        this.args = args;
        this.kwds = kwds;
    }

    /** The request in {@code frame}, or null if it is not one this class reads. */
    static ManagerRequest parse(byte[] frame) {
        int n = frame.length;
        if (n < 4 || (frame[0] & 0xff) != PickleOps.PROTO || frame[1] < 2 || frame[1] > PickleOps.HIGHEST_PROTOCOL) {
            return null;
        }
        Walk walk = new Walk();
        int at = 2;
        while (true) {
            if (at >= n) {
                return null;
            }
            int op = frame[at] & 0xff;
            int next = PickleOps.end(frame, at, n);
            if (next < 0) {
                return null;
            }
            if (op == PickleOps.STOP) {
                if (next != n) {
                    return null;
                }
                break;
            }
            if (!walk.step(frame, op, at, next)) {
                return null;
            }
            at = next;
        }
        int[] envelope = walk.size == 1 && walk.kind[0] == Walk.TUPLE ? walk.children[0] : null;
        if (envelope == null || envelope.length != 4 * 2 + 1) {
            return null;
        }
        String ident = text(frame, envelope, 0);
        String method = text(frame, envelope, 1);
        int[] args = walk.argsTuple;
        int[] kwds = walk.kwdsDict;
        if (ident == null || method == null || args == null || kwds == null) {
            return null;
        }
        return new ManagerRequest(frame, frame[1], ident, method, args, kwds);
    }

    private static String text(byte[] frame, int[] children, int i) {
        int start = children[2 * i];
        int end = i + 1 < children.length / 2 ? children[2 * i + 2] : children[children.length - 1];
        return scalarAt(frame, start, end) instanceof String text ? text : null;
    }

    private static boolean onlyMemoWrites(byte[] frame, int from, int to) {
        int at = from;
        while (at < to) {
            if (!PickleOps.memoWrite(frame[at] & 0xff)) {
                return false;
            }
            at = PickleOps.end(frame, at, to);
            if (at < 0) {
                return false;
            }
        }
        return true;
    }

    int argCount() {
        return args.length / 2;
    }

    /** Positional argument {@code i} as Boolean, Long, Double, String, {@link #NONE} or {@link #UNKNOWN}. */
    Object scalar(int i) {
        return scalarAt(frame, args[2 * i], i + 1 < argCount() ? args[2 * i + 2] : args[args.length - 1]);
    }

    /** The first opcode of positional argument {@code i}: which kind of value a scalar came from. */
    int argOpcode(int i) {
        return frame[args[2 * i]] & 0xff;
    }

    /** Positional argument {@code i} cut out as a standalone pickle ({@link StandalonePickle}), or null. */
    byte[] item(int i) {
        int end = i + 1 < argCount() ? args[2 * i + 2] : args[args.length - 1];
        return StandalonePickle.cut(frame, args[2 * i], end, args[2 * i + 1], protocol);
    }

    int keywordCount() {
        return kwds[0];
    }

    /** The index of keyword argument {@code name} for {@link #keywordScalar}, or {@link #ABSENT}. */
    int keyword(String name) {
        for (int k = 0; k < kwds[0]; k++) {
            int keyStart = kwds[1 + 5 * k];
            int keyEnd = kwds[1 + 5 * k + 2];
            if (name.equals(scalarAt(frame, keyStart, keyEnd))) {
                return k;
            }
        }
        return ABSENT;
    }

    /** Whether every keyword argument is one of {@code names}. */
    boolean keywordsAmong(String... names) {
        int found = 0;
        for (String name : names) {
            if (keyword(name) != ABSENT) {
                found++;
            }
        }
        return found == kwds[0];
    }

    /** Keyword argument {@code k} (from {@link #keyword}) as {@link #scalar} reads it. */
    Object keywordScalar(int k) {
        return scalarAt(frame, kwds[1 + 5 * k + 2], kwds[1 + 5 * k + 4]);
    }

    /** The scalar pickled in {@code frame[start, end)}: one opcode, then only memo writes. */
    private static Object scalarAt(byte[] frame, int start, int end) {
        int opEnd = PickleOps.end(frame, start, end);
        if (opEnd < 0 || !onlyMemoWrites(frame, opEnd, end)) {
            return UNKNOWN;
        }
        return PickleOps.scalar(frame, start, opEnd);
    }

    /**
     * The unpickler's stack during the walk, an entry per object or mark: where the object's
     * opcodes began, the memo count there, and what it is.
     */
    private static final class Walk {
        static final byte MARK = 1;
        static final byte OBJECT = 2;
        static final byte TUPLE = 3;
        static final byte DICT = 4;

        int size;
        int memo;
        int[] start = new int[16];
        int[] memoAt = new int[16];
        byte[] kind = new byte[16];
        int[][] children = new int[16][];
        int[] argsTuple;            // the envelope's args and kwds, when a 4-tuple at slot 0 was made
        int[] kwdsDict;

        boolean step(byte[] p, int op, int at, int next) {
            if (op == PickleOps.FRAME) {
                return true;
            }
            if (op == PickleOps.MARK) {
                push(at, memo, MARK, null);
                return true;
            }
            int effect = PickleOps.effect(op);
            if (effect == -1) {
                return false;
            }
            if (PickleOps.memoWrite(op)) {
                if (size == 0 || kind[size - 1] == MARK) {
                    return false;
                }
                if (op != PickleOps.MEMOIZE && PickleOps.littleEndian(p, at + 1, next - at - 1) != memo) {
                    return false;
                }
                memo++;
                return true;
            }
            if (effect < -1) {
                return toMark(op, effect - PickleOps.TO_MARK, at);
            }
            int pops = effect / 16;
            int pushes = effect % 16;
            if (size < pops || markIn(size - pops, size)) {
                return false;
            }
            int base = size - pops;
            switch (op) {
                case PickleOps.APPEND:
                case PickleOps.BUILD:
                    size = base + 1;                  // the object below stays, as it was
                    return true;
                case PickleOps.SETITEM:
                    if (kind[base] == DICT && children[base] != null) {
                        children[base] = addPair(children[base], base + 1, at);
                    }
                    size = base + 1;
                    return true;
                case PickleOps.POP:
                    size = base;
                    return true;
                case PickleOps.DUP:
                    push(at, memo, OBJECT, null);
                    return true;
                case PickleOps.TUPLE1:
                case PickleOps.TUPLE2:
                case PickleOps.TUPLE3:
                    return made(base, start[base], memoAt[base], TUPLE,
                        base < RECORDED_SLOTS ? childStarts(base, size, at) : null);
                case PickleOps.EMPTY_TUPLE:
                    return made(size, at, memo, TUPLE, size < RECORDED_SLOTS ? new int[] {at} : null);
                case PickleOps.EMPTY_DICT:
                    return made(size, at, memo, DICT, size < RECORDED_SLOTS ? new int[] {0} : null);
                default:
                    if (pushes != 1) {
                        return false;
                    }
                    return pops == 0 ? made(size, at, memo, OBJECT, null)
                        : made(base, start[base], memoAt[base], OBJECT, null);
            }
        }

        /** MARK-taking opcodes: {@code effect} without TO_MARK, i.e. pops below the mark * 16 + pushes. */
        private boolean toMark(int op, int effect, int at) {
            int mark = size - 1;
            while (mark >= 0 && kind[mark] != MARK) {
                mark--;
            }
            int below = effect / 16;
            if (mark < below || markIn(mark - below, mark)) {
                return false;
            }
            int container = mark - below;
            switch (op) {
                case PickleOps.TUPLE:
                    if (mark == 0 && size == 5) {         // the envelope: its args and kwds as they ended
                        argsTuple = kind[3] == TUPLE ? children[3] : null;
                        kwdsDict = kind[4] == DICT ? children[4] : null;
                    }
                    return made(mark, start[mark], memoAt[mark], TUPLE,
                        mark < RECORDED_SLOTS ? childStarts(mark + 1, size, at) : null);
                case PickleOps.SETITEMS:
                    if (kind[container] == DICT && children[container] != null) {
                        if ((size - mark - 1) % 2 != 0) {
                            return false;
                        }
                        for (int i = mark + 1; i < size; i += 2) {
                            int valueEnd = i + 2 < size ? start[i + 2] : at;
                            children[container] = addPair(children[container], i, valueEnd);
                        }
                    }
                    size = container + 1;
                    return true;
                case PickleOps.APPENDS:
                case PickleOps.ADDITEMS:
                    size = container + 1;
                    return true;
                case PickleOps.POP_MARK:
                    size = mark;
                    return true;
                default:                              // LIST, DICT, FROZENSET, INST, OBJ
                    return made(mark, start[mark], memoAt[mark], OBJECT, null);
            }
        }

        /** Whether a slot in [from, to) holds a mark (an opcode would take it for an object). */
        private boolean markIn(int from, int to) {
            for (int i = from; i < to; i++) {
                if (kind[i] == MARK) {
                    return true;
                }
            }
            return false;
        }

        /** Replaces the entries from slot {@code from} up by one object whose opcodes began at {@code begin}. */
        private boolean made(int from, int begin, int memoBegin, byte what, int[] recorded) {
            size = from;
            push(begin, memoBegin, what, recorded);
            return true;
        }

        private int[] childStarts(int from, int to, int end) {
            int[] out = new int[2 * (to - from) + 1];
            for (int i = from; i < to; i++) {
                out[2 * (i - from)] = start[i];
                out[2 * (i - from) + 1] = memoAt[i];
            }
            out[out.length - 1] = end;
            return out;
        }

        private int[] addPair(int[] pairs, int keySlot, int valueEnd) {
            int count = pairs[0];
            int[] out = Arrays.copyOf(pairs, 1 + 5 * (count + 1));
            int at = 1 + 5 * count;
            out[at] = start[keySlot];
            out[at + 1] = memoAt[keySlot];
            out[at + 2] = start[keySlot + 1];
            out[at + 3] = memoAt[keySlot + 1];
            out[at + 4] = valueEnd;
            out[0] = count + 1;
            return out;
        }

        private void push(int begin, int memoBegin, byte what, int[] recorded) {
            if (size == start.length) {
                int grown = size * 2;
                start = Arrays.copyOf(start, grown);
                memoAt = Arrays.copyOf(memoAt, grown);
                kind = Arrays.copyOf(kind, grown);
                children = Arrays.copyOf(children, grown);
            }
            start[size] = begin;
            memoAt[size] = memoBegin;
            kind[size] = what;
            children[size] = recorded;
            size++;
        }
    }
}
