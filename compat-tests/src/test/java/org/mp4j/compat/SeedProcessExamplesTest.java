package org.mp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The seed articles' examples that use only Process (python-examples/, code verbatim), each
 * checked for what any correct implementation prints: orders the semantics guarantee, pids that
 * differ; never exact pids or timings.
 */
class SeedProcessExamplesTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);

    private static Mp4j.Run run(String example) {
        Mp4j.Run r = Mp4j.run(Mp4j.example(example), LIMIT);
        assertEquals(0, r.exitCode(), r::describe);
        return r;
    }

    @Test
    void functionTargetRunsInAChildAndTheRootWaitsForIt() {
        Mp4j.Run r = run("py3/seed002_create_function.py");
        assertEquals(Set.of("主进程", "joker正在运行", "joker运行结束"), Set.copyOf(r.lines()), r::describe);
        assertEquals(3, r.lines().size(), r::describe);
        assertTrue(r.lines().indexOf("joker正在运行") < r.lines().indexOf("joker运行结束"), r::describe);
    }

    @Test
    void subclassWithOwnInitAndNameRuns() {
        Mp4j.Run r = run("py3/seed002_create_subclass.py");
        assertEquals(Set.of("主", "joker正在运行", "joker运行结束"), Set.copyOf(r.lines()), r::describe);
        assertTrue(r.lines().indexOf("joker正在运行") < r.lines().indexOf("joker运行结束"), r::describe);
    }

    @Test
    void joinMakesTheParentWaitForTheChild() {
        assertEquals(List.of("joker正在运行", "joker运行结束", "主进程"), run("py3/seed002_join.py").lines());
    }

    @Test
    void globalsChangedInTheChildStayInTheChild() {
        assertEquals(List.of("子进程money 666", "父进程money 100"), run("py3/seed002_isolation.py").lines());
    }

    @Test
    void pidsAndTerminateAsTheArticleShows() {
        Mp4j.Run r = run("py3/seed002_process_methods.py");
        List<String> l = r.lines();
        assertEquals(6, l.size(), r::describe);
        assertEquals(l.get(0), l.get(1), "current_process().pid == os.getpid()");
        assertNotEquals(l.get(0), l.get(2), "the root's parent is not the root");
        assertEquals(List.of("True", "False", "-15"), l.subList(3, 6), r::describe);
    }

    @Test
    void daemonChildEndsWithTheRoot() {
        Mp4j.Run r = run("py3/seed002_daemon.py");
        assertTrue(r.lines().contains("主进程!!!"), r::describe);
        assertFalse(r.stdout().contains("嗝屁"), "the daemon outlived the root: " + r.describe());
    }

    private static final Pattern WORK = Pattern.compile("(\\d) : (\\d+) is (running|done)");

    @Test
    void threeWorkersRunConcurrentlyEachInItsOwnProcess() {
        Mp4j.Run r = run("py3/seed001_work_concurrent.py");
        List<String> l = r.lines();
        assertEquals(6, l.size(), r::describe);
        Set<String> pids = new HashSet<>();
        for (int n = 0; n < 3; n++) {
            int running = indexOf(l, n, "running");
            int done = indexOf(l, n, "done");
            assertTrue(running >= 0 && running < done, r::describe);
            pids.add(pidOf(l.get(running)));
            assertEquals(pidOf(l.get(running)), pidOf(l.get(done)), r::describe);
        }
        assertEquals(3, pids.size(), "each worker has its own pid: " + r.describe());
    }

    @Test
    void joinInTheLoopRunsWorkersOneAfterAnother() {
        Mp4j.Run r = run("py3/seed001_work_join.py");
        List<String> l = r.lines();
        assertEquals(6, l.size(), r::describe);
        Set<String> pids = new HashSet<>();
        for (int n = 0; n < 3; n++) {
            Matcher a = WORK.matcher(l.get(2 * n));
            Matcher b = WORK.matcher(l.get(2 * n + 1));
            assertTrue(a.matches() && b.matches(), r::describe);
            assertEquals(List.of(String.valueOf(n), "running"), List.of(a.group(1), a.group(3)));
            assertEquals(List.of(String.valueOf(n), "done", a.group(2)), List.of(b.group(1), b.group(3), b.group(2)));
            pids.add(a.group(2));
        }
        assertEquals(3, pids.size(), r::describe);
    }

    @Test
    void python2ProcessExampleRunsOnJython() {
        Mp4j.Run r = run("py2/seed004_process.py");
        List<String> l = r.lines();
        assertEquals(4, l.size(), r::describe);
        Matcher parent = Pattern.compile("Parent process (\\d+)\\.").matcher(l.get(0));
        Matcher child = Pattern.compile("Run child process test \\((\\d+)\\)\\.\\.\\.").matcher(l.get(2));
        assertTrue(parent.matches() && child.matches(), r::describe);
        assertEquals("Process will start.", l.get(1));
        assertEquals("Process end.", l.get(3));
        assertNotEquals(parent.group(1), child.group(1));
    }

    private static int indexOf(List<String> lines, int n, String what) {
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = WORK.matcher(lines.get(i));
            if (m.matches() && m.group(1).equals(String.valueOf(n)) && m.group(3).equals(what)) {
                return i;
            }
        }
        return -1;
    }

    private static String pidOf(String line) {
        Matcher m = WORK.matcher(line);
        assertTrue(m.matches(), line);
        return m.group(2);
    }
}
