package org.mp4j.sharedctypes;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.HostAccess;
import org.mp4j.shm.SharedNames;
import org.mp4j.shm.SharedSegment;

/**
 * A fixed block of bytes in shared memory that every process of the tree maps: where the
 * counters of a Barrier and the contents of a Value or an Array live (CPython keeps these in
 * its {@code heap} arenas). The block has no layout of its own; its Python owner decides what
 * the bytes mean and guards them with a lock where it needs to.
 *
 * <pre>
 *   /dev/shm/&lt;name&gt;   size bytes, zeroed at creation, little-endian where numbers are stored
 * </pre>
 */
public final class SharedBlock implements AutoCloseable {
    private static final java.lang.invoke.VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final SharedSegment segment;
    private final MemorySegment mem;

    private SharedBlock(SharedSegment segment) {
        this.segment = segment;
        this.mem = segment.memory();
    }

    /** A new zeroed block of {@code size} bytes (at least one). */
    public static SharedBlock create(SharedNames names, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        return new SharedBlock(SharedSegment.create(names.next(), Math.max(1, size)));
    }

    /** Opens the block another process of the tree created. */
    public static SharedBlock attach(String name) {
        return new SharedBlock(SharedSegment.attach(name));
    }

    @HostAccess.Export
    public String name() {
        return segment.name();
    }

    @HostAccess.Export
    public long size() {
        return mem.byteSize();
    }

    /** The 64-bit number at {@code offset} (a volatile read: see other processes' writes). */
    @HostAccess.Export
    public long getLong(long offset) {
        return (long) LONG.getVolatile(mem, offset);
    }

    @HostAccess.Export
    public void setLong(long offset, long value) {
        LONG.setVolatile(mem, offset, value);
    }

    /** {@code length} bytes from {@code offset}, as a Latin-1 string (one char per byte; see bridges). */
    @HostAccess.Export
    public String readLatin1(long offset, int length) {
        byte[] out = new byte[length];
        MemorySegment.copy(mem, ValueLayout.JAVA_BYTE, offset, out, 0, length);
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** Copies {@code data} into the block at {@code offset}. */
    @HostAccess.Export
    public void write(long offset, byte[] data) {
        MemorySegment.copy(data, 0, mem, ValueLayout.JAVA_BYTE, offset, data.length);
    }

    @Override
    public void close() {
        segment.close();
    }
}
