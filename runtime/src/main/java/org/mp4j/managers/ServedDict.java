package org.mp4j.managers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.HostAccess;

/**
 * The dict behind a {@code SyncManager.dict()} while all its keys are str or int (Python 2:
 * ASCII str or 32-bit int, see {@link ServedObjects#dictKey}):
 * insertion-ordered entries from a key to the standalone pickle of its value
 * ({@link StandalonePickle}). {@link ServedObjects} serves the common item calls in Java; the
 * server's Python object ({@code managers._ServedDict}) calls the exported methods for the rest.
 *
 * <p>Keys are Strings that say the Python key's type: {@code "s" + text} for a str,
 * {@code "i" + decimal} for an int (in the range of a Java long; not a bool). Such keys are
 * equal exactly when the Python keys are. Any other key (a bool, a float, a tuple ...) needs
 * Python's hashing: the Python object then takes every entry over for good ({@link #demote})
 * and from then on answers every call itself; the Java calls of this class answer "demoted"
 * (null, false, -1) and the request goes to Python.
 */
public final class ServedDict {
    /** {@link #lookup}, {@link #take}: no such key (null there means demoted). */
    static final byte[] ABSENT = new byte[0];

    private final LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>();
    private boolean demoted;

    ServedDict() {
    }

    synchronized byte[] lookup(String key) {
        if (demoted) {
            return null;
        }
        byte[] value = entries.get(key);
        return value == null ? ABSENT : value;
    }

    synchronized boolean store(String key, byte[] standalone) {
        if (demoted) {
            return false;
        }
        entries.put(key, standalone);
        return true;
    }

    synchronized byte[] take(String key) {
        if (demoted) {
            return null;
        }
        byte[] value = entries.remove(key);
        return value == null ? ABSENT : value;
    }

    /** The number of entries, -1 once demoted. */
    synchronized int count() {
        return demoted ? -1 : entries.size();
    }

    /** The standalone pickle of the value of {@code key}, or null. */
    @HostAccess.Export
    public synchronized byte[] get(String key) {
        return entries.get(key);
    }

    /** Sets {@code key} to the value of a whole pickle ({@code pickle.dumps}). */
    @HostAccess.Export
    public synchronized void set(String key, byte[] pickle) {
        entries.put(key, StandalonePickle.ofAny(pickle));
    }

    @HostAccess.Export
    public synchronized boolean contains(String key) {
        return entries.containsKey(key);
    }

    @HostAccess.Export
    public synchronized int size() {
        return entries.size();
    }

    /** Removes {@code key}: the standalone pickle of its value, or null if there was none. */
    @HostAccess.Export
    public synchronized byte[] remove(String key) {
        return entries.remove(key);
    }

    /** dict.setdefault: the value now at {@code key} (the old one, or the new one set from {@code pickle}). */
    @HostAccess.Export
    public synchronized byte[] setDefault(String key, byte[] pickle) {
        return entries.computeIfAbsent(key, k -> StandalonePickle.ofAny(pickle));
    }

    @HostAccess.Export
    public synchronized void clear() {
        entries.clear();
    }

    /** The entries, in order, at one moment. */
    @HostAccess.Export
    public synchronized Entries snapshot() {
        Entries out = new Entries();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            out.keys.add(e.getKey());
            out.values.add(e.getValue());
        }
        return out;
    }

    /** Hands every entry over to Python, for good: from now on Java serves nothing of this dict. */
    @HostAccess.Export
    public synchronized Entries demote() {
        Entries out = snapshot();
        entries.clear();
        demoted = true;
        return out;
    }

    /** dict.popitem: removes the last entry and returns it (no entry if empty). */
    @HostAccess.Export
    public synchronized Entries popLast() {
        Entries out = new Entries();
        Map.Entry<String, byte[]> last = entries.pollLastEntry();
        if (last != null) {
            out.keys.add(last.getKey());
            out.values.add(last.getValue());
        }
        return out;
    }

    /** An empty batch for {@link #putAll}. */
    @HostAccess.Export
    public Entries newBatch() {
        return new Entries();
    }

    /** dict.update with a batch: all its entries in one step. */
    @HostAccess.Export
    public synchronized void putAll(Entries batch) {
        for (int i = 0; i < batch.keys.size(); i++) {
            entries.put(batch.keys.get(i), batch.values.get(i));
        }
    }

    /** Copies a value from one of these methods into {@code into} (the storage of a new bytes object). */
    @HostAccess.Export
    public void copyItem(byte[] item, byte[] into) {
        System.arraycopy(item, 0, into, 0, item.length);
    }

    /** Keys with the standalone pickles of their values, in order: a snapshot, or a batch to put. */
    public static final class Entries {
        private final List<String> keys = new ArrayList<>();
        private final List<byte[]> values = new ArrayList<>();

        @HostAccess.Export
        public int size() {
            return keys.size();
        }

        @HostAccess.Export
        public String key(int i) {
            return keys.get(i);
        }

        @HostAccess.Export
        public byte[] value(int i) {
            return values.get(i);
        }

        /** Adds {@code key} with the value of a whole pickle, to a batch. */
        @HostAccess.Export
        public void add(String key, byte[] pickle) {
            keys.add(key);
            values.add(StandalonePickle.ofAny(pickle));
        }
    }
}
