package org.mp4j.shm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process as other processes can recognise it in shared memory: its pid and its start time
 * (field 22 of {@code /proc/<pid>/stat}, clock ticks since boot), so that a pid the kernel
 * reused for another process is not taken for the one that ended.
 *
 * <p>Why: a sending end of a Pipe is counted in shared memory, and a process that ends without
 * closing it ({@code os._exit}, {@code kill -9}) never uncounts it; the receiver sees EOF all the
 * same once it finds that process gone, as the kernel closes a CPython process's descriptors.
 */
public record ProcessStamp(int pid, long startTicks) {
    /** This process. */
    public static final ProcessStamp SELF = read(ProcessHandle.current().pid());

    /** The process now running with this pid, or null if none runs (or only its zombie is left). */
    public static ProcessStamp read(long pid) {
        String stat;
        try {
            stat = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat")),
                StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null;
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count fields
        // from the last ')'. After it: state is the 1st field, starttime the 20th.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        char state = fields[0].charAt(0);
        if (state == 'Z' || state == 'X' || fields.length < 20) {
            return null;
        }
        return new ProcessStamp((int) pid, Long.parseLong(fields[19]));
    }

    /** Whether the process this stamp names still runs. */
    public boolean isRunning() {
        return equals(read(pid));
    }
}
