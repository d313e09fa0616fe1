package org.mp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every name a process tree makes in /dev/shm (queue rings, spilled items, semaphores) is gone
 * after the tree ends: at a normal exit, after a child was kill -9ed, and after the root itself
 * or the whole tree was kill -9ed (then the resource tracker, which stands outside the tree,
 * removes them).
 */
class ResourceTrackerTest {
    private static final Path SHM = Path.of("/dev/shm");

    @TempDir
    Path dir;

    /** Makes one of everything; a child uses them; a second child makes its own and is killed. */
    private static final String USE_EVERYTHING = String.join("\n",
        "import os, sys, time",
        "import multiprocessing as mp",
        "def child(q, jq, lock, ev, conn, sem):",
        "    with lock:",
        "        q.put('x' * 300000)",          // larger than half the ring: spills to its own segment
        "    jq.put(1)",
        "    conn.send('hi')",
        "    sem.release()",
        "    ev.set()",
        "def victim(ready):",
        "    mine = mp.Queue()",                   // a child's own names: its parent never sees them
        "    mine.put('y' * 300000)",
        "    ready.set()",
        "    time.sleep(120)",
        "if __name__ == '__main__':",
        "    q, jq = mp.Queue(), mp.JoinableQueue()",
        "    lock, ev, sem = mp.Lock(), mp.Event(), mp.Semaphore(0)",
        "    a, b = mp.Pipe()",
        "    p = mp.Process(target=child, args=(q, jq, lock, ev, b, sem))",
        "    p.start()",
        "    ev.wait(60)",
        "    assert len(q.get(timeout=60)) == 300000",
        "    jq.get(timeout=60); jq.task_done()",
        "    assert a.recv() == 'hi' and sem.acquire(timeout=60)",
        "    p.join()",
        "    ready = mp.Event()",
        "    v = mp.Process(target=victim, args=(ready,))",
        "    v.start()",
        "    ready.wait(60)",
        "    prefix = 'mp4j.%d.' % os.getpid()",
        "    names = [n for n in os.listdir('/dev/shm') if n.startswith(prefix) or n.startswith('sem.' + prefix)]",
        "    with open('names.txt', 'w') as f:",
        "        f.write('\\n'.join(names))",
        "    with open('root.pid', 'w') as f:",
        "        f.write(str(os.getpid()))",
        "    if sys.argv[1:] == ['hang']:",
        "        time.sleep(120)",
        "    v.kill()",
        "    v.join()",
        "    print('done %d' % v.exitcode)",
        "");

    @ParameterizedTest
    @ValueSource(strings = {"graalpy", "jython"})
    void namesAreRemovedAtANormalExitAlsoThoseOfAKilledChild(String engine) throws Exception {
        Path script = write();
        Mp4j.Run run = Mp4j.runCommand(List.of(Mp4j.HOME.resolve("mp4j").toString(), "--engine", engine,
            script.toString()), dir, Duration.ofSeconds(180), Map.of(), null);
        assertEquals(0, run.exitCode(), run::describe);
        assertEquals("done -9", run.stdout().strip(), run::describe);
        long root = Long.parseLong(Files.readString(dir.resolve("root.pid")).strip());
        assertMadeSemaphoresAndSegments();
        assertEquals(List.of(), namesOf(root), "left in /dev/shm after a normal exit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"graalpy", "jython"})
    void namesAreRemovedWhenTheRootIsKilledWithSigkill(String engine) throws Exception {
        assertNamesRemovedAfter(engine, root -> root.toHandle().destroyForcibly(), "the root's kill -9");
    }

    /**
     * A pool refill exercises queues, pipes and locks before it reports ready (its workout):
     * what it made there is gone by the time a job runs in it. The third child is a refill
     * that had time for it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"graalpy", "jython"})
    void aPooledChildLeavesNoNamesOfItsOwnBeforeItsJob(String engine) throws Exception {
        Path script = dir.resolve("own_names.py");
        Files.writeString(script, String.join("\n",
            "import os, time",
            "import multiprocessing as mp",
            "def own_names(q):",
            "    mine = '.%d.' % os.getpid()",
            "    q.put(sorted(n for n in os.listdir('/dev/shm') if mine in n))",
            "if __name__ == '__main__':",
            "    q = mp.Queue()",
            "    for i in range(3):",
            "        p = mp.Process(target=own_names, args=(q,))",
            "        p.start()",
            "        print(q.get(timeout=120))",
            "        p.join()",
            "        if i == 1:",
            "            time.sleep(10)",
            ""), StandardCharsets.UTF_8);
        Mp4j.Run run = Mp4j.runCommand(List.of(Mp4j.HOME.resolve("mp4j").toString(), "--engine", engine,
            script.toString()), dir, Duration.ofSeconds(180), Map.of(), null);
        assertEquals(0, run.exitCode(), run::describe);
        assertEquals("[]\n[]\n[]", run.stdout().strip(), run::describe);
        assertEquals("", run.stderr().strip(), run::describe);
    }

    /** resource_tracker's register and unregister (and SharedMemory's track=False) as in CPython. */
    private static final String REGISTER_AND_UNREGISTER = String.join("\n",
        "import os, sys, time",
        "from multiprocessing import shared_memory, resource_tracker",
        "def block(**kw):",
        "    return shared_memory.SharedMemory(create=True, size=16, **kw)",
        "kept, untracked, gone, readded = block(), block(track=False), block(), block()",
        "resource_tracker.unregister(kept._name, 'shared_memory')",
        "resource_tracker.unregister(readded._name, 'shared_memory')",
        "resource_tracker.register(readded._name, 'shared_memory')",     // the last word counts
        "named = shared_memory.SharedMemory('mp4jtest_%d' % os.getpid(), create=True, size=16)",
        "resource_tracker.register(named.name, 'shared_memory')",
        "try:",
        "    resource_tracker.register(named.name, 'no_such_type')",
        "except ValueError as e:",
        "    print('ValueError')",
        "with open('names.txt', 'w') as f:",
        "    f.write(' '.join(b.name for b in (kept, untracked, gone, readded, named)))",
        "with open('root.pid', 'w') as f:",
        "    f.write(str(os.getpid()))",
        "if sys.argv[1:] == ['hang']:",
        "    time.sleep(120)",
        "");

    @ParameterizedTest
    @ValueSource(strings = {"exit", "kill -9"})
    void registeredNamesGoAndUnregisteredOnesStayWhenTheTreeEnds(String end) throws Exception {
        Path script = dir.resolve("register.py");
        Files.writeString(script, REGISTER_AND_UNREGISTER, StandardCharsets.UTF_8);
        List<String> cmd = new java.util.ArrayList<>(List.of(Mp4j.HOME.resolve("mp4j").toString(), script.toString()));
        if (end.equals("exit")) {
            Mp4j.Run run = Mp4j.runCommand(cmd, dir, Duration.ofSeconds(180), Map.of(), null);
            assertEquals(0, run.exitCode(), run::describe);
            assertEquals("ValueError", run.stdout().strip(), run::describe);
        } else {
            Process root = startHanging(cmd);
            try {
                root.toHandle().destroyForcibly();
                root.waitFor(10, TimeUnit.SECONDS);
            } finally {
                Mp4j.killTree(root.toHandle());
            }
        }
        String[] names = Files.readString(dir.resolve("names.txt")).strip().split(" ");
        long rootPid = Long.parseLong(Files.readString(dir.resolve("root.pid")).strip());
        Path ledger = SHM.resolve("mp4j-ledger." + rootPid);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (Files.exists(ledger) && System.nanoTime() < deadline) {
                Thread.sleep(50);                // after a kill the watcher needs up to 0.2 s to notice
            }
            assertTrue(Files.exists(SHM.resolve(names[0])), "an unregistered block was removed");
            assertTrue(Files.exists(SHM.resolve(names[1])), "a track=False block was removed");
            assertTrue(!Files.exists(SHM.resolve(names[2])), "a tracked block was left");
            assertTrue(!Files.exists(SHM.resolve(names[3])), "a block registered again was left");
            assertTrue(!Files.exists(SHM.resolve(names[4])), "a registered block of the user's name was left");
            assertTrue(!Files.exists(ledger), "the ledger was left");
        } finally {
            for (String n : names) {
                Files.deleteIfExists(SHM.resolve(n));
            }
        }
    }

    /**
     * As CPython's resource tracker: a SharedMemory block made by any process of the tree and
     * never unlinked (with a name of the script's or without) is removed when the tree ends,
     * and stderr says how many there were; an unlinked one is not counted.
     */
    @Test
    void blocksNobodyUnlinkedAreRemovedAtExitWithCPythonsWarning() throws Exception {
        Path script = dir.resolve("leak.py");
        Files.writeString(script, String.join("\n",
            "import os",
            "import multiprocessing as mp",
            "from multiprocessing import shared_memory",
            "def make(name):",
            "    shared_memory.SharedMemory(name, create=True, size=16).close()",
            "if __name__ == '__main__':",
            "    named = 'mp4jtest_leak_%d' % os.getpid()",
            "    p = mp.Process(target=make, args=(named,))",
            "    p.start()",
            "    p.join()",
            "    unnamed = shared_memory.SharedMemory(create=True, size=16)",
            "    tidy = shared_memory.SharedMemory('mp4jtest_tidy_%d' % os.getpid(), create=True, size=16)",
            "    tidy.close()",
            "    tidy.unlink()",
            "    with open('names.txt', 'w') as f:",
            "        f.write(' '.join([named, unnamed.name]))",
            "    unnamed.close()",
            ""), StandardCharsets.UTF_8);
        Mp4j.Run run = Mp4j.runCommand(List.of(Mp4j.HOME.resolve("mp4j").toString(), script.toString()),
            dir, Duration.ofSeconds(180), Map.of(), null);
        String[] names = Files.readString(dir.resolve("names.txt")).strip().split(" ");
        try {
            assertEquals(0, run.exitCode(), run::describe);
            assertEquals("mp4j: UserWarning: resource_tracker: There appear to be 2 leaked shared_memory objects"
                + " to clean up at shutdown", run.stderr().strip(), run::describe);
            for (String n : names) {
                assertTrue(!Files.exists(SHM.resolve(n)), () -> "a block nobody unlinked was left: " + n);
            }
        } finally {
            for (String n : names) {
                Files.deleteIfExists(SHM.resolve(n));
            }
        }
    }

    /** Every process the root started, the tracker's too if it were among them, killed at once. */
    @Test
    void namesAreRemovedWhenTheWholeTreeIsKilledWithSigkill() throws Exception {
        assertNamesRemovedAfter("graalpy", root -> Mp4j.killTree(root.toHandle()), "a kill -9 of the whole tree");
    }

    private void assertNamesRemovedAfter(String engine, Consumer<Process> kill, String what) throws Exception {
        Path script = write();
        Process root = startHanging(new java.util.ArrayList<>(List.of(Mp4j.HOME.resolve("mp4j").toString(),
            "--engine", engine, script.toString())));
        try {
            long rootPid = Long.parseLong(Files.readString(dir.resolve("root.pid")).strip());
            assertMadeSemaphoresAndSegments();
            assertTrue(!namesOf(rootPid).isEmpty(), "the names exist while the tree runs");
            kill.accept(root);
            long killed = System.nanoTime();
            while (!namesOf(rootPid).isEmpty() && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(5)) {
                Thread.sleep(50);
            }
            assertEquals(List.of(), namesOf(rootPid), "left in /dev/shm 5 s after " + what);
        } finally {
            Mp4j.killTree(root.toHandle());
        }
    }

    /** Starts cmd with the argument "hang" and returns once the script has written root.pid. */
    private Process startHanging(List<String> cmd) throws Exception {
        cmd.add("hang");
        Process root = new ProcessBuilder(cmd).directory(dir.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("err.txt").toFile()).start();
        Path pidFile = dir.resolve("root.pid");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(pidFile) && root.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (!Files.exists(pidFile)) {
            Mp4j.killTree(root.toHandle());
        }
        assertTrue(Files.exists(pidFile), () -> "the script did not get going: " + read(dir.resolve("err.txt")));
        Thread.sleep(200);                   // the file is complete once it exists; be safe anyway
        return root;
    }

    private Path write() throws IOException {
        Path script = dir.resolve("use_everything.py");
        Files.writeString(script, USE_EVERYTHING, StandardCharsets.UTF_8);
        return script;
    }

    /** What the script saw while it ran: the test must not pass because nothing was ever made. */
    private void assertMadeSemaphoresAndSegments() throws IOException {
        List<String> seen = List.of(Files.readString(dir.resolve("names.txt")).split("\n"));
        assertTrue(seen.stream().anyMatch(n -> n.startsWith("sem.")), "semaphores: " + seen);
        assertTrue(seen.stream().anyMatch(n -> n.startsWith("mp4j.")), "segments: " + seen);
    }

    private static List<String> namesOf(long rootPid) throws IOException {
        String prefix = "mp4j." + rootPid + ".";
        try (Stream<Path> files = Files.list(SHM)) {
            return files.map(f -> f.getFileName().toString())
                .filter(n -> n.startsWith(prefix) || n.startsWith("sem." + prefix)).sorted().toList();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
