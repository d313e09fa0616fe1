package org.mp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed articles' examples of Queue, JoinableQueue, Lock, Semaphore and Event
 * (python-examples/, code verbatim), each checked for what any correct implementation prints.
 * Examples that block or loop for ever by design are checked for their output and for still
 * running, then stopped.
 */
class SeedIpcExamplesTest {
    private static final Duration LIMIT = Duration.ofSeconds(180);
    private static final Duration HOLD = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private static Mp4j.Run run(String example) {
        Mp4j.Run r = Mp4j.run(Mp4j.example(example), LIMIT);
        assertEquals(0, r.exitCode(), r::describe);
        return r;
    }

    private Mp4j.Run runUnbuffered(String example) {
        Mp4j.Run r = Mp4j.runIn(dir, Mp4j.copyExample(example, dir), LIMIT, Map.of("PYTHONUNBUFFERED", "1"));
        assertEquals(0, r.exitCode(), r::describe);
        return r;
    }

    private Mp4j.Watched blocksAfter(String example, String expectedOutput) {
        Mp4j.Watched w = Mp4j.watch(dir, Mp4j.copyExample(example, dir),
            out -> out.equals(expectedOutput), LIMIT, HOLD);
        assertTrue(w.stillRunning(), () -> "expected it to block:\n" + w.run().describe());
        assertEquals(expectedOutput, w.run().stdout(), w.run()::describe);
        return w;
    }

    private static List<String[]> events(Pattern p, String text) {
        List<String[]> found = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            String[] groups = new String[m.groupCount()];
            for (int i = 0; i < groups.length; i++) {
                groups[i] = m.group(i + 1);
            }
            found.add(groups);
        }
        return found;
    }

    // --- seed 001: Lock, ticket, Semaphore -------------------------------------------------

    @Test
    void lockMakesTheWorkersRunOneAtATime() {
        Mp4j.Run r = runUnbuffered("py3/seed001_work_lock.py");
        List<String[]> ev = events(Pattern.compile("(\\d) : (\\d+) is (running|done)"), r.stdout());
        assertEquals(6, ev.size(), r::describe);
        Set<String> workers = new HashSet<>();
        for (int i = 0; i < 6; i += 2) {
            assertEquals("running", ev.get(i)[2], r::describe);
            assertEquals("done", ev.get(i + 1)[2], "another worker ran inside the lock:\n" + r.describe());
            assertEquals(ev.get(i)[0] + ev.get(i)[1], ev.get(i + 1)[0] + ev.get(i + 1)[1], r::describe);
            workers.add(ev.get(i)[0]);
        }
        assertEquals(Set.of("0", "1", "2"), workers);
    }

    @Test
    void ticketsAreNeverOversoldUnderTheLock() throws Exception {
        Files.writeString(dir.resolve("ticket"), "{\"count\":3}");
        Mp4j.Run r = Mp4j.runIn(dir, Mp4j.copyExample("py3/seed001_ticket.py", dir), LIMIT, Map.of());
        assertEquals(0, r.exitCode(), r::describe);
        int queried = events(Pattern.compile("person(\\d)查询当前余票"), r.stdout()).size();
        int bought = events(Pattern.compile("person(\\d)购票成功"), r.stdout()).size();
        int refused = events(Pattern.compile("余票不足,person(\\d)购票失败"), r.stdout()).size();
        // The article reads the file outside the lock, so a read can meet another person's write
        // half done (on CPython too): that person fails with a JSONDecodeError and stops there.
        int crashed = 5 - queried;
        assertEquals(crashed, r.stderr().split("json.decoder.JSONDecodeError:", -1).length - 1, r::describe);
        assertEquals(queried, bought + refused, "everyone who queried got to buy or was refused: " + r.describe());
        assertEquals(Math.min(3, queried), bought, "under the lock, never oversold: " + r.describe());
        assertEquals("{\"count\": " + (3 - bought) + "}", Files.readString(dir.resolve("ticket")).strip());
    }

    @Test
    void semaphoreLetsAtMostFourSingAtOnce() {
        Mp4j.Run r = runUnbuffered("py3/seed001_ktv_semaphore.py");
        List<String[]> ev = events(Pattern.compile("person (\\d) (进来唱歌了|从ktv出去了)"), r.stdout());
        assertEquals(10, ev.size(), r::describe);
        int inside = 0;
        int most = 0;
        Set<String> in = new HashSet<>();
        for (String[] e : ev) {
            if (e[1].equals("进来唱歌了")) {
                inside++;
                in.add(e[0]);
            } else {
                assertTrue(in.contains(e[0]), "left before it came in: " + r.describe());
                inside--;
            }
            most = Math.max(most, inside);
        }
        assertTrue(most <= 4, "more than 4 inside at once:\n" + r.describe());
        assertEquals(5, in.size());
    }

    // --- seed 001: Event -------------------------------------------------------------------

    @Test
    void newEventIsNotSet() {
        assertEquals(List.of("False"), run("py3/seed001_event1.py").lines());
    }

    @Test
    void waitOnAnUnsetEventBlocks() {
        blocksAfter("py3/seed001_event2.py", "False\n");
    }

    @Test
    void waitOnASetEventReturnsAtOnce() {
        assertEquals(List.of("False", "True"), run("py3/seed001_event3.py").lines());
    }

    @Test
    void waitAfterClearBlocksAgain() {
        blocksAfter("py3/seed001_event4.py", "False\nTrue\nFalse\n");
    }

    private static final Pattern TRAFFIC = Pattern.compile("(红灯亮|绿灯亮|car(\\d)正在等待|car(\\d)通过路口)");

    /** Whether some car waited and then passed, and at least two cars passed. */
    private static boolean aWaitingCarPassed(String out) {
        Set<String> waited = new HashSet<>();
        Set<String> passed = new HashSet<>();
        boolean wokenUp = false;
        for (String[] e : events(TRAFFIC, out)) {
            if (e[1] != null) {
                waited.add(e[1]);
            } else if (e[2] != null) {
                passed.add(e[2]);
                wokenUp |= waited.contains(e[2]);
            }
        }
        return wokenUp && passed.size() >= 2;
    }

    @Test
    void carsPassOnlyOnGreen() {
        // Stop once a car has waited and passed, and two have passed. Not "once car0..car2
        // passed": under load later cars can find a warm child while earlier ones still boot.
        Mp4j.Watched w = Mp4j.watch(dir, Mp4j.copyExample("py3/seed001_traffic_light.py", dir),
            SeedIpcExamplesTest::aWaitingCarPassed, LIMIT, Duration.ofSeconds(1));
        Mp4j.Run r = w.run();
        assertTrue(w.stillRunning(), () -> "the light loops for ever:\n" + r.describe());
        String out = r.stdout().replaceAll("\u001b\\[[0-9;]*m", "");
        // Output is unbuffered, so its order follows causality: the light prints before it sets
        // or clears the event. A car may print "waiting" before the light's first line (CI saw
        // it: the car's child was ready first); it cannot pass before the first green.
        int lastRed = -1;
        int lastGreen = -1;
        Map<String, Integer> redBeforeWaiting = new HashMap<>();
        List<String[]> ev = events(TRAFFIC, out);
        for (int i = 0; i < ev.size(); i++) {
            String[] e = ev.get(i);
            if (e[0].equals("红灯亮")) {
                lastRed = i;
            } else if (e[0].equals("绿灯亮")) {
                assertTrue(lastRed >= 0, "the light starts red:\n" + out);
                lastGreen = i;
            } else if (e[1] != null) {
                redBeforeWaiting.put(e[1], lastRed);
            } else {
                assertTrue(lastGreen >= 0, "car" + e[2] + " passed before any green light:\n" + out);
                // A car that waited saw the event clear (after a red line, or before the first
                // light line), so a green line after that red must come before it passes.
                Integer red = redBeforeWaiting.get(e[2]);
                assertTrue(red == null || lastGreen > red,
                    "car" + e[2] + " passed with no green light after it began to wait:\n" + out);
            }
        }
        assertTrue(aWaitingCarPassed(out), r::describe);
    }

    // --- seed 001 and 002: Queue between processes ------------------------------------------

    @Test
    void childGetsWhatTheParentPuts() {
        assertEquals(List.of("[1, 2, 3]"), run("py3/seed001_queue_ipc.py").lines());
    }

    private static final Pattern MADE = Pattern.compile("(\\d+) 生产了 包子(\\d)");
    private static final Pattern EATEN = Pattern.compile("(\\d+) 吃 包子(\\d)");

    private static void assertProducedAndEatenInOrder(Mp4j.Run r) {
        List<String[]> made = events(MADE, r.stdout());
        List<String[]> eaten = events(EATEN, r.stdout());
        assertEquals(10, made.size(), r::describe);
        assertEquals(10, eaten.size(), r::describe);
        for (int i = 0; i < 10; i++) {
            assertEquals(String.valueOf(i), made.get(i)[1], r::describe);
            assertEquals(String.valueOf(i), eaten.get(i)[1], "FIFO order: " + r.describe());
            assertEquals(made.get(0)[0], made.get(i)[0]);
            assertEquals(eaten.get(0)[0], eaten.get(i)[0]);
        }
        assertNotEquals(made.get(0)[0], eaten.get(0)[0], "producer and consumer are one process");
        assertTrue(r.lines().contains("主"), r::describe);
    }

    @Test
    void producerConsumerWithoutEndSignalNeverEnds() {
        Mp4j.Watched w = Mp4j.watch(dir, Mp4j.copyExample("py3/seed001_producer_consumer.py", dir),
            out -> out.contains("吃 包子9"), LIMIT, HOLD);
        assertTrue(w.stillRunning(), () -> "the consumer waits for ever on an empty queue:\n" + w.run().describe());
        assertProducedAndEatenInOrder(w.run());
    }

    @Test
    void producerConsumerWithEndSignalEnds() {
        assertProducedAndEatenInOrder(runUnbuffered("py3/seed001_producer_consumer_end_signal.py"));
    }

    @Test
    void putOnAFullQueueBlocks() {
        blocksAfter("py3/seed002_queue.py", "");
    }

    @Test
    void twoChildrenTalkThroughAQueue() {
        Mp4j.Run r = run("py3/seed002_queue_ipc.py");
        assertEquals(Set.of("主进程", "子进程的consumer从队列中获取数据 子进程procedure往队里中添加了数据"),
            Set.copyOf(r.lines()), r::describe);
    }

    // --- seed 003: every alternative of the full/empty behaviour ------------------------------

    @Test
    void fourthPutOnAQueueOfThreeBlocks() {
        blocksAfter("py3/seed003_queue_blocking.py", "");
    }

    @Test
    void oneGetFirstMakesRoomForTheFourthPut() {
        assertEquals(List.of("first", "{'k': 'sencond'}", "['third']", "4"),
            run("py3/seed003_queue_blocking_get_first.py").lines());
    }

    @Test
    void getOnTheEmptiedQueueBlocks() {
        blocksAfter("py3/seed003_queue_blocking_get_all.py", "first\n{'k': 'sencond'}\n['third']\n4\n");
    }

    @Test
    void timedPutOnAFullQueueRaisesFullAfterItsTimeout() {
        Mp4j.Watched w = Mp4j.watch(dir, Mp4j.copyExample("py3/seed003_queue_timeout.py", dir),
            out -> out.contains("===>"), LIMIT, Duration.ofSeconds(30));
        Mp4j.Run r = w.run();
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals("===>\n", r.stdout());
        assertTrue(r.stderr().strip().endsWith("queue.Full"), r::describe);
        assertNotNull(w.seenAt());
        long waited = r.elapsed().minus(w.seenAt()).toMillis();
        assertTrue(waited >= 2900 && waited < 10_000, "Full came after " + waited + " ms, not ~3 s");
    }

    @Test
    void nonBlockingPutsAndGetsWithinLimits() {
        assertEquals(List.of("===>", "first", "{'k': 'sencond'}", "['third']", "get over"),
            run("py3/seed003_queue_nonblocking.py").lines());
    }

    @Test
    void nonBlockingPutOnAFullQueueRaisesFullAtOnce() {
        Mp4j.Run r = Mp4j.run(Mp4j.example("py3/seed003_queue_nonblocking_put_full.py"), LIMIT);
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals(List.of("===>"), r.lines());
        assertTrue(r.stderr().strip().endsWith("queue.Full"), r::describe);
    }

    @Test
    void nonBlockingGetOnAnEmptyQueueRaisesEmptyAtOnce() {
        Mp4j.Run r = Mp4j.run(Mp4j.example("py3/seed003_queue_nonblocking_get_empty.py"), LIMIT);
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals(List.of("===>", "first", "{'k': 'sencond'}", "['third']", "get over"), r.lines());
        assertTrue(r.stderr().strip().endsWith("_queue.Empty"), r::describe);
    }

    @Test
    void nowaitVariantsWithinLimits() {
        assertEquals(List.of("first", "2", "3"), run("py3/seed003_queue_nowait.py").lines());
    }

    @Test
    void putNowaitOnAFullQueueRaisesFull() {
        Mp4j.Run r = Mp4j.run(Mp4j.example("py3/seed003_queue_nowait_put_full.py"), LIMIT);
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals(List.of(), r.lines());
        assertTrue(r.stderr().strip().endsWith("queue.Full"), r::describe);
    }

    @Test
    void getNowaitOnAnEmptyQueueRaisesEmpty() {
        Mp4j.Run r = Mp4j.run(Mp4j.example("py3/seed003_queue_nowait_get_empty.py"), LIMIT);
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals(List.of("first", "2", "3"), r.lines());
        assertTrue(r.stderr().strip().endsWith("_queue.Empty"), r::describe);
    }

    // --- seed 000: JoinableQueue --------------------------------------------------------------

    @Test
    void joinableQueueJoinWaitsUntilEveryItemIsDone() {
        // Unbuffered, as on a terminal: the consumer is a daemon, terminated at the end, and a
        // terminated process's buffered output is lost (CPython's too).
        Mp4j.Run r = runUnbuffered("py3/seed000_joinable_queue.py");
        String out = r.stdout().replaceAll("\u001b\\[[0-9;]*m", "");
        List<String[]> added = events(Pattern.compile("add data (\\d+)"), out);
        List<String[]> removed = events(Pattern.compile("minus data(\\d+)"), out);
        assertEquals(10, added.size(), r::describe);
        assertEquals(10, removed.size(), r::describe);
        for (int i = 0; i < 10; i++) {
            assertEquals(added.get(i)[0], removed.get(i)[0], "FIFO order: " + r.describe());
        }
        List<String> lines = List.of(out.strip().split("\n"));
        assertEquals("结束", lines.get(lines.size() - 1), "join() returned before every task_done(): " + r.describe());
    }

    // --- seed 004 (Python 2, Jython) ----------------------------------------------------------

    @Test
    void python2QueueWriterAndReaderOnJython() {
        Mp4j.Run r = Mp4j.run(Mp4j.example("py2/seed004_queue_write_read.py"), LIMIT);
        assertEquals(0, r.exitCode(), r::describe);
        // The script declares #coding:gbk and prints GBK bytes, as CPython 2.7 does.
        String expected = "Put A to queue...\nPut B to queue...\nPut C to queue...\n"
            + "Get A from queue.\nGet B from queue.\nGet C from queue.\n\n所有数据都写入并且读完\n";
        byte[] gbk = expected.getBytes(Charset.forName("GBK"));
        assertEquals(new String(gbk, java.nio.charset.StandardCharsets.ISO_8859_1),
            new String(r.stdoutBytes(), java.nio.charset.StandardCharsets.ISO_8859_1), r::describe);
    }

    // --- seed 001: the chat server hands every connection to a child -------------------------

    @Test
    @ResourceLock("tcp-port-9595")
    void chatServerChildrenEchoTheirClientsMessages() throws Exception {
        Path server = Mp4j.copyExample("py3/seed001_chat_server.py", dir);
        Path client = Mp4j.copyExample("py3/seed001_chat_client.py", dir);
        ProcessBuilder pb = new ProcessBuilder(Mp4j.HOME.resolve("mp4j").toString(), server.toString())
            .directory(dir.toFile()).redirectOutput(dir.resolve("server.out").toFile())
            .redirectError(dir.resolve("server.err").toFile()).redirectInput(new java.io.File("/dev/null"));
        pb.environment().put("PYTHONUNBUFFERED", "1");
        Process p = pb.start();
        try (java.net.Socket first = connect(p); java.net.Socket second = connect(p)) {
            // Two real TCP clients at once, each served by its own child, several messages each.
            for (String msg : List.of("hello", "你好", "third")) {
                assertEquals(msg + "-1_sb", exchange(first, msg + "-1"), "first client");
                assertEquals(msg + "-2_sb", exchange(second, msg + "-2"), "second client");
            }
            // The article's client script, typing two lines, then EOF on stdin ends it.
            Mp4j.Run r = Mp4j.runCommand(List.of(Mp4j.HOME.resolve("mp4j").toString(), client.toString()),
                dir, LIMIT, Map.of(), "one\ntwo\n");
            assertEquals(">>>one_sb\n>>>two_sb\n>>>", r.stdout(), r::describe);
            assertTrue(r.stderr().contains("EOFError"), r::describe);
        } finally {
            Mp4j.killTree(p.toHandle());
            p.waitFor();
        }
        List<String> printed = Files.readAllLines(dir.resolve("server.out"));
        for (String msg : List.of("hello-1", "hello-2", "你好-1", "third-2", "one", "two")) {
            assertTrue(printed.contains(msg), "the server's children print what they receive: " + printed);
        }
    }

    private static java.net.Socket connect(Process server) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            try {
                java.net.Socket s = new java.net.Socket("127.0.0.1", 9595);
                s.setSoTimeout(60_000);
                return s;
            } catch (java.io.IOException e) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static String exchange(java.net.Socket s, String msg) throws java.io.IOException {
        byte[] expected = (msg + "_sb").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        s.getOutputStream().write(msg.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        byte[] got = s.getInputStream().readNBytes(expected.length);
        return new String(got, java.nio.charset.StandardCharsets.UTF_8);
    }
}
