package org.mp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** What ./mp4j does for any script, as CPython's `python3 SCRIPT` does it. */
class LauncherTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private Path script(String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return p;
    }

    private Mp4j.Run mp4j(Path script, String stdin, Map<String, String> env, String... args) {
        return mp4j(LIMIT, script, stdin, env, args);
    }

    private Mp4j.Run mp4j(Duration limit, Path script, String stdin, Map<String, String> env, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(Mp4j.HOME.resolve("mp4j").toString()));
        cmd.addAll(List.of(args));
        cmd.add(script.toString());
        return Mp4j.runCommand(cmd, dir, limit, env, stdin);
    }

    @ParameterizedTest
    @ValueSource(strings = {"graalpy", "jython"})
    void mp4jsMultiprocessingShadowsTheEnginesOwn(String engine) throws IOException {
        Path p = script("which.py",
            "import multiprocessing, sys",
            "print(multiprocessing.__mp4j__)",
            "print(multiprocessing.__file__)");
        Mp4j.Run r = mp4j(p, null, Map.of(), "--engine", engine);
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("True", r.lines().get(0));
        assertTrue(r.lines().get(1).contains("mp4j"), r::describe);
    }

    @Test
    void argvStdinAndExitStatusReachTheScript() throws IOException {
        Path p = script("io.py",
            "import sys",
            "name = input('name? ')",
            "print('hello', name, sys.argv[1:])",
            "sys.exit(7)");
        List<String> cmd = List.of(Mp4j.HOME.resolve("mp4j").toString(), p.toString(), "a", "b c");
        Mp4j.Run r = Mp4j.runCommand(cmd, dir, LIMIT, Map.of(), "joker\n");
        assertEquals(7, r.exitCode(), r::describe);
        assertEquals("name? hello joker ['a', 'b c']", r.stdout().strip());
    }

    @Test
    void python2SyntaxSelectsJythonAndEngineCanBeForced() throws IOException {
        Path py2 = script("two.py", "import sys", "print 'major', sys.version_info[0]");
        assertEquals("major 2", mp4j(py2, null, Map.of()).stdout().strip());
        Path both = script("both.py", "import sys", "print(sys.version_info[0])");
        assertEquals("3", mp4j(both, null, Map.of()).stdout().strip());
        assertEquals("2", mp4j(both, null, Map.of(), "--engine", "jython").stdout().strip());
    }

    @Test
    void uncaughtExceptionPrintsTheTracebackAndExitsWithOne() throws IOException {
        Path p = script("boom.py", "def f():", "    raise ValueError('boom')", "f()");
        Mp4j.Run r = mp4j(p, null, Map.of());
        assertEquals(1, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("Traceback (most recent call last):"), r::describe);
        assertTrue(r.stderr().contains("ValueError: boom"), r::describe);
        assertTrue(r.stderr().contains("line 2, in f"), r::describe);
        assertFalse(r.stderr().contains("_mp4j_main"), "mp4j's own frames show: " + r.describe());
    }

    @ParameterizedTest
    @ValueSource(strings = {"graalpy", "jython"})
    void aSyntaxErrorOfTheScriptIsPrintedWithoutATracebackAsCPythonPrintsIt(String engine) throws IOException {
        Path p = script("syntax.py", "x = 1", "y = (x,", "print(y)");
        Mp4j.Run r = mp4j(p, null, Map.of(), "--engine", engine);
        assertEquals(1, r.exitCode(), r::describe);
        assertTrue(r.stderr().startsWith("  File \"" + p.getFileName()) || r.stderr().contains("  File \"" + p),
            r::describe);
        assertTrue(r.stderr().contains("SyntaxError: "), r::describe);
        assertFalse(r.stderr().contains("Traceback"), r::describe);
    }

    @ParameterizedTest
    @ValueSource(strings = {"graalpy", "jython"})
    void exceptionInAChildPrintsProcessNameAndTracebackAndGivesExitcodeOne(String engine) throws IOException {
        Path p = script("child_boom.py",
            "from multiprocessing import Process",
            "def f():",
            "    raise ZeroDivisionError('child failed')",
            "if __name__ == '__main__':",
            "    p = Process(target=f)",
            "    p.start()",
            "    p.join()",
            "    print('exitcode %s' % p.exitcode)");
        Mp4j.Run r = mp4j(p, null, Map.of(), "--engine", engine);
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("exitcode 1", r.stdout().strip());
        assertTrue(r.stderr().contains("Process Process-1:\nTraceback (most recent call last):"), r::describe);
        assertTrue(r.stderr().contains("ZeroDivisionError: child failed"), r::describe);
    }

    @ParameterizedTest
    @ValueSource(strings = {"graalpy", "jython"})
    void aScriptNamedRelativelyStartsChildrenAfterItChangedDirectory(String engine) throws IOException {
        // The child rebuilt __main__ from the script's path taken in the new directory
        // (FileNotFoundError there, and the parent waited for ever). Python 3 also makes
        // __file__ absolute, as CPython 3.9+ does; Python 2 keeps it as given.
        Files.createDirectory(dir.resolve("elsewhere"));
        script("relative.py",
            "from __future__ import print_function",
            "import os, sys",
            "from multiprocessing import Process, Queue",
            "def f(q):",
            "    q.put(os.path.basename(os.getcwd()))",
            "if __name__ == '__main__':",
            "    print(__file__ == (os.path.abspath('relative.py') if sys.version_info[0] >= 3 else 'relative.py'))",
            "    os.chdir('elsewhere')",
            "    q = Queue()",
            "    p = Process(target=f, args=(q,))",
            "    p.start()",
            "    print(q.get(timeout=100))",
            "    p.join()",
            "    print(p.exitcode)");
        Mp4j.Run r = Mp4j.runCommand(List.of(Mp4j.HOME.resolve("mp4j").toString(), "--engine", engine, "relative.py"),
            dir, LIMIT, Map.of(), null);
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals("True\nelsewhere\n0", r.stdout().strip(), r::describe);
    }

    @Test
    void logToStderrReachesChildrenOfEveryStartMethodWithItsLevel() throws IOException {
        Path p = script("logs.py",
            "import logging, multiprocessing as mp",
            "def f(x):",
            "    mp.get_logger().info('inside %s', x)",
            "if __name__ == '__main__':",
            "    logger = mp.log_to_stderr(logging.INFO)",
            "    for method in ('fork', 'spawn'):",
            "        p = mp.get_context(method).Process(target=f, args=(method,), name='P-' + method)",
            "        p.start()",
            "        p.join()",
            "    logger.setLevel(logging.WARNING)",
            "    p = mp.Process(target=f, args=('quiet',))",
            "    p.start()",
            "    p.join()",
            "    logger.setLevel(logging.INFO)");
        // Three children, one a fresh JVM (spawn): beside CI's other scripts on 2 cores this
        // took over 120 s once (four copies at once on a quiet machine: 50-58 s each).
        Mp4j.Run r = mp4j(Duration.ofSeconds(360), p, null, Map.of());
        assertEquals(0, r.exitCode(), r::describe);
        List<String> expected = new java.util.ArrayList<>();
        for (String method : List.of("fork", "spawn")) {
            String who = "[INFO/P-" + method + "] ";
            expected.addAll(List.of(who + "child process calling self.run()", who + "inside " + method,
                who + "process shutting down", who + "process exiting with exitcode 0"));
        }
        expected.add("[INFO/MainProcess] process shutting down");
        List<String> logged = r.stderr().lines().filter(l -> l.startsWith("[")).toList();
        assertEquals(expected, logged, r::describe);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-u", "PYTHONUNBUFFERED", "buffered"})
    void stdoutIsBufferedAsCPythonsUnlessUnbufferedIsAsked(String variant) throws Exception {
        // The script prints, then waits for a file the test creates only after looking at stdout.
        Path flag = dir.resolve("flag");
        Path p = script("unbuffered.py",
            "import os, time",
            "print('first')",
            "open(" + pyString(dir.resolve("started")) + ", 'w').close()",
            "t0 = time.time()",
            "while not os.path.exists(" + pyString(flag) + ") and time.time() - t0 < 60:",
            "    time.sleep(0.05)",
            "print('second', os.path.exists(" + pyString(flag) + "))");
        List<String> cmd = new java.util.ArrayList<>(List.of(Mp4j.HOME.resolve("mp4j").toString()));
        if (variant.equals("-u")) {
            cmd.add("-u");
        }
        cmd.add(p.toString());
        Path out = dir.resolve("out.txt");
        Path started = dir.resolve("started");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("PYTHONUNBUFFERED");
        if (variant.equals("PYTHONUNBUFFERED")) {
            pb.environment().put("PYTHONUNBUFFERED", "1");
        }
        Process proc = pb.start();
        try {
            boolean unbuffered = !variant.equals("buffered");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!Files.exists(started) && System.nanoTime() < deadline && proc.isAlive()) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(started), "the script did not start");
            // print() has returned: an unbuffered line is in the file now, a buffered one is not.
            Thread.sleep(300);
            assertEquals(unbuffered, Files.readString(out).contains("first"),
                unbuffered ? "the first line did not arrive while the script ran"
                           : "stdout to a file must be block-buffered, as CPython's");
            assertTrue(proc.isAlive(), "the script ended early");
            Files.writeString(flag, "x");
            assertTrue(proc.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals("first\nsecond True", Files.readString(out).strip());
        } finally {
            Mp4j.killTree(proc.toHandle());
        }
    }

    @Test
    void pythonIoEncodingIsHonoured() throws IOException {
        Path p = script("enc.py", "print('\\u4e3b')");
        Mp4j.Run ascii = mp4j(p, null, Map.of("PYTHONIOENCODING", "ascii:backslashreplace"));
        assertEquals("\\u4e3b", ascii.stdout().strip(), ascii::describe);
        Mp4j.Run utf8 = mp4j(p, null, Map.of("PYTHONIOENCODING", "utf-8"));
        assertEquals("\u4e3b", utf8.stdout().strip(), utf8::describe);
    }

    @Test
    void jitModeReachesTheChildrenAndRunsTheirWork() throws IOException {
        Path p = script("jit.py",
            "from multiprocessing import Process, Queue",
            "def jit_on():",
            "    return 'EnableJVMCI' in open('/proc/self/cmdline').read()",
            "def child(q):",
            "    q.put((jit_on(), sum(i * i for i in range(100000))))",
            "if __name__ == '__main__':",
            "    q = Queue()",
            "    p = Process(target=child, args=(q,))",
            "    p.start()",
            "    print(jit_on(), q.get(timeout=240))",
            "    p.join()",
            "    print(p.exitcode)");
        // JIT JVMs boot slowest of all: with three test classes at once this took 98 s in one
        // clean-clone CI run and more than 120 s in another (24 s alone); it checks the mode, not speed.
        Mp4j.Run r = mp4j(Duration.ofSeconds(300), p, null, Map.of("MP4J_JIT", "1"));
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals(List.of("True (True, 333328333350000)", "0"), r.lines(), r::describe);
        assertEquals("", r.stderr(), "no AOT or module warnings: " + r.describe());
    }

    @Test
    void ctrlCRaisesKeyboardInterruptInRootAndChildrenAndSparesIgnoringWorkersAndTheManager() throws Exception {
        Path p = script("ctrl_c.py",
            "import multiprocessing as mp",
            "import signal, sys, time",
            "def square(x):",
            "    time.sleep(1)",
            "    return x * x",
            "def sleeper(ready):",
            "    ready.set()",
            "    try:",
            "        time.sleep(60)",
            "    except KeyboardInterrupt:",
            "        print('child: KeyboardInterrupt')",
            "        sys.stdout.flush()",
            "if __name__ == '__main__':",
            "    manager = mp.Manager()",
            "    shared = manager.dict()",
            "    default = signal.signal(signal.SIGINT, signal.SIG_IGN)",
            "    pool = mp.Pool(2)               # its workers ignore Ctrl-C, as under CPython",
            "    signal.signal(signal.SIGINT, default)",
            "    ready = mp.Event()",
            "    p = mp.Process(target=sleeper, args=(ready,))",
            "    p.start()",
            "    ready.wait()",
            "    result = pool.map_async(square, range(6))",
            "    try:",
            "        print('started')     # the Ctrl-C may come as soon as this is out",
            "        sys.stdout.flush()",
            "        p.join()",
            "        time.sleep(60)       # the root's KeyboardInterrupt may come after the child's end",
            "    except KeyboardInterrupt:",
            "        print('root: KeyboardInterrupt')",
            "    p.join()",
            "    print('child exitcode %s' % p.exitcode)",
            "    print('pool %s' % result.get(60))",
            "    shared['ok'] = 1",
            "    print('manager %s' % shared['ok'])",
            "    sys.stdout.flush()",
            "    raise KeyboardInterrupt");
        Interrupted r = interruptOnceStarted(p);
        // CPython 3.11 prints the same and dies by SIGINT (a shell's 130).
        assertEquals(130, r.run().exitCode(), r.run()::describe);
        List<String> lines = r.run().lines();
        assertEquals(6, lines.size(), r.run()::describe);
        assertEquals("started", lines.get(0), r.run()::describe);
        assertEquals(java.util.Set.of("child: KeyboardInterrupt", "root: KeyboardInterrupt"),
            java.util.Set.copyOf(lines.subList(1, 3)), r.run()::describe);     // either comes first
        assertEquals(List.of("child exitcode 0", "pool [0, 1, 4, 9, 16, 25]", "manager 1"), lines.subList(3, 6),
            r.run()::describe);
        assertTrue(r.run().stderr().strip().endsWith("KeyboardInterrupt"), r.run()::describe);
        assertEquals(List.of(), r.survivors(), "processes of the tree still alive");
    }

    @Test
    void ctrlCInterruptsARootWaitingForImapResults() throws Exception {
        // The common clean-up pattern, with workers that ignore Ctrl-C and tasks that take long:
        // next() must give up its wait for a result on Ctrl-C.
        Path p = script("ctrl_c_imap.py",
            "import multiprocessing as mp",
            "import signal, sys, time",
            "def ignore_ctrl_c():",
            "    signal.signal(signal.SIGINT, signal.SIG_IGN)",
            "def slow(x):",
            "    if x >= 2:",
            "        time.sleep(600)",
            "    return x",
            "if __name__ == '__main__':",
            "    pool = mp.Pool(2, ignore_ctrl_c)",
            "    try:",
            "        for r in pool.imap(slow, range(10)):",
            "            if r == 1:",
            "                print('started')",
            "                sys.stdout.flush()",
            "        print('all done')",
            "    except KeyboardInterrupt:",
            "        print('root: KeyboardInterrupt')",
            "        pool.terminate()",
            "        pool.join()",
            "    print('end')");
        Interrupted r = interruptOnce(p, "started");
        assertEquals(0, r.run().exitCode(), r.run()::describe);
        assertEquals(List.of("started", "root: KeyboardInterrupt", "end"), r.run().lines(), r.run()::describe);
        assertEquals(List.of(), r.survivors(), "processes of the tree still alive");
    }

    @Test
    void ctrlCInterruptsAChildThatStillBoots() throws Exception {
        // Under spawn the child runs the script's top level first; CPython's child has its
        // handler from its start, so a Ctrl-C there ends it with a traceback, exit code -2.
        Path p = script("ctrl_c_boot.py",
            "import multiprocessing as mp",
            "import sys, time",
            "def work():",
            "    print('child: target ran')",
            "if __name__ == '__mp_main__':",
            "    print('booting')",
            "    sys.stdout.flush()",
            "    time.sleep(60)",
            "    print('child: slept')",
            "if __name__ == '__main__':",
            "    mp.set_start_method('spawn')",
            "    p = mp.Process(target=work)",
            "    p.start()",
            "    try:",
            "        p.join()",
            "        time.sleep(60)       # the root's KeyboardInterrupt may come after the child's end",
            "    except KeyboardInterrupt:",
            "        print('root: KeyboardInterrupt')",
            "    p.join()",
            "    print('child exitcode %s' % p.exitcode)");
        Interrupted r = interruptOnce(p, "booting");
        assertEquals(0, r.run().exitCode(), r.run()::describe);
        assertEquals(List.of("booting", "root: KeyboardInterrupt", "child exitcode -2"), r.run().lines(),
            r.run()::describe);
        assertTrue(r.run().stderr().contains("time.sleep(60)"), r.run()::describe);
        assertTrue(r.run().stderr().strip().endsWith("KeyboardInterrupt"), r.run()::describe);
        assertEquals(List.of(), r.survivors(), "processes of the tree still alive");
    }

    @Test
    void ctrlCReachesEveryChildAlsoOnesTakenFromThePoolWhileTheyBoot() throws Exception {
        // Three starts at once: the pool's second child, and the refills after it, are taken
        // while they boot. Each child ends by the Ctrl-C: in its target (caught, exit code 0),
        // in _bootstrap before the target (CPython's "Process ..." traceback, 1) or, still
        // booting, before _bootstrap (a traceback, -2); none sleeps its 600 s on.
        Path p = script("ctrl_c_pooled.py",
            "import multiprocessing as mp",
            "import sys, time",
            "def work(i):",
            "    try:",
            "        time.sleep(600)",
            "        print('child %d: slept on' % i)",
            "    except KeyboardInterrupt:",
            "        pass",
            "if __name__ == '__main__':",
            "    ps = [mp.Process(target=work, args=(i,)) for i in range(3)]",
            "    for q in ps:",
            "        q.start()",
            "    try:",
            "        print('started')",
            "        sys.stdout.flush()",
            "        for q in ps:",
            "            q.join()",
            "        time.sleep(60)       # the root's KeyboardInterrupt may come after the children's end",
            "    except KeyboardInterrupt:",
            "        print('root: KeyboardInterrupt')",
            "    for q in ps:",
            "        q.join()",
            "    print('ended by Ctrl-C: %s' % all(q.exitcode in (0, 1, -2) for q in ps))");
        Interrupted r = interruptOnceStarted(p);
        assertEquals(0, r.run().exitCode(), r.run()::describe);
        assertEquals(List.of("started", "root: KeyboardInterrupt", "ended by Ctrl-C: True"), r.run().lines(),
            r.run()::describe);
        assertEquals(List.of(), r.survivors(), "processes of the tree still alive");
    }

    @Test
    void ctrlCEndsAJythonTreeAsItEndsAJvm() throws Exception {
        Path p = script("ctrl_c_py2.py",
            "import multiprocessing as mp",
            "import sys, time",
            "def sleeper():",
            "    time.sleep(60)",
            "if __name__ == '__main__':",
            "    p = mp.Process(target=sleeper)",
            "    p.start()",
            "    print 'started'",
            "    sys.stdout.flush()",
            "    p.join()",
            "    print 'joined'");
        Interrupted r = interruptOnceStarted(p);
        assertEquals(130, r.run().exitCode(), r.run()::describe);
        assertEquals(List.of("started"), r.run().lines(), r.run()::describe);
        assertEquals(List.of(), r.survivors(), "processes of the tree still alive");
    }

    /** A run ended by SIGINT to its process group, and the processes of its tree alive 5 s after. */
    private record Interrupted(Mp4j.Run run, List<Long> survivors) {
    }

    private Interrupted interruptOnceStarted(Path script) throws Exception {
        return interruptOnce(script, "started");
    }

    /**
     * Runs the script as a terminal's foreground job would run it (its own process group, SIGINT
     * at its default even where the test runner ignores it), and once it printed {@code marker}
     * sends SIGINT to the whole group, as Ctrl-C does.
     */
    private Interrupted interruptOnce(Path script, String marker) throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder("python3", "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.setsid(); "
                    + "os.execv(sys.argv[1], sys.argv[1:])",
                Mp4j.HOME.resolve("mp4j").toString(), script.toString())
            .directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile())
            .redirectInput(new java.io.File("/dev/null"));
        Process p = Mp4j.withoutCallersStreamSettings(pb).start();
        long t0 = System.nanoTime();
        long deadline = t0 + Duration.ofSeconds(240).toNanos();
        while (p.isAlive() && System.nanoTime() < deadline && !Files.readString(out).contains(marker)) {
            Thread.sleep(100);
        }
        List<ProcessHandle> tree = p.toHandle().descendants().toList();
        new ProcessBuilder("kill", "-INT", "--", "-" + p.pid()).inheritIO().start().waitFor();
        // generous: with other test classes at once, one CI run took 166 s to print "started"
        boolean ended = p.waitFor(150, java.util.concurrent.TimeUnit.SECONDS);
        String stacks = "";
        if (!ended) {
            stacks = Mp4j.mainThreads(p.toHandle());
            Mp4j.killTree(p.toHandle());
            p.waitFor();
        }
        Thread.sleep(5000);
        List<Long> survivors = tree.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
        tree.forEach(ProcessHandle::destroyForcibly);
        Mp4j.Run run = new Mp4j.Run(ended ? p.exitValue() : Mp4j.TIMED_OUT, Files.readAllBytes(out),
            Files.readString(err) + stacks, Duration.ofNanos(System.nanoTime() - t0));
        return new Interrupted(run, survivors);
    }

    @Test
    void missingScriptFailsLikeCPython() {
        Mp4j.Run r = mp4j(dir.resolve("nope.py"), null, Map.of());
        assertEquals(2, r.exitCode(), r::describe);
        assertTrue(r.stderr().contains("can't open file"), r::describe);
    }

    private static String pyString(Path p) {
        return "'" + p.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
