package org.mp4j.shm;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names of the objects an mp4j process tree makes in {@code /dev/shm}, and their cleanup.
 *
 * <p>Every name starts with {@code mp4j.<root pid>.}: the tree's root owns them all. They are
 * removed when the root ends: by the root itself at a normal exit, and otherwise (the root was
 * killed) by the resource tracker, a small process outside the tree that waits for the root's
 * pid to vanish and then removes the tree's names. Children die with the root (see
 * ChildLauncher), so nobody uses the names after that.
 *
 * <p>Names stay while the root lives, also after the object that made them is gone, because a
 * child may still open them (a Lock handed to a child that starts after its parent's script
 * ended must still work, as it does under CPython's fork).
 */
public final class SharedNames {
    /** Environment variable through which children learn their tree's root. */
    public static final String ROOT_ENV = "MP4J_ROOT_PID";
    private static final Path SHM = Path.of("/dev/shm");

    private final long rootPid;
    private final long pid = ProcessHandle.current().pid();
    private final AtomicLong counter = new AtomicLong();
    private final boolean root;
    private boolean trackerStarted;          // guarded by this

    public SharedNames() {
        String env = System.getenv(ROOT_ENV);
        root = env == null || env.isBlank();
        rootPid = root ? pid : Long.parseLong(env.trim());
    }

    public long rootPid() {
        return rootPid;
    }

    public boolean isRoot() {
        return root;
    }

    /** A new name, unique in the machine: {@code mp4j.<root>.<pid>.<n>}. */
    public String next() {
        startTracker();
        return "mp4j." + rootPid + "." + pid + "." + counter.incrementAndGet();
    }

    /**
     * Starts the resource tracker (root only, once). It stands outside the tree: started in a
     * session of its own by a shell that exits at once (so it is nobody's descendant and no
     * signal to the tree's process group reaches it), and it ignores INT, TERM and HUP. Killing
     * the whole tree, as a test harness or a terminal does, must not take the tracker with it.
     */
    public synchronized void startTracker() {
        if (!root || trackerStarted) {
            return;
        }
        String p = Long.toString(rootPid);
        String watch = "trap '' INT TERM HUP; tail --pid=" + p + " -s 0.2 -f /dev/null; "
            + "rm -f /dev/shm/mp4j." + p + ".* /dev/shm/sem.mp4j." + p + ".*";
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c",
            "setsid /bin/sh -c \"$0\" </dev/null >/dev/null 2>&1 &", watch)
            .redirectInput(new File("/dev/null"))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            pb.start().waitFor();
            trackerStarted = true;
        } catch (IOException e) {
            System.err.println("mp4j: cannot start the resource tracker: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Removes every name of this tree (root only, at its end). */
    public void removeAll() {
        if (!root) {
            return;
        }
        String prefix = "mp4j." + rootPid + ".";
        try (DirectoryStream<Path> files = Files.newDirectoryStream(SHM)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (n.startsWith(prefix) || n.startsWith("sem." + prefix)) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            // the tracker removes what is left
        }
    }
}
