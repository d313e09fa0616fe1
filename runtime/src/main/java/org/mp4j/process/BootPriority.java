package org.mp4j.process;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Lets a pooled child JVM boot in the background: at a low CPU priority (nice 10) until
 * somebody needs it, then at this process's own priority.
 *
 * <p>Booting a JVM with a warm GraalPy engine costs ~3 s of CPU. A pool refill is speculative,
 * so on a small machine it must not take CPU from the script's real work (a benchmark measured
 * the default start method at two thirds of spawn's throughput while the pool refilled). A
 * child is raised back when a {@code start()} takes it or the launcher waits for it.
 *
 * <p>Why 10 and not the lowest, 19: a child must also die quickly. When its parent is killed,
 * the kernel SIGKILLs it at once, but every thread of it must still be scheduled to exit, and
 * the scheduler gives a nice-19 task a turn so rarely that, beside 16 busy processes on 2
 * cores, a SIGKILLed booting JVM stayed in the process table for up to 2.2 s (nice 15: 0.66 s,
 * nice 10: 0.08 s, nice 0: 0.01 s). At nice 10 a refill still gets about a tenth of what a
 * normal process beside it gets.
 *
 * <p>Linux keeps a nice value per thread, and a new thread inherits its creator's, so a child
 * is started under {@code nice} (at nice 10) and raised by setting every thread of it
 * ({@code /proc/<pid>/task}) with {@code setpriority}. Raising needs CAP_SYS_NICE or a
 * RLIMIT_NICE that allows it; where neither holds, or where this process already runs at nice
 * 10 or above, children are not lowered at all.
 */
final class BootPriority {
    private static final Path NICE = Path.of("/usr/bin/nice");
    private static final int PRIO_PROCESS = 0;
    private static final int RLIMIT_NICE = 13;
    private static final int BACKGROUND = 10;
    private static final long EXEC_WAIT_NANOS = 2_000_000_000L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MethodHandle SETPRIORITY = LINKER.downcallHandle(LIBC.find("setpriority").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle GETPRIORITY = LINKER.downcallHandle(LIBC.find("getpriority").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle GETEUID = LINKER.downcallHandle(LIBC.find("geteuid").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle GETRLIMIT = LINKER.downcallHandle(LIBC.find("getrlimit").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private final int own;             // this process's nice value, what a needed child gets
    private final boolean usable;
    private final Set<Path> wrappers;  // the programs a child runs before its JVM (real paths)

    BootPriority() {
        int nice = 0;
        boolean ok = false;
        try {
            nice = (int) GETPRIORITY.invokeExact(PRIO_PROCESS, 0);
            ok = Files.isExecutable(NICE) && nice < BACKGROUND && mayRaiseTo(nice);
        } catch (Throwable t) {
            ok = false;
        }
        this.own = nice;
        this.usable = ok && !"0".equals(System.getenv("MP4J_BACKGROUND_BOOT"));
        this.wrappers = realPaths(NICE, ChildLauncher.SETPRIV);
    }

    private static Set<Path> realPaths(Path... programs) {
        Set<Path> real = new HashSet<>();
        for (Path p : programs) {
            try {
                real.add(p.toRealPath());
            } catch (IOException e) {
                // not installed: no child runs it
            }
        }
        return Set.copyOf(real);
    }

    /** Whether the calling thread still runs at the background priority (nobody raised it). */
    static boolean inBackground() {
        try {
            return (int) GETPRIORITY.invokeExact(PRIO_PROCESS, 0) == BACKGROUND;  // this thread's
        } catch (Throwable t) {
            return false;
        }
    }

    /** Root, or a RLIMIT_NICE whose ceiling (20 - limit) reaches {@code nice}. */
    private static boolean mayRaiseTo(int nice) throws Throwable {
        if ((int) GETEUID.invokeExact() == 0) {
            return true;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(ValueLayout.JAVA_LONG, 2);       // struct rlimit
            if ((int) GETRLIMIT.invokeExact(RLIMIT_NICE, limit) != 0) {
                return false;
            }
            long soft = limit.getAtIndex(ValueLayout.JAVA_LONG, 0);
            return soft < 0 || 20 - soft <= nice;                                  // RLIM_INFINITY is -1
        }
    }

    /**
     * The words that start a command in the background, at nice 10 exactly ({@code nice} adds
     * to this process's own value), which is how a child tells it was not raised yet; none if
     * unusable.
     */
    List<String> backgroundPrefix() {
        return usable ? List.of(NICE.toString(), "-n", Integer.toString(BACKGROUND - own)) : List.of();
    }

    /**
     * Gives every thread of the child this process's priority: again while new threads appear,
     * since a thread born meanwhile may have inherited the background priority.
     */
    void raise(long pid) {
        if (!usable || !awaitExec(pid)) {
            return;
        }
        Set<String> done = new HashSet<>();
        for (int round = 0; round < 10; round++) {
            List<String> tids;
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                tids = tasks.map(t -> t.getFileName().toString()).toList();
            } catch (IOException | RuntimeException e) {
                return;                 // the child is gone
            }
            if (round > 0 && done.containsAll(tids)) {
                return;
            }
            for (String tid : tids) {
                setNice(Integer.parseInt(tid));
                done.add(tid);
            }
        }
    }

    /**
     * Waits until the child runs its JVM, past the launch wrappers ({@code setpriv}, {@code nice}):
     * raised before {@code nice} made its own {@code nice(10)} call, a child would boot in the
     * background after all (nice adds to the value it finds), however badly it is needed, and
     * on a busy machine a JVM lowered to nice 19 (the level before) took minutes to boot.
     * False if the child is gone.
     */
    private boolean awaitExec(long pid) {
        Path exe = Path.of("/proc", Long.toString(pid), "exe");
        long deadline = System.nanoTime() + EXEC_WAIT_NANOS;
        while (true) {
            try {
                if (!wrappers.contains(Files.readSymbolicLink(exe))) {
                    return true;
                }
            } catch (IOException | RuntimeException e) {
                return false;           // the child is gone
            }
            setNice((int) pid);         // the wrapper gets to its exec sooner on a busy machine
            if (System.nanoTime() - deadline > 0) {
                return true;            // raise anyway; a wrapper that hangs is not ours to wait for
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
    }

    private void setNice(int tid) {
        try {
            int failed = (int) SETPRIORITY.invokeExact(PRIO_PROCESS, tid, own);    // -1: it ended meanwhile
        } catch (Throwable t) {
            // no priority change, no harm: the child only runs slower
        }
    }
}
