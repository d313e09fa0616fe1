package org.mp4j.shm;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
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
 *
 * <p>{@code multiprocessing.resource_tracker}'s {@code register} and {@code unregister} change
 * what goes at the end: the ledger {@code /dev/shm/mp4j-ledger.<root>} (outside the prefix) has
 * one line per call, {@code +name} (remove this name too) or {@code -name} (keep it, though it
 * has the prefix); the last line about a name counts. Names are file names in /dev/shm (a
 * semaphore's with its {@code sem.}). Every process of the tree appends to it; each line is one
 * write to a file opened for appending, so lines do not mix.
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
        // After the root: the ledger's final word per name (awk), then the prefix's names but
        // the kept ones, then the registered ones, then the ledger.
        String ledger = ledger().toString();
        String lastWord = "awk '{w[substr($0,2)]=substr($0,1,1)} END{for(n in w) if(w[n]==\"%s\") print n}' "
            + ledger + " 2>/dev/null";
        String watch = "trap '' INT TERM HUP; tail --pid=" + p + " -s 0.2 -f /dev/null; "
            + "keep=$(" + lastWord.formatted("-") + "); "
            + "for f in /dev/shm/mp4j." + p + ".* /dev/shm/sem.mp4j." + p + ".*; do "
            + "printf '%s\\n' \"$keep\" | grep -qxF -- \"${f#/dev/shm/}\" || rm -f -- \"$f\"; done; "
            + lastWord.formatted("+") + " | while IFS= read -r n; do rm -f -- \"/dev/shm/$n\"; done; "
            + "rm -f " + ledger;
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

    private synchronized boolean trackerStarted() {
        return trackerStarted;
    }

    private Path ledger() {
        return SHM.resolve("mp4j-ledger." + rootPid);
    }

    /**
     * Notes in the ledger that the file {@code /dev/shm/<fileName>} is to be removed at the
     * tree's end ({@code remove}) or kept there.
     *
     * @throws IllegalArgumentException for a name that is not one file name of /dev/shm
     */
    public void mark(String fileName, boolean remove) {
        if (fileName.isEmpty() || fileName.equals(".") || fileName.equals("..")
            || fileName.chars().anyMatch(c -> c == '/' || c == '\n' || c == 0)) {
            throw new IllegalArgumentException("not a name in /dev/shm: " + fileName);
        }
        startTracker();
        byte[] line = ((remove ? "+" : "-") + fileName + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            Files.write(ledger(), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the resource ledger " + ledger(), e);
        }
    }

    /**
     * Removes every name of this tree but the kept ones, and the registered ones (root only, at
     * its end), and says on stderr how many of them were a script's own leaks, as CPython's
     * resource tracker does: a SharedMemory block nobody unlinked (an unnamed one has
     * {@code .psm_} in its name), or a name registered with resource_tracker and still there.
     * mp4j's own objects (queue rings, semaphores of locks) stay until now by design and are
     * not counted.
     */
    public void removeAll() {
        if (!root) {
            return;
        }
        Map<String, Boolean> marked = readLedger();
        String prefix = "mp4j." + rootPid + ".";
        int leakedBlocks = 0;
        int leakedSemaphores = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(SHM)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                if ((n.startsWith(prefix) || n.startsWith("sem." + prefix)) && marked.getOrDefault(n, true)
                        && Files.deleteIfExists(f) && n.contains(".psm_")) {
                    leakedBlocks++;
                }
            }
            for (Map.Entry<String, Boolean> e : marked.entrySet()) {
                if (e.getValue() && Files.deleteIfExists(SHM.resolve(e.getKey()))) {
                    if (e.getKey().startsWith("sem.")) {
                        leakedSemaphores++;
                    } else {
                        leakedBlocks++;
                    }
                }
            }
            if (!trackerStarted()) {
                Files.deleteIfExists(ledger());     // else the tracker still needs it, and removes it
            }
        } catch (IOException e) {
            // the tracker removes what is left
        }
        warnLeaked(leakedBlocks, "shared_memory");
        warnLeaked(leakedSemaphores, "semaphore");
    }

    private static void warnLeaked(int count, String type) {
        if (count > 0) {
            System.err.println("mp4j: UserWarning: resource_tracker: There appear to be " + count + " leaked "
                + type + " objects to clean up at shutdown");
            System.err.flush();
        }
    }

    /** The ledger's last word on each name: true to remove, false to keep. */
    private Map<String, Boolean> readLedger() {
        Map<String, Boolean> marked = new HashMap<>();
        try {
            for (String line : Files.readAllLines(ledger(), StandardCharsets.UTF_8)) {
                if (line.length() > 1) {
                    marked.put(line.substring(1), line.charAt(0) == '+');
                }
            }
        } catch (NoSuchFileException e) {
            // nothing registered or unregistered
        } catch (IOException e) {
            // unreadable: the prefix's names go, as without a ledger
        }
        return marked;
    }
}
