package org.mp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** No child JVM outlives its root: not after a normal end, not after the root is killed with -9. */
class ProcessLifetimeTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"graalpy", "jython"})
    void childrenAndGrandchildrenExitWithinTwoSecondsOfTheRootsSigkill(String engine) throws Exception {
        Path ready = dir.resolve("ready");
        Path script = dir.resolve("tree.py");
        Files.writeString(script, String.join("\n",
            "import os, time",
            "from multiprocessing import Process",
            "def grandchild():",
            "    time.sleep(120)",
            "def child():",
            "    p = Process(target=grandchild)",
            "    p.start()",
            "    with open(" + py(dir.resolve("gc")) + ", 'w') as f:",
            "        f.write(str(p.pid))",
            "    time.sleep(120)",
            "if __name__ == '__main__':",
            "    a = Process(target=child)",
            "    b = Process(target=child, daemon=True)",
            "    a.start()",
            "    b.start()",
            "    while not os.path.exists(" + py(dir.resolve("gc")) + "):",
            "        time.sleep(0.05)",
            "    time.sleep(0.5)",
            "    open(" + py(ready) + ", 'w').close()",
            "    time.sleep(120)",
            ""), StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(Mp4j.HOME.resolve("mp4j").toString(), "--engine", engine, script.toString())
            .directory(dir.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(dir.resolve("err.txt").toFile());
        Process root = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.exists(ready) && System.nanoTime() < deadline && root.isAlive()) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(ready), () -> "the tree did not come up: " + read(dir.resolve("err.txt")));
            List<ProcessHandle> tree = new ArrayList<>(root.toHandle().descendants().toList());
            assertTrue(tree.size() >= 3, "expected the children and grandchildren: " + tree);
            root.toHandle().destroyForcibly();      // SIGKILL: the root gets no chance to clean up
            long killed = System.nanoTime();
            for (ProcessHandle h : tree) {
                long left = TimeUnit.SECONDS.toNanos(2) - (System.nanoTime() - killed);
                try {
                    h.onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // reported below
                }
            }
            List<ProcessHandle> alive = tree.stream().filter(ProcessLifetimeTest::running).toList();
            assertEquals(List.of(), alive.stream().map(ProcessLifetimeTest::describe).toList(),
                "JVMs outlived their killed root by more than 2 s");
        } finally {
            root.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            root.destroyForcibly();
        }
    }

    /**
     * Alive and not a zombie: an exited child whose new parent (PID 1 of a container) never reaps it
     * stays in the process table as state Z, which ProcessHandle still reports as alive.
     */
    private static boolean running(ProcessHandle h) {
        String[] stat = statFields(h);
        return stat != null && !stat[0].equals("Z") && !stat[0].equals("X");
    }

    /** The fields of /proc/PID/stat after the command name (state first, nice at 16); null if gone. */
    private static String[] statFields(ProcessHandle h) {
        String stat = read(Path.of("/proc", Long.toString(h.pid()), "stat"));
        return stat.isEmpty() ? null : stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /**
     * Pid, state, nice value, whether a SIGKILL is pending (killed, but not yet scheduled to
     * exit) and the last words of the command line (engine, foreground/background).
     */
    private static String describe(ProcessHandle h) {
        String[] fields = statFields(h);
        if (fields == null) {
            return h.pid() + " gone meanwhile";
        }
        boolean killPending = read(Path.of("/proc", Long.toString(h.pid()), "status")).lines()
            .filter(l -> l.startsWith("SigPnd:") || l.startsWith("ShdPnd:"))
            .anyMatch(l -> (Long.parseUnsignedLong(l.substring(7).trim(), 16) & (1L << 8)) != 0);
        String[] cmd = h.info().commandLine().orElse("").split(" ");
        String tail = String.join(" ", List.of(cmd).subList(Math.max(0, cmd.length - 2), cmd.length));
        return h.pid() + " state=" + fields[0] + " nice=" + fields[16] + " sigkill-pending=" + killPending + " " + tail;
    }

    private static String py(Path p) {
        return "'" + p + "'";
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
