package org.mp4j.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A file in {@code /dev/shm} mapped into this process: memory that other processes map too. */
public final class SharedSegment implements AutoCloseable {
    private static final Path SHM = Path.of("/dev/shm");

    private final String name;
    private final Arena arena;
    private final MemorySegment memory;

    private SharedSegment(String name, Arena arena, MemorySegment memory) {
        this.name = name;
        this.arena = arena;
        this.memory = memory;
    }

    /** Creates {@code /dev/shm/<name>} of {@code size} bytes (zeroed, paged in lazily). */
    public static SharedSegment create(String name, long size) {
        return map(name, size, true);
    }

    public static SharedSegment attach(String name) {
        return map(name, -1, false);
    }

    private static SharedSegment map(String name, long size, boolean create) {
        Path path = SHM.resolve(name);
        try (FileChannel ch = create
                ? FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (create) {
                ch.truncate(size);
                ch.position(size - 1);
                ch.write(java.nio.ByteBuffer.wrap(new byte[1]));
            }
            long length = ch.size();
            Arena arena = Arena.ofShared();
            return new SharedSegment(name, arena, ch.map(FileChannel.MapMode.READ_WRITE, 0, length, arena));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map /dev/shm/" + name, e);
        }
    }

    public String name() {
        return name;
    }

    public MemorySegment memory() {
        return memory;
    }

    public static void unlink(String name) {
        try {
            Files.deleteIfExists(SHM.resolve(name));
        } catch (IOException e) {
            // the tracker removes it at the end
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
