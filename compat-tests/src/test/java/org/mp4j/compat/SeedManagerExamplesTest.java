package org.mp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed articles' Manager examples (python-examples/, code verbatim), each checked for what
 * any correct implementation prints.
 */
class SeedManagerExamplesTest {
    private static final Duration LIMIT = Duration.ofSeconds(180);

    @TempDir
    Path dir;

    @Test
    void managerQueueWithoutMainGuardWorksInTheForkedChild() {
        Mp4j.Run r = Mp4j.run(Mp4j.example("py3/seed000_manager_queue.py"), LIMIT);
        // As on Linux CPython: the child gets 1, the parent 2, and the last get raises Empty.
        assertEquals(List.of("size 2", "full True", "1", "empty False", "get 2"), r.lines(), r::describe);
        assertEquals(1, r.exitCode(), r::describe);
        assertTrue(r.stderr().strip().endsWith("_queue.Empty"), r::describe);
    }

    @Test
    void managerQueueProducerAndConsumerSubclasses() {
        Pattern minus = Pattern.compile("minus data(\\d+)");
        Mp4j.Watched w = Mp4j.watch(dir, Mp4j.copyExample("py3/seed000_manager_producer_consumer.py", dir),
            out -> count(minus, out) == 6, LIMIT, Duration.ofSeconds(2));
        Mp4j.Run r = w.run();
        assertTrue(w.stillRunning(), () -> "its consumer never ends:\n" + r.describe());
        List<String> lines = r.lines();
        String children = lines.get(0);
        for (String p : List.of("SyncManager-1", "Producer-2", "Consumer-3")) {
            assertTrue(children.contains(p) && children.startsWith("[<"), "active_children(): " + r.describe());
        }
        List<String> added = all(Pattern.compile("add data(\\d+)"), r.stdout());
        assertEquals(6, added.size(), r::describe);
        assertEquals(added, all(minus, r.stdout()), "every item consumed, in order: " + r.describe());
    }

    @Test
    void python2ManagerQueueInPoolTasks() {
        Mp4j.Run r = Mp4j.run(Mp4j.example("py2/seed004_manager_queue_pool.py"), LIMIT);
        assertWriterAndReader(r);
    }

    @Test
    void python2ManagerQueueAndLockInPoolTasks() {
        Mp4j.Run r = Mp4j.run(Mp4j.example("py2/seed004_manager_lock_pool.py"), LIMIT);
        assertWriterAndReader(r);
    }

    /** All three puts; the reader gets an in-order prefix (it stops at the first empty look). */
    private static void assertWriterAndReader(Mp4j.Run r) {
        assertEquals(0, r.exitCode(), r::describe);
        String out = new String(r.stdoutBytes(), Charset.forName("GBK"));
        List<String> puts = all(Pattern.compile("Put ([ABC]) to queue\\.\\.\\."), out);
        assertEquals(List.of("A", "B", "C"), puts, r::describe);
        List<String> gets = all(Pattern.compile("Get ([ABC]) from queue\\."), out);
        assertEquals(List.of("A", "B", "C").subList(0, gets.size()), gets, r::describe);
        assertTrue(out.endsWith("\n\n所有数据都写入并且读完\n"), r::describe);
    }

    private static int count(Pattern p, String text) {
        return all(p, text).size();
    }

    private static List<String> all(Pattern p, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
