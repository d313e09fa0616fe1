package org.mp4j.managers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.graalvm.polyglot.HostAccess;
import org.mp4j.connection.FramedSocket;
import org.mp4j.connection.MessageFrames;
import org.mp4j.reduction.ScalarPickles;

/**
 * The shared objects of one manager server that Java serves, and the loop that serves them:
 * each connection's thread runs {@link #serveRequests} (GraalPy; Jython reads through
 * {@code JythonFrameReader.serveRequests}; both let other Python threads run meanwhile), which
 * answers the requests it can and hands every other one to the server's Python loop
 * ({@code managers.Server.serve_client}), unread, as {@link FramedSocket#recv} would have.
 *
 * <p>Why: a request cost the server ~100 µs of interpreter work on GraalPy without its JIT
 * (75–100 µs on Jython), and a queue's put and get, served by two Python threads, handed the
 * interpreter over each time. Here a request takes a few µs in Java: its pickle is walked
 * ({@link ManagerRequest}), an item or value is kept as the client pickled it
 * ({@link StandalonePickle}) and sent back inside the answer that returns it.
 *
 * <p>Served: {@link ServedQueue} (SyncManager's {@code Queue} and {@code JoinableQueue}): put,
 * put_nowait, get, get_nowait, qsize, empty, full, task_done and join; {@link ServedDict}
 * (SyncManager's {@code dict}): __setitem__, __getitem__, get, __contains__, __len__,
 * __delitem__ and pop. Only the common forms of the calls: anything unusual (other argument
 * forms, a timeout that is negative or not a number, task_done called too often, a missing
 * key, an item whose pickle cannot be cut or that holds a proxy) goes to Python, which answers
 * as CPython's server does. An answer is {@code ('#RETURN', value)}, or the
 * {@code ('#ERROR', queue.Empty())} / {@code queue.Full()} pickles that the Python side made once.
 */
public final class ServedObjects {
    private static final byte[] RETURN = "#RETURN".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REBUILD_PROXY = "RebuildProxy".getBytes(StandardCharsets.US_ASCII);
    private static final Object TRUE = Boolean.TRUE;

    private final byte[] emptyError;
    private final byte[] fullError;
    private final boolean python2;
    private final ConcurrentHashMap<String, Served> served = new ConcurrentHashMap<>();

    private record Served(Object target, Set<String> methods) {
    }

    /**
     * {@code emptyError}, {@code fullError}: the pickles of ('#ERROR', queue.Empty()) and of
     * queue.Full(); {@code python2}: the server runs Python 2 (Jython), whose dict keys are
     * told apart by how they were pickled ({@link #dictKey}).
     */
    public ServedObjects(byte[] emptyError, byte[] fullError, boolean python2) {
        this.emptyError = emptyError.clone();
        this.fullError = fullError.clone();
        this.python2 = python2;
    }

    /** A new queue (maxsize <= 0: no bound), served once {@link #serve} names it. */
    @HostAccess.Export
    public ServedQueue newQueue(long maxsize) {
        return new ServedQueue(maxsize);
    }

    /** A new dict, served once {@link #serveDict} names it. */
    @HostAccess.Export
    public ServedDict newDict() {
        return new ServedDict();
    }

    /** Serves {@code queue} as the object {@code ident}, for those of {@code methods} (comma-separated) it knows. */
    @HostAccess.Export
    public void serveQueue(String ident, ServedQueue queue, String methods) {
        served.put(ident, new Served(queue, Set.of(methods.split(","))));
    }

    /** Serves {@code dict} as the object {@code ident}, for those of {@code methods} (comma-separated) it knows. */
    @HostAccess.Export
    public void serveDict(String ident, ServedDict dict, String methods) {
        served.put(ident, new Served(dict, Set.of(methods.split(","))));
    }

    /** The object {@code ident} is gone (its last reference was dropped). */
    @HostAccess.Export
    public void forget(String ident) {
        served.remove(ident);
    }

    /**
     * Serves the requests arriving on {@code frames} until one needs Python: returns that
     * request's message as {@link FramedSocket#recv} returns messages, or its Integer (end of
     * file, an errno; an errno too when an answer could not be sent).
     */
    @HostAccess.Export
    public Object serveRequests(FramedSocket frames) {
        Object message = serve(frames);
        return message instanceof byte[] frame ? FramedSocket.forPython(frame) : message;
    }

    /** {@link #serveRequests} for Java callers (Jython's reader): the request for Python as a byte[], or an Integer. */
    public Object serve(MessageFrames frames) {
        while (true) {
            Object got = frames.receive(-1, -1, false);
            if (!(got instanceof byte[] frame)) {
                return got;
            }
            Integer done;
            try {
                done = answer(frames, frame);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = null;
            }
            if (done == null) {
                return frame;
            }
            if (done != 0) {
                return done;
            }
        }
    }

    /** Answers the request in {@code frame}: 0, the errno of a failed send, or null to leave it to Python. */
    private Integer answer(MessageFrames frames, byte[] frame) throws InterruptedException {
        ManagerRequest r = ManagerRequest.parse(frame);
        if (r == null) {
            return null;
        }
        Served target = served.get(r.ident);
        if (target == null || !target.methods().contains(r.method)) {
            return null;
        }
        if (target.target() instanceof ServedDict d) {
            return answerDict(frames, r, d);
        }
        ServedQueue q = (ServedQueue) target.target();
        switch (r.method) {
            case "put":
                return put(frames, r, q, 3);
            case "put_nowait":
                return put(frames, r, q, 1);
            case "get":
                return get(frames, r, q, 2);
            case "get_nowait":
                return get(frames, r, q, 0);
            default:
                break;
        }
        if (r.argCount() != 0 || r.keywordCount() != 0) {
            return null;
        }
        switch (r.method) {
            case "qsize":
                return frames.send(returning(r.protocol, ScalarPickles.ofLong(q.qsize())));
            case "empty":
                return frames.send(returning(r.protocol, q.empty()));
            case "full":
                return frames.send(returning(r.protocol, q.full()));
            case "task_done":
                return q.taskDone() ? frames.send(returning(r.protocol, (Object) null)) : null;
            case "join":
                q.join();
                return frames.send(returning(r.protocol, (Object) null));
            default:
                return null;
        }
    }

    /** The item calls of a dict whose key is a str or an int; the rest, and missing keys, go to Python. */
    private Integer answerDict(MessageFrames frames, ManagerRequest r, ServedDict d) {
        int n = r.argCount();
        if (r.keywordCount() != 0) {
            return null;
        }
        if (r.method.equals("__len__")) {
            int size = n == 0 ? d.count() : -1;
            return size < 0 ? null : frames.send(returning(r.protocol, ScalarPickles.ofLong(size)));
        }
        String key = n >= 1 ? dictKey(r.scalar(0), r.argOpcode(0), python2) : null;
        if (key == null) {
            return null;
        }
        switch (r.method) {
            case "__setitem__": {
                byte[] value = n == 2 ? r.item(1) : null;
                if (value == null || holdsProxy(value) || !d.store(key, value)) {
                    return null;
                }
                return frames.send(returning(r.protocol, (Object) null));
            }
            case "__getitem__":
            case "get": {
                if (n > (r.method.equals("get") ? 2 : 1)) {
                    return null;
                }
                byte[] value = d.lookup(key);
                if (value == ServedDict.ABSENT && r.method.equals("get")) {
                    value = n == 1 ? null : r.item(1);     // the default: None, or as given
                    if (n == 1) {
                        return frames.send(returning(r.protocol, (Object) null));
                    }
                }
                if (value == null || value == ServedDict.ABSENT) {
                    return null;                           // KeyError, demoted, or a default to unpickle
                }
                return frames.send(returning(Math.max(r.protocol, StandalonePickle.protocol(value)), value));
            }
            case "__contains__": {
                byte[] value = n == 1 ? d.lookup(key) : null;
                return value == null ? null : frames.send(returning(r.protocol, value != ServedDict.ABSENT));
            }
            case "__delitem__":
            case "pop": {
                byte[] value = n == 1 ? d.take(key) : null;
                if (value == null || value == ServedDict.ABSENT) {
                    return null;                           // KeyError (or pop's default), or demoted
                }
                return r.method.equals("pop")
                    ? frames.send(returning(Math.max(r.protocol, StandalonePickle.protocol(value)), value))
                    : frames.send(returning(r.protocol, (Object) null));
            }
            default:
                return null;
        }
    }

    /**
     * A dict key as {@link ServedDict} keeps it, or null for a key that needs Python's hashing
     * (or only looks like a str or int): on Python 3 a str or an int; on Python 2 an ASCII str
     * or an int of 32 bits (a unicode or a long is left to Python, whose dict would keep its type).
     */
    static String dictKey(Object scalar, int opcode, boolean python2) {
        boolean text = python2
            ? opcode == PickleOps.SHORT_BINSTRING || opcode == PickleOps.BINSTRING
            : opcode == PickleOps.SHORT_BINUNICODE || opcode == PickleOps.BINUNICODE || opcode == PickleOps.BINUNICODE8;
        if (text && scalar instanceof String s) {
            return "s" + s;
        }
        boolean integer = opcode == PickleOps.BININT1 || opcode == PickleOps.BININT2 || opcode == PickleOps.BININT
            || (!python2 && opcode == PickleOps.LONG1);
        if (integer && scalar instanceof Long l) {
            return "i" + l;
        }
        return null;
    }

    /** put(item, block=True, timeout=None), or put_nowait(item) when {@code maxArgs} is 1. */
    private Integer put(MessageFrames frames, ManagerRequest r, ServedQueue q, int maxArgs) throws InterruptedException {
        int n = r.argCount();
        if (n < 1 || n > maxArgs || (maxArgs == 1 ? r.keywordCount() != 0 : !r.keywordsAmong("block", "timeout"))) {
            return null;
        }
        Boolean block = maxArgs == 1 ? Boolean.FALSE : truth(argument(r, 1, "block", TRUE));
        // as queue.Queue: an unbounded queue never looks at the timeout
        double timeout = block == Boolean.TRUE && q.bounded() ? seconds(argument(r, 2, "timeout", ManagerRequest.NONE)) : -1;
        byte[] item = block == null || Double.isNaN(timeout) ? null : r.item(0);
        if (item == null || holdsProxy(item)) {
            return null;
        }
        if (!q.put(item, block, timeout)) {
            return frames.send(fullError);
        }
        return frames.send(returning(r.protocol, (Object) null));
    }

    /** get(block=True, timeout=None), or get_nowait() when {@code maxArgs} is 0. */
    private Integer get(MessageFrames frames, ManagerRequest r, ServedQueue q, int maxArgs) throws InterruptedException {
        int n = r.argCount();
        if (n > maxArgs || (maxArgs == 0 ? r.keywordCount() != 0 : !r.keywordsAmong("block", "timeout"))) {
            return null;
        }
        Boolean block = maxArgs == 0 ? Boolean.FALSE : truth(argument(r, 0, "block", TRUE));
        double timeout = block == Boolean.TRUE ? seconds(argument(r, 1, "timeout", ManagerRequest.NONE)) : -1;
        if (block == null || Double.isNaN(timeout)) {
            return null;
        }
        byte[] item = q.get(block, timeout);
        if (item == null) {
            return frames.send(emptyError);
        }
        int error = frames.send(returning(Math.max(r.protocol, StandalonePickle.protocol(item)), item));
        if (error != 0) {
            q.putBack(item);         // the getter is gone: the item stays for the next one
        }
        return error;
    }

    /**
     * Whether a pickle may hold a proxy ({@code RebuildProxy} appears in it): those are
     * unpickled in Python, whose server keeps their referents alive while its objects hold
     * them (id_to_local_proxy_obj), as CPython's does.
     */
    static boolean holdsProxy(byte[] pickle) {
        outer:
        for (int i = 0; i <= pickle.length - REBUILD_PROXY.length; i++) {
            for (int j = 0; j < REBUILD_PROXY.length; j++) {
                if (pickle[i + j] != REBUILD_PROXY[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Positional argument {@code i}, else keyword {@code name} (null if given both ways), else the default. */
    private static Object argument(ManagerRequest r, int i, String name, Object absent) {
        int k = r.keyword(name);
        if (i < r.argCount()) {
            return k == ManagerRequest.ABSENT ? r.scalar(i) : null;
        }
        return k == ManagerRequest.ABSENT ? absent : r.keywordScalar(k);
    }

    /** Python's truth of a scalar argument, or null for what Java does not judge. */
    private static Boolean truth(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Long l) {
            return l != 0;
        }
        if (value instanceof Double d) {
            return d != 0.0;
        }
        if (value instanceof String s) {
            return !s.isEmpty();
        }
        return value == ManagerRequest.NONE ? Boolean.FALSE : null;
    }

    /** A timeout in seconds, -1 for none, NaN for what Python must judge (negative, not a number). */
    private static double seconds(Object value) {
        if (value == ManagerRequest.NONE) {
            return -1;
        }
        double seconds;
        if (value instanceof Long l) {
            seconds = l;
        } else if (value instanceof Double d) {
            seconds = d;
        } else if (value instanceof Boolean b) {
            seconds = b ? 1 : 0;
        } else {
            return Double.NaN;
        }
        if (seconds < 0 || Double.isNaN(seconds)) {
            return Double.NaN;
        }
        return Double.isInfinite(seconds) ? -1 : seconds;
    }

    /** The answer {@code ('#RETURN', value)} for a standalone pickle's value. */
    static byte[] returning(int protocol, byte[] standalone) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(standalone.length + 16);
        out.write(PickleOps.PROTO);
        out.write(protocol);
        if (protocol >= 4) {
            out.write(PickleOps.SHORT_BINUNICODE);
            out.write(RETURN.length);
        } else {
            out.write(PickleOps.BINUNICODE);
            out.writeBytes(new byte[] {(byte) RETURN.length, 0, 0, 0});
        }
        out.writeBytes(RETURN);
        StandalonePickle.writeBody(out, standalone);
        out.write(PickleOps.TUPLE2);
        out.write(PickleOps.STOP);
        return out.toByteArray();
    }

    /** The answer {@code ('#RETURN', value)} for None (null) or a bool. */
    static byte[] returning(int protocol, Object noneOrBool) {
        int op = noneOrBool == null ? PickleOps.NONE : (Boolean) noneOrBool ? PickleOps.NEWTRUE : PickleOps.NEWFALSE;
        return returning(protocol, new byte[] {(byte) PickleOps.PROTO, 2, (byte) op, PickleOps.STOP});
    }
}
