package org.mp4j.managers;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * The pickle opcodes a manager request is made of, walked without building any object: where
 * each opcode's argument ends, and what it does to the unpickler's stack. The names are those
 * of {@code pickletools}; the facts are the pickle format's (protocols 0 to 5).
 *
 * <p>Arguments, after the opcode byte:
 * <pre>
 *   none          most structural opcodes (MARK, TUPLE, APPEND, MEMOIZE, ...)
 *   fixed n       BININT1 1, BININT2 2, BININT 4, BINFLOAT 8, BINGET/BINPUT 1, LONG_BINGET/LONG_BINPUT 4,
 *                 PROTO 1, EXT1 1, EXT2 2, EXT4 4, FRAME 8
 *   u8 length     SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE, LONG1   (then that many bytes)
 *   u32le length  BINSTRING (signed), BINBYTES, BINUNICODE, LONG4 (signed)
 *   u64le length  BINUNICODE8, BINBYTES8, BYTEARRAY8
 *   one line      INT, LONG, FLOAT, STRING, UNICODE, GET, PUT, PERSID   (up to and with '\n')
 *   two lines     GLOBAL, INST
 * </pre>
 */
final class PickleOps {
    static final int MARK = '(';
    static final int STOP = '.';
    static final int POP = '0';
    static final int POP_MARK = '1';
    static final int DUP = '2';
    static final int FLOAT = 'F';
    static final int INT = 'I';
    static final int BININT = 'J';
    static final int BININT1 = 'K';
    static final int LONG = 'L';
    static final int BININT2 = 'M';
    static final int NONE = 'N';
    static final int PERSID = 'P';
    static final int BINPERSID = 'Q';
    static final int REDUCE = 'R';
    static final int STRING = 'S';
    static final int BINSTRING = 'T';
    static final int SHORT_BINSTRING = 'U';
    static final int UNICODE = 'V';
    static final int BINUNICODE = 'X';
    static final int APPEND = 'a';
    static final int BUILD = 'b';
    static final int GLOBAL = 'c';
    static final int DICT = 'd';
    static final int EMPTY_DICT = '}';
    static final int APPENDS = 'e';
    static final int GET = 'g';
    static final int BINGET = 'h';
    static final int INST = 'i';
    static final int LONG_BINGET = 'j';
    static final int LIST = 'l';
    static final int EMPTY_LIST = ']';
    static final int OBJ = 'o';
    static final int PUT = 'p';
    static final int BINPUT = 'q';
    static final int LONG_BINPUT = 'r';
    static final int SETITEM = 's';
    static final int TUPLE = 't';
    static final int EMPTY_TUPLE = ')';
    static final int SETITEMS = 'u';
    static final int BINFLOAT = 'G';
    static final int PROTO = 0x80;
    static final int NEWOBJ = 0x81;
    static final int EXT1 = 0x82;
    static final int EXT2 = 0x83;
    static final int EXT4 = 0x84;
    static final int TUPLE1 = 0x85;
    static final int TUPLE2 = 0x86;
    static final int TUPLE3 = 0x87;
    static final int NEWTRUE = 0x88;
    static final int NEWFALSE = 0x89;
    static final int LONG1 = 0x8a;
    static final int LONG4 = 0x8b;
    static final int BINBYTES = 'B';
    static final int SHORT_BINBYTES = 'C';
    static final int SHORT_BINUNICODE = 0x8c;
    static final int BINUNICODE8 = 0x8d;
    static final int BINBYTES8 = 0x8e;
    static final int EMPTY_SET = 0x8f;
    static final int ADDITEMS = 0x90;
    static final int FROZENSET = 0x91;
    static final int NEWOBJ_EX = 0x92;
    static final int STACK_GLOBAL = 0x93;
    static final int MEMOIZE = 0x94;
    static final int FRAME = 0x95;
    static final int BYTEARRAY8 = 0x96;
    static final int NEXT_BUFFER = 0x97;
    static final int READONLY_BUFFER = 0x98;

    static final int HIGHEST_PROTOCOL = 5;

    /** {@link #scalar}: Python's None. */
    static final Object NONE_VALUE = new Object();
    /** {@link #scalar}: not one of the scalars it reads. */
    static final Object NOT_SCALAR = new Object();

    /** {@link #effect}: the opcode pops everything down to the topmost MARK, and the MARK. */
    static final int TO_MARK = -100;

    private PickleOps() {
    }

    /**
     * Where the opcode at {@code at} (its argument included) ends in {@code p[0, limit)}, or -1
     * if the opcode is unknown or its argument does not fit.
     */
    static int end(byte[] p, int at, int limit) {
        int op = p[at] & 0xff;
        int arg = at + 1;
        long end;
        switch (op) {
            case BININT1: case BINGET: case BINPUT: case PROTO: case EXT1:
                end = arg + 1L;
                break;
            case BININT2: case EXT2:
                end = arg + 2L;
                break;
            case BININT: case LONG_BINGET: case LONG_BINPUT: case EXT4:
                end = arg + 4L;
                break;
            case BINFLOAT: case FRAME:
                end = arg + 8L;
                break;
            case SHORT_BINSTRING: case SHORT_BINBYTES: case SHORT_BINUNICODE: case LONG1:
                end = arg >= limit ? -1 : arg + 1L + (p[arg] & 0xff);
                break;
            case BINSTRING: case BINBYTES: case BINUNICODE: case LONG4:
                end = arg + 4 > limit ? -1 : arg + 4L + (littleEndian(p, arg, 4) & 0xffffffffL);
                break;
            case BINUNICODE8: case BINBYTES8: case BYTEARRAY8: {
                long n = arg + 8 > limit ? -1 : littleEndian(p, arg, 8);
                end = n < 0 ? -1 : arg + 8L + n;
                break;
            }
            case INT: case LONG: case FLOAT: case STRING: case UNICODE: case GET: case PUT: case PERSID:
                end = lineEnd(p, arg, limit);
                break;
            case GLOBAL: case INST: {
                long first = lineEnd(p, arg, limit);
                end = first < 0 ? -1 : lineEnd(p, (int) first, limit);
                break;
            }
            case MARK: case STOP: case POP: case POP_MARK: case DUP: case NONE: case BINPERSID: case REDUCE:
            case APPEND: case BUILD: case DICT: case EMPTY_DICT: case APPENDS: case LIST: case EMPTY_LIST:
            case OBJ: case SETITEM: case TUPLE: case EMPTY_TUPLE: case SETITEMS: case NEWOBJ: case TUPLE1:
            case TUPLE2: case TUPLE3: case NEWTRUE: case NEWFALSE: case EMPTY_SET: case ADDITEMS:
            case FROZENSET: case NEWOBJ_EX: case STACK_GLOBAL: case MEMOIZE: case NEXT_BUFFER:
            case READONLY_BUFFER:
                end = arg;
                break;
            default:
                return -1;
        }
        return end < 0 || end > limit ? -1 : (int) end;
    }

    /**
     * What the opcode does to the stack, as {@code pops * 16 + pushes} with pops counted below
     * the objects a MARK-taking opcode takes ({@link #TO_MARK} added): e.g. TUPLE2 is 2*16+1,
     * APPENDS is TO_MARK + 1*16+1 (the list below the mark stays). MARK itself is {@code 1}
     * (it pushes a mark). Memo writes need an object and leave it: 1*16+1. -1: an opcode
     * that does not belong inside one value (PROTO, STOP, PERSID, GET/PUT's text forms,
     * out-of-band buffers).
     */
    static int effect(int op) {
        switch (op) {
            case MARK: case NONE: case NEWTRUE: case NEWFALSE: case INT: case BININT: case BININT1:
            case BININT2: case LONG: case LONG1: case LONG4: case FLOAT: case BINFLOAT: case STRING:
            case BINSTRING: case SHORT_BINSTRING: case UNICODE: case BINUNICODE: case SHORT_BINUNICODE:
            case BINUNICODE8: case BINBYTES: case SHORT_BINBYTES: case BINBYTES8: case BYTEARRAY8:
            case EMPTY_DICT: case EMPTY_LIST: case EMPTY_TUPLE: case EMPTY_SET: case GLOBAL:
            case BINGET: case LONG_BINGET: case EXT1: case EXT2: case EXT4:
                return 1;
            case MEMOIZE: case BINPUT: case LONG_BINPUT: case TUPLE1:
                return 16 + 1;
            case TUPLE2: case STACK_GLOBAL: case REDUCE: case NEWOBJ: case BUILD: case APPEND:
                return 2 * 16 + 1;
            case TUPLE3: case NEWOBJ_EX: case SETITEM:
                return 3 * 16 + 1;
            case TUPLE: case LIST: case DICT: case FROZENSET: case INST: case OBJ:
                return TO_MARK + 1;
            case APPENDS: case SETITEMS: case ADDITEMS:
                return TO_MARK + 16 + 1;
            case POP:
                return 16;
            case DUP:
                return 16 + 2;
            case POP_MARK:
                return TO_MARK;
            case FRAME:
                return 0;
            default:
                return -1;       // PERSID, STOP, PROTO, buffers ...: not part of one value here
        }
    }

    /**
     * The scalar that the opcode at {@code at} pushes: Boolean, Long (ints of up to 64 bits),
     * Double, {@link #NONE_VALUE}, a String ({@link #text}), else {@link #NOT_SCALAR}. The
     * opcode must be whole, ending at {@code end}.
     */
    static Object scalar(byte[] p, int at, int end) {
        switch (p[at] & 0xff) {
            case NONE:
                return NONE_VALUE;
            case NEWTRUE:
                return Boolean.TRUE;
            case NEWFALSE:
                return Boolean.FALSE;
            case BININT1:
                return (long) (p[at + 1] & 0xff);
            case BININT2:
                return littleEndian(p, at + 1, 2);
            case BININT:
                return (long) (int) littleEndian(p, at + 1, 4);
            case LONG1: {
                int n = p[at + 1] & 0xff;
                if (n > 8) {
                    return NOT_SCALAR;
                }
                long value = littleEndian(p, at + 2, n);
                return n == 0 ? 0L : value << (64 - 8 * n) >> (64 - 8 * n);     // sign-extended
            }
            case BINFLOAT: {
                long bits = 0;
                for (int i = 0; i < 8; i++) {
                    bits = (bits << 8) | (p[at + 1 + i] & 0xff);
                }
                return Double.longBitsToDouble(bits);
            }
            default: {
                String text = text(p, at, end);
                return text != null ? text : NOT_SCALAR;
            }
        }
    }

    /** Whether the opcode writes the memo (MEMOIZE, BINPUT, LONG_BINPUT; PUT is refused by effect). */
    static boolean memoWrite(int op) {
        return op == MEMOIZE || op == BINPUT || op == LONG_BINPUT;
    }

    /**
     * The text of a SHORT_BINUNICODE, BINUNICODE(8) or an ASCII (SHORT_)BINSTRING op, else null
     * (also for text that is not strict UTF-8: Python writes lone surrogates into it).
     */
    static String text(byte[] p, int at, int end) {
        int op = p[at] & 0xff;
        switch (op) {
            case SHORT_BINUNICODE:
                return utf8(p, at + 2, end);
            case BINUNICODE:
                return utf8(p, at + 5, end);
            case BINUNICODE8:
                return utf8(p, at + 9, end);
            case SHORT_BINSTRING:
                return ascii(p, at + 2, end);
            case BINSTRING:
                return ascii(p, at + 5, end);
            default:
                return null;
        }
    }

    private static String utf8(byte[] p, int from, int to) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(p, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String ascii(byte[] p, int from, int to) {
        for (int i = from; i < to; i++) {
            if (p[i] < 0) {
                return null;       // a Python 2 str of other bytes: the Python path decides
            }
        }
        return new String(p, from, to - from, StandardCharsets.ISO_8859_1);
    }

    static long littleEndian(byte[] p, int from, int n) {
        long value = 0;
        for (int i = n - 1; i >= 0; i--) {
            value = (value << 8) | (p[from + i] & 0xff);
        }
        return value;
    }

    private static long lineEnd(byte[] p, int from, int limit) {
        for (int i = from; i < limit; i++) {
            if (p[i] == '\n') {
                return i + 1L;
            }
        }
        return -1;
    }
}
