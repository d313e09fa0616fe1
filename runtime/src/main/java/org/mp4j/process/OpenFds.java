package org.mp4j.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * This process's open file descriptors and what each refers to ({@code /proc/self/fd}): a job
 * that leaves one open, or closed one it found, changed the process, so its JVM does not serve
 * another job (a socket left open would keep its peer from seeing the end, as a process exit
 * would show it).
 */
final class OpenFds {
    private static final Path FD_DIR = Path.of("/proc/self/fd");

    private OpenFds() {
    }

    /** Descriptor to target; the directory stream that reads the list is left out. Null if unreadable. */
    static Map<Integer, String> list() {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(FD_DIR)) {
            entries.forEach(e -> {
                try {
                    String target = Files.readSymbolicLink(e).toString();
                    if (!target.startsWith("/proc/") || !target.endsWith("/fd")) {
                        fds.put(Integer.parseInt(e.getFileName().toString()), target);
                    }
                } catch (IOException | NumberFormatException gone) {
                    // closed while listed: the stream's own descriptor, or a thread's
                }
            });
        } catch (IOException e) {
            return null;
        }
        return fds;
    }
}
