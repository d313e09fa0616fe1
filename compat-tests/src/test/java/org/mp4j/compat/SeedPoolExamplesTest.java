package org.mp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The seed articles' Pool examples (python-examples/, code verbatim), each checked for what any
 * correct implementation prints.
 */
class SeedPoolExamplesTest {
    private static final Duration LIMIT = Duration.ofSeconds(180);

    @Test
    void python2PoolRunsFiveTasksInWorkersReusedAcrossTasks() {
        Mp4j.Run r = Mp4j.run(Mp4j.example("py2/seed004_pool_apply_async.py"), LIMIT);
        assertEquals(0, r.exitCode(), r::describe);
        List<String> lines = r.lines();
        Matcher parent = Pattern.compile("Parent process (\\d+)\\.").matcher(lines.get(0));
        assertTrue(parent.matches(), r::describe);
        String parentPid = parent.group(1);
        assertTrue(lines.contains("Waiting for all subprocesses done..."), r::describe);
        assertEquals("All subprocesses done.", lines.get(lines.size() - 1), r::describe);

        Set<String> started = new HashSet<>();
        Set<String> workers = new HashSet<>();
        Set<String> finished = new HashSet<>();
        Pattern run = Pattern.compile("Run task (\\d) \\((\\d+)\\)\\.\\.\\.");
        Pattern ran = Pattern.compile("Task (\\d) runs (\\d+\\.\\d\\d) seconds\\.");
        for (String line : lines) {
            Matcher m = run.matcher(line);
            if (m.matches()) {
                assertTrue(started.add(m.group(1)), "task started twice: " + line);
                workers.add(m.group(2));
            }
            m = ran.matcher(line);
            if (m.matches()) {
                assertTrue(finished.add(m.group(1)), "task finished twice: " + line);
                double seconds = Double.parseDouble(m.group(2));
                assertTrue(seconds >= 3.0 && seconds < 4.0, line);
            }
        }
        Set<String> all = Set.of("0", "1", "2", "3", "4");
        assertEquals(all, started, r::describe);
        assertEquals(all, finished, r::describe);
        assertFalse(workers.contains(parentPid), "tasks ran in the parent:\n" + r.describe());
        // Pool() has cpu_count() workers (pool_api.py checks that), reused across the tasks. All
        // of them take tasks only if each is up within the tasks' 3 s: under load a worker JVM
        // still booting may leave every task to the others (CI saw that once), which is no error.
        int size = Math.min(5, Runtime.getRuntime().availableProcessors());
        assertTrue(workers.size() >= 1 && workers.size() <= size, r::describe);
        int rounds = (5 + size - 1) / size;
        assertTrue(r.elapsed().toMillis() >= rounds * 3000L,
            "5 tasks of 3 s on " + size + " workers need at least " + rounds * 3 + " s:\n" + r.describe());
    }

    @Test
    void python2QueueAsAPoolTaskArgumentFailsTheTaskAndTheScriptEnds() {
        Mp4j.Run r = Mp4j.run(Mp4j.example("py2/seed004_pool_queue_runtime_error.py"), LIMIT);
        assertEquals(0, r.exitCode(), r::describe);
        // Both tasks fail in the parent with the article's RuntimeError, kept in their results
        // (never get()), so neither writes nor reads: as on CPython 2.7 and 3.
        byte[] gbk = "\n所有数据都写入并且读完\n".getBytes(Charset.forName("GBK"));
        assertEquals(new String(gbk, StandardCharsets.ISO_8859_1),
            new String(r.stdoutBytes(), StandardCharsets.ISO_8859_1), r::describe);
    }
}
