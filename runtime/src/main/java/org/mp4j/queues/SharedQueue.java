package org.mp4j.queues;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.HostAccess;
import org.mp4j.reduction.BytesPickles;
import org.mp4j.reduction.ScalarPickles;
import org.mp4j.shm.ProcessStamp;
import org.mp4j.shm.SharedNames;
import org.mp4j.shm.SharedSegment;
import org.mp4j.synchronize.PosixSemaphore;

/**
 * A FIFO of byte items in shared memory, for any number of producer and consumer processes:
 * what a multiprocessing Queue, JoinableQueue, SimpleQueue and each direction of a Pipe are made
 * of. Items are pickles; this class looks inside them only to write or read the pickle of one
 * number ({@link ScalarPickles}) or one bytes object ({@link BytesPickles}) for GraalPy. No
 * process sits in the data path: {@code put} returns with the item already in shared memory, so
 * it outlives its producer.
 *
 * <p>Composed as CPython composes its Queue: a ring (its pipe), a mutex, and counting
 * semaphores. Named objects, all {@code <base>} plus a suffix:
 * <pre>
 *   /dev/shm/&lt;base&gt;        the ring segment, below
 *   sem &lt;base&gt;.m            mutex over the ring header (value 1)
 *   sem &lt;base&gt;.i            items ready to get
 *   sem &lt;base&gt;.s            free slots: maxsize - items (SEM_VALUE_MAX when unbounded)
 *   sem &lt;base&gt;.w            wakes producers that wait for ring space
 *   sem &lt;base&gt;.j            wakes join() waiters (JoinableQueue)
 * </pre>
 * Ring segment layout (little-endian; header fields guarded by the mutex):
 * <pre>
 *   0   long  head            bytes consumed since creation (ring read position)
 *   8   long  tail            bytes produced since creation (ring write position)
 *   16  int   count           items in the queue
 *   20  int   spaceWaiters    producers waiting for ring space
 *   24  int   capacity        size of the data area in bytes
 *   28  int   maxsize         0 = unbounded
 *   32  int   unfinished      JoinableQueue: items put and not yet task_done()
 *   36  int   joinWaiters     JoinableQueue: processes waiting in join()
 *   40  int   openWriters     Pipe: sending ends open or on their way to a process
 *                             (pickled for a child that has not unpickled them yet);
 *                             EOF for the receiver when 0 (the count of the writer table)
 *   44  int   spillCounter    numbers the spill segments of large items
 *   48  int   dataGeneration  0: the data area is below; n: it is segment {@code <base>.d<n>}
 *   52  int   dataInline      1: the data area is below again (it shrank); dataGeneration
 *                             still counts up, so no process takes its old mapping for
 *                             the current one
 *   56  int   openReaders     Pipe: receiving ends, counted as openWriters (the count of
 *                             the reader table)
 *   60  int   pipe            1: a Pipe's direction, whose sends fail once no receiving
 *                             end is open (EPIPE, as a pipe's); 0: a Queue's
 *   64  writer table: which process holds how many sending ends ({@link PipeEnds})
 *   320 reader table: which process holds how many receiving ends ({@link PipeEnds})
 *   576 ...   data area: frames of [int32 length][payload], wrapping at capacity
 * </pre>
 * <p>A receiver that finds writers counted but none sending, and a Pipe's sender that finds
 * readers counted, look (at most every {@link PipeEnds#REAP_INTERVAL_NANOS}) for holders in the table
 * that no longer run, and uncount their ends: a process that ended by {@code os._exit} or
 * {@code kill -9} closed nothing. An end pickled for a child is entered under the child's pid
 * as it is pickled ({@link #addWriterFor}, {@link #addReaderFor}), so it is uncounted also
 * when that child dies before it unpickles it.
 *
 * <p>A payload larger than {@link #SPILL_THRESHOLD} goes to a segment of its own
 * ({@code <base>.b<n>}); its frame holds a negative length and that segment's name, and the
 * consumer removes it.
 *
 * <p>A put never waits for ring space (only maxsize bounds a queue, as in CPython): when a
 * frame does not fit, the producer moves the data area to a segment twice as large
 * ({@code <base>.d<n>}, head at 0) and bumps dataGeneration; every process remaps when it
 * next takes the mutex. A get that empties a queue whose area grew to {@link #SHRINK_FROM}
 * times its first size or more moves it back below (nothing to copy) and removes the segment,
 * so a burst does not hold its memory for the queue's life.
 */
public final class SharedQueue implements AutoCloseable {
    private static final long HEAD = 0;
    private static final long TAIL = 8;
    private static final long COUNT = 16;
    private static final long SPACE_WAITERS = 20;
    private static final long CAPACITY = 24;
    private static final long MAXSIZE = 28;
    private static final long UNFINISHED = 32;
    private static final long JOIN_WAITERS = 36;
    private static final long OPEN_WRITERS = 40;
    private static final long SPILL_COUNTER = 44;
    private static final long DATA_GENERATION = 48;
    private static final long DATA_INLINE = 52;
    private static final long OPEN_READERS = 56;
    private static final long PIPE = 60;
    private static final long WRITER_TABLE = 64;
    private static final long READER_TABLE = WRITER_TABLE + PipeEnds.TABLE_SIZE;
    private static final long DATA = READER_TABLE + PipeEnds.TABLE_SIZE;
    private static final int FRAME_HEADER = 4;
    private static final byte[] NOTHING = new byte[0];

    /** Ring size: tmpfs pages in only what is written, so this costs little until used. */
    public static final int DEFAULT_CAPACITY = 1 << 20;
    /** Larger items get a segment of their own instead of a place in the ring. */
    public static final int SPILL_THRESHOLD = DEFAULT_CAPACITY / 2 - FRAME_HEADER;
    /** Larger items reach GraalPy as a byte[] rather than a Latin-1 string: see {@link #getItem}. */
    public static final int TEXT_LIMIT = 2048;
    /** The data area grows up to this; beyond it a producer waits for consumers. */
    private static final long MAX_CAPACITY = 1L << 30;
    /** An emptied area this many times its first size goes back to that size: see the class comment. */
    static final int SHRINK_FROM = 4;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final String base;
    private final SharedSegment segment;
    private final MemorySegment mem;
    // The data area as this process last mapped it (-1: not yet); changed only under the mutex.
    private int dataGeneration;
    private SharedSegment dataSegment;      // null while the area is inside `segment`
    private MemorySegment data;
    private int capacity;
    private final PosixSemaphore mutex;
    private final PosixSemaphore items;
    private final PosixSemaphore slots;
    private final PosixSemaphore wakeups;
    private final PosixSemaphore joined;
    private final PipeEnds writers;
    private final PipeEnds readers;
    private final boolean pipe;             // the header's pipe flag, set before the queue was shared

    private SharedQueue(String base, SharedSegment segment, PosixSemaphore mutex, PosixSemaphore items,
                        PosixSemaphore slots, PosixSemaphore wakeups, PosixSemaphore joined) {
        this.base = base;
        this.segment = segment;
        this.mem = segment.memory();
        // Mapped at the first lock(): read now, without the mutex, a segment could be gone
        // (another process may be growing or shrinking the area).
        this.dataGeneration = -1;
        this.mutex = mutex;
        this.items = items;
        this.slots = slots;
        this.wakeups = wakeups;
        this.joined = joined;
        this.writers = new PipeEnds(mem, OPEN_WRITERS, WRITER_TABLE);
        this.readers = new PipeEnds(mem, OPEN_READERS, READER_TABLE);
        this.pipe = mem.get(INT, PIPE) != 0;
    }

    /** A new queue; {@code maxsize <= 0} means unbounded. */
    public static SharedQueue create(SharedNames names, int maxsize, int capacity) {
        return create(names, maxsize, capacity, false);
    }

    /**
     * A new direction of a Pipe: unbounded, its one sending and one receiving end held by its
     * maker; once no receiving end is open, a send fails ({@link #put}).
     */
    public static SharedQueue createPipe(SharedNames names, int capacity) {
        return create(names, 0, capacity, true);
    }

    private static SharedQueue create(SharedNames names, int maxsize, int capacity, boolean pipe) {
        String base = names.next();
        SharedSegment seg = SharedSegment.create(base, DATA + capacity);
        MemorySegment m = seg.memory();
        m.set(INT, CAPACITY, capacity);
        m.set(INT, MAXSIZE, Math.max(0, maxsize));
        m.set(INT, PIPE, pipe ? 1 : 0);
        new PipeEnds(m, OPEN_WRITERS, WRITER_TABLE).add(ProcessStamp.SELF);    // the maker's ends
        new PipeEnds(m, OPEN_READERS, READER_TABLE).add(ProcessStamp.SELF);
        return new SharedQueue(base, seg,
            PosixSemaphore.create("/" + base + ".m", 1),
            PosixSemaphore.create("/" + base + ".i", 0),
            PosixSemaphore.create("/" + base + ".s", maxsize > 0 ? maxsize : PosixSemaphore.VALUE_MAX),
            PosixSemaphore.create("/" + base + ".w", 0),
            PosixSemaphore.create("/" + base + ".j", 0));
    }

    /** Opens the queue another process created. */
    public static SharedQueue attach(String base) {
        return new SharedQueue(base, SharedSegment.attach(base),
            PosixSemaphore.attach("/" + base + ".m"), PosixSemaphore.attach("/" + base + ".i"),
            PosixSemaphore.attach("/" + base + ".s"), PosixSemaphore.attach("/" + base + ".w"),
            PosixSemaphore.attach("/" + base + ".j"));
    }

    @HostAccess.Export
    public String name() {
        return base;
    }

    @HostAccess.Export
    public int maxsize() {
        return mem.get(INT, MAXSIZE);
    }

    /**
     * Adds an item. Waits for a free slot (and ring space) for {@code timeout} seconds, for ever
     * if negative, not at all if zero. Returns false if the queue stayed full, or, a Pipe's, if
     * no receiving end is open any more (nothing is added).
     */
    @HostAccess.Export
    public boolean put(byte[] item, double timeout) {
        return putFrame(NOTHING, item, NOTHING, timeout);
    }

    /**
     * {@link #put} of the pickle of a Python 3 bytes object holding {@code payload}, its prefix
     * and suffix written here ({@link BytesPickles}): the payload is copied once, into the ring.
     */
    @HostAccess.Export
    public boolean putBytes(byte[] payload, double timeout) {
        int around = FRAME_HEADER + BytesPickles.PREFIX_LENGTH + BytesPickles.SUFFIX_LENGTH;
        if (payload.length > Integer.MAX_VALUE - around) {
            throw new IllegalArgumentException("an item of " + payload.length + " bytes is too large");
        }
        return putFrame(BytesPickles.prefix(payload.length), payload, BytesPickles.suffix(), timeout);
    }

    /** Adds the item made of {@code first}, {@code middle} and {@code last}, as {@link #put}. */
    private boolean putFrame(byte[] first, byte[] middle, byte[] last, double timeout) {
        long deadline = deadline(timeout);
        if (!slots.acquireNanos(remaining(deadline))) {
            return false;
        }
        int itemLength = first.length + middle.length + last.length;
        boolean spill = itemLength > SPILL_THRESHOLD;
        String spillName = null;
        byte[] spillNameBytes = null;
        lock();
        try {
            if (readersGoneLocked()) {
                slots.release();
                return false;
            }
            if (spill) {
                int n = mem.get(INT, SPILL_COUNTER) + 1;
                mem.set(INT, SPILL_COUNTER, n);
                spillName = base + ".b" + n;
                spillNameBytes = spillName.getBytes(StandardCharsets.US_ASCII);
            }
            int frameLength = spill ? spillNameBytes.length : itemLength;
            int needed = FRAME_HEADER + frameLength;
            while (capacity - (mem.get(LONG, TAIL) - mem.get(LONG, HEAD)) < needed) {
                if (grow(needed)) {
                    continue;
                }
                mem.set(INT, SPACE_WAITERS, mem.get(INT, SPACE_WAITERS) + 1);
                mutex.release();
                boolean woken = wakeups.acquireNanos(remaining(deadline));
                lock();
                if (!woken) {
                    mem.set(INT, SPACE_WAITERS, Math.max(0, mem.get(INT, SPACE_WAITERS) - 1));
                    slots.release();
                    return false;
                }
            }
            long tail = mem.get(LONG, TAIL);
            if (spill) {
                try (SharedSegment big = SharedSegment.create(spillName, Math.max(1, itemLength))) {
                    MemorySegment to = big.memory();
                    MemorySegment.copy(first, 0, to, ValueLayout.JAVA_BYTE, 0, first.length);
                    MemorySegment.copy(middle, 0, to, ValueLayout.JAVA_BYTE, first.length, middle.length);
                    MemorySegment.copy(last, 0, to, ValueLayout.JAVA_BYTE, first.length + middle.length, last.length);
                }
                writeInt(tail, -frameLength);
                writeBytes(tail + FRAME_HEADER, spillNameBytes);
            } else {
                writeInt(tail, frameLength);
                writeBytes(tail + FRAME_HEADER, first);
                writeBytes(tail + FRAME_HEADER + first.length, middle);
                writeBytes(tail + FRAME_HEADER + first.length + middle.length, last);
            }
            mem.set(LONG, TAIL, tail + needed);
            mem.set(INT, COUNT, mem.get(INT, COUNT) + 1);
            mem.set(INT, UNFINISHED, mem.get(INT, UNFINISHED) + 1);
        } finally {
            mutex.release();
        }
        items.release();
        return true;
    }

    /** {@link #put} of the pickle of the int {@code value}, written here (see {@link ScalarPickles}). */
    @HostAccess.Export
    public boolean putLong(long value, double timeout) {
        return put(ScalarPickles.ofLong(value), timeout);
    }

    /** {@link #put} of the pickle of the float {@code value}, written here. */
    @HostAccess.Export
    public boolean putDouble(double value, double timeout) {
        return put(ScalarPickles.ofDouble(value), timeout);
    }

    /** Takes the oldest item, waiting as {@link #put} does; null if the queue stayed empty. */
    public byte[] get(double timeout) {
        if (!items.acquireNanos(remaining(deadline(timeout)))) {
            return null;
        }
        byte[] payload;
        boolean spilled;
        lock();
        try {
            long head = mem.get(LONG, HEAD);
            int length = readInt(head);
            spilled = length < 0;
            payload = readBytes(head + FRAME_HEADER, Math.abs(length));
            mem.set(LONG, HEAD, head + FRAME_HEADER + Math.abs(length));
            int count = mem.get(INT, COUNT) - 1;
            mem.set(INT, COUNT, count);
            if (count == 0) {
                shrinkIfGrown();
            }
            int waiters = mem.get(INT, SPACE_WAITERS);
            mem.set(INT, SPACE_WAITERS, 0);
            for (int i = 0; i < waiters; i++) {
                wakeups.release();
            }
        } finally {
            mutex.release();
        }
        slots.release();
        if (!spilled) {
            return payload;
        }
        String spillName = new String(payload, StandardCharsets.US_ASCII);
        try (SharedSegment big = SharedSegment.attach(spillName)) {
            byte[] item = big.memory().toArray(ValueLayout.JAVA_BYTE);
            SharedSegment.unlink(spillName);
            return item;
        }
    }

    /**
     * {@link #get} for GraalPy: an item of up to {@link #TEXT_LIMIT} bytes as a Latin-1 string,
     * a larger one as its byte[], which Python copies with {@link #copyItem} into a bytearray's
     * storage. GraalPy turns a str into bytes at ~10 ns a byte (~1 ms for 100 KB); the copy runs
     * at memory speed but costs two more calls, which only pays beyond a few KB.
     */
    @HostAccess.Export
    public Object getItem(double timeout) {
        byte[] item = get(timeout);
        if (item == null || item.length > TEXT_LIMIT) {
            return item;
        }
        return new String(item, StandardCharsets.ISO_8859_1);
    }

    /**
     * {@link #getItem} for a reader that wants the object, not the bytes (Queue.get,
     * Connection.recv): an item that is the pickle of one int, float or bool comes as that
     * Long, Double or Boolean, which GraalPy hands over as a Python int, float or bool.
     */
    @HostAccess.Export
    public Object getValue(double timeout) {
        byte[] item = get(timeout);
        if (item == null) {
            return null;
        }
        Object scalar = ScalarPickles.decode(item);
        if (scalar != null) {
            return scalar;
        }
        return item.length > TEXT_LIMIT ? item : new String(item, StandardCharsets.ISO_8859_1);
    }

    /** Copies an item that {@link #getItem} returned as a byte[] into {@code into} (its length or more). */
    @HostAccess.Export
    public void copyItem(byte[] item, byte[] into) {
        System.arraycopy(item, 0, into, 0, item.length);
    }

    /**
     * The payload's length if a large item from {@link #getValue} is the pickle of one bytes
     * object as {@link #putBytes} writes it ({@link BytesPickles}), else -1: Python then makes a
     * bytes object of that length and has {@link #copyBytesPickle} fill it, instead of
     * unpickling (which copies the payload once more).
     */
    @HostAccess.Export
    public int bytesPickleSize(byte[] item) {
        return BytesPickles.payloadLength(item);
    }

    /** Copies the payload of an item that {@link #bytesPickleSize} accepted into {@code into}. */
    @HostAccess.Export
    public void copyBytesPickle(byte[] item, byte[] into) {
        BytesPickles.copyPayload(item, into);
    }

    /** Waits up to {@code timeout} seconds for an item without taking it. */
    @HostAccess.Export
    public boolean poll(double timeout) {
        if (items.acquireNanos(remaining(deadline(timeout)))) {
            items.release();
            return true;
        }
        return false;
    }

    @HostAccess.Export
    public int qsize() {
        return mem.get(INT, COUNT);
    }

    @HostAccess.Export
    public boolean full() {
        return maxsize() > 0 && slots.value() == 0;
    }

    /** JoinableQueue: one item is done; false if there was none left to finish. */
    @HostAccess.Export
    public boolean taskDone() {
        lock();
        try {
            int unfinished = mem.get(INT, UNFINISHED);
            if (unfinished <= 0) {
                return false;
            }
            mem.set(INT, UNFINISHED, unfinished - 1);
            if (unfinished == 1) {
                int waiters = mem.get(INT, JOIN_WAITERS);
                mem.set(INT, JOIN_WAITERS, 0);
                for (int i = 0; i < waiters; i++) {
                    joined.release();
                }
            }
            return true;
        } finally {
            mutex.release();
        }
    }

    /** JoinableQueue: waits until every item put has been task_done(); false on time-out. */
    @HostAccess.Export
    public boolean join(double timeout) {
        long deadline = deadline(timeout);
        while (true) {
            lock();
            try {
                if (mem.get(INT, UNFINISHED) == 0) {
                    return true;
                }
                mem.set(INT, JOIN_WAITERS, mem.get(INT, JOIN_WAITERS) + 1);
            } finally {
                mutex.release();
            }
            if (!joined.acquireNanos(remaining(deadline))) {
                lock();
                try {
                    mem.set(INT, JOIN_WAITERS, Math.max(0, mem.get(INT, JOIN_WAITERS) - 1));
                    return mem.get(INT, UNFINISHED) == 0;
                } finally {
                    mutex.release();
                }
            }
        }
    }

    /**
     * Pipe: one more sending end, pickled here for another process; it counts from now, and
     * that process {@linkplain #claimWriter claims} it when it unpickles it.
     */
    @HostAccess.Export
    public void addWriter() {
        addEnd(writers, null);
    }

    /**
     * Pipe: one more sending end, pickled here for the child with this pid, which holds it from
     * now in the writer table (it does not claim it again): if that child dies before it
     * unpickles the end, or never gets it (a start that failed), the end is uncounted as the
     * child's. Returns false, counting the end as {@link #addWriter} does, when no process
     * runs with that pid.
     */
    @HostAccess.Export
    public boolean addWriterFor(long pid) {
        return addEndFor(writers, pid);
    }

    /** Pipe: this process unpickled a sending end (counted by {@link #addWriter}) and holds it. */
    @HostAccess.Export
    public void claimWriter() {
        claimEnd(writers);
    }

    /** Pipe: this process closed a sending end; at the last one the receiver sees EOF. */
    @HostAccess.Export
    public void removeWriter() {
        removeEnd(writers);
    }

    /** {@link #addWriter} for a receiving end. */
    @HostAccess.Export
    public void addReader() {
        addEnd(readers, null);
    }

    /** {@link #addWriterFor} for a receiving end. */
    @HostAccess.Export
    public boolean addReaderFor(long pid) {
        return addEndFor(readers, pid);
    }

    /** {@link #claimWriter} for a receiving end. */
    @HostAccess.Export
    public void claimReader() {
        claimEnd(readers);
    }

    /** Pipe: this process closed a receiving end; after the last one, sends fail. */
    @HostAccess.Export
    public void removeReader() {
        removeEnd(readers);
    }

    private void addEnd(PipeEnds ends, ProcessStamp holder) {
        underMutex(() -> ends.add(holder));
    }

    private boolean addEndFor(PipeEnds ends, long pid) {
        ProcessStamp child = ProcessStamp.read(pid);
        addEnd(ends, child);
        return child != null;
    }

    private void claimEnd(PipeEnds ends) {
        underMutex(() -> ends.claim(ProcessStamp.SELF));
    }

    private void removeEnd(PipeEnds ends) {
        underMutex(() -> ends.remove(ProcessStamp.SELF));
    }

    private void underMutex(Runnable action) {
        lock();
        try {
            action.run();
        } finally {
            mutex.release();
        }
    }

    /**
     * Pipe: no sending end is open any more, counting those of processes that ended without
     * closing them as closed.
     */
    @HostAccess.Export
    public boolean writersGone() {
        if (writers.open() <= 0) {
            return true;
        }
        if (!writers.reapDue()) {
            return false;
        }
        lock();
        try {
            return writers.reap() <= 0;
        } finally {
            mutex.release();
        }
    }

    /** Under the mutex: a Pipe's direction that no receiving end is open on (as writersGone); false for a Queue. */
    private boolean readersGoneLocked() {
        if (!pipe) {
            return false;
        }
        return readers.open() <= 0 || (readers.reapDue() && readers.reap() <= 0);
    }

    private void lock() {
        mutex.acquireNanos(-1);
        if (mem.get(INT, DATA_GENERATION) != dataGeneration) {
            mapData();
        }
    }

    /** Maps the data area of the current generation (at the first lock, or after another process moved it). */
    private void mapData() {
        int generation = mem.get(INT, DATA_GENERATION);
        if (dataSegment != null) {
            dataSegment.close();
            dataSegment = null;
        }
        if (generation == 0 || mem.get(INT, DATA_INLINE) != 0) {
            data = mem.asSlice(DATA);
        } else {
            dataSegment = SharedSegment.attach(base + ".d" + generation);
            data = dataSegment.memory();
        }
        dataGeneration = generation;
        capacity = mem.get(INT, CAPACITY);
    }

    /** Under the mutex: moves the data area to a segment with room for {@code needed} more bytes. */
    private boolean grow(int needed) {
        long head = mem.get(LONG, HEAD);
        int used = (int) (mem.get(LONG, TAIL) - head);
        long size = capacity;
        while (size - used < needed) {
            size *= 2;
        }
        if (size > MAX_CAPACITY) {
            return false;
        }
        int generation = dataGeneration + 1;
        // Segment to segment, the wrapped part second: no heap copy of what may be hundreds of
        // MB (a byte[] that large cost the producer a full collection, under the mutex).
        try (SharedSegment next = SharedSegment.create(base + ".d" + generation, size)) {
            int at = (int) (head % capacity);
            int first = Math.min(used, capacity - at);
            MemorySegment.copy(data, at, next.memory(), 0, first);
            MemorySegment.copy(data, 0, next.memory(), first, used - first);
        }
        if (dataSegment != null) {
            SharedSegment.unlink(base + ".d" + dataGeneration);   // others keep their mapping until they remap
        }
        mem.set(LONG, HEAD, 0L);
        mem.set(LONG, TAIL, (long) used);
        mem.set(INT, CAPACITY, (int) size);
        mem.set(INT, DATA_INLINE, 0);
        mem.set(INT, DATA_GENERATION, generation);
        mapData();
        return true;
    }

    /** Under the mutex, the queue empty: moves a grown data area back below (see the class comment). */
    private void shrinkIfGrown() {
        int inlineCapacity = (int) (mem.byteSize() - DATA);
        if (dataSegment == null || capacity < (long) SHRINK_FROM * inlineCapacity) {
            return;
        }
        SharedSegment.unlink(base + ".d" + dataGeneration);       // others keep their mapping until they remap
        mem.set(LONG, HEAD, 0L);
        mem.set(LONG, TAIL, 0L);
        mem.set(INT, CAPACITY, inlineCapacity);
        mem.set(INT, DATA_INLINE, 1);
        mem.set(INT, DATA_GENERATION, dataGeneration + 1);
        mapData();
    }

    private static long deadline(double timeout) {
        return timeout < 0 ? Long.MIN_VALUE : System.nanoTime() + (long) (timeout * 1e9);
    }

    private static long remaining(long deadline) {
        if (deadline == Long.MIN_VALUE) {
            return -1;
        }
        return Math.max(0, deadline - System.nanoTime());
    }

    private void writeInt(long pos, int v) {
        writeBytes(pos, new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
    }

    private int readInt(long pos) {
        byte[] b = readBytes(pos, 4);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    private void writeBytes(long pos, byte[] src) {
        int at = (int) (pos % capacity);
        int first = Math.min(src.length, capacity - at);
        MemorySegment.copy(src, 0, data, ValueLayout.JAVA_BYTE, at, first);
        if (first < src.length) {
            MemorySegment.copy(src, first, data, ValueLayout.JAVA_BYTE, 0, src.length - first);
        }
    }

    private byte[] readBytes(long pos, int length) {
        byte[] out = new byte[length];
        int at = (int) (pos % capacity);
        int first = Math.min(length, capacity - at);
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, out, 0, first);
        if (first < length) {
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 0, out, first, length - first);
        }
        return out;
    }

    /**
     * Removes the queue's names. Only for a queue no other process knows of (a rehearsal's);
     * shared queues are removed by the resource tracker when the tree ends.
     */
    public void unlinkNames() {
        SharedSegment.unlink(base);
        for (String suffix : new String[] {".m", ".i", ".s", ".w", ".j"}) {
            PosixSemaphore.unlink("/" + base + suffix);
        }
        if (dataSegment != null) {
            SharedSegment.unlink(base + ".d" + dataGeneration);
        }
    }

    @Override
    public void close() {
        mutex.close();
        items.close();
        slots.close();
        wakeups.close();
        joined.close();
        if (dataSegment != null) {
            dataSegment.close();
        }
        segment.close();
    }
}
