package org.mp4j.compat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a script through the real {@code ./mp4j} launcher, as a user does, and captures it. */
final class Mp4j {
    static final Path HOME = Path.of(System.getProperty("mp4j.home", "..")).toAbsolutePath().normalize();

    static {
        buildRuntime();
    }

    private Mp4j() {
    }

    /**
     * Brings the runtime jar and its AOT cache up to date once, before any test launches
     * {@code ./mp4j} (every launch site reads {@link #HOME}, so this class is initialised first).
     * Maven's own build of the runtime may have rewritten the jar after {@code ./run-tests} had
     * recorded the cache (on a fresh clone the runtime's tests leave Jython's compiled modules in
     * target/classes); the launch that recorded it again would print that on a test's stderr.
     */
    private static void buildRuntime() {
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                "export MP4J_HOME=\"$PWD\"; . bin/jdk.sh && . bin/build.sh && mp4j_build")
                .directory(HOME.toFile()).redirectErrorStream(true).redirectInput(new File("/dev/null"));
            Process build = pb.start();
            String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (build.waitFor() != 0) {
                throw new IllegalStateException("building the mp4j runtime failed:\n" + output);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What one run printed and how it ended. */
    record Run(int exitCode, byte[] stdoutBytes, String stderr, Duration elapsed) {
        /** Stdout as UTF-8 (bytes that are not UTF-8 become U+FFFD). */
        String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }

        List<String> lines() {
            String out = stdout();
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        String describe() {
            return "exit " + exitCode + " after " + elapsed.toMillis() + " ms\n--- stdout ---\n" + stdout()
                + "\n--- stderr ---\n" + stderr;
        }
    }

    static Path example(String relative) {
        return HOME.resolve("python-examples").resolve(relative);
    }

    static Path conformance(String name) {
        return HOME.resolve("compat-tests/src/test/python").resolve(name);
    }

    static Run run(Path script, Duration timeout, String... launcherArgs) {
        return run(script, timeout, Map.of(), launcherArgs);
    }

    /** Runs {@code ./mp4j [launcherArgs] script} in the script's folder; kills the tree on time-out. */
    static Run run(Path script, Duration timeout, Map<String, String> env, String... launcherArgs) {
        return runIn(script.getParent(), script, timeout, env, launcherArgs);
    }

    static Run runIn(Path workDir, Path script, Duration timeout, Map<String, String> env, String... launcherArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(HOME.resolve("mp4j").toString());
        cmd.addAll(List.of(launcherArgs));
        cmd.add(script.toString());
        return runCommand(cmd, workDir, timeout, env, null);
    }

    /**
     * Only what a test asks for decides how a script's output is buffered and encoded, not the
     * developer's or CI's own setting: with CI's PYTHONUNBUFFERED=1 a print() goes out in two
     * writes, and another process's line can land between a line and its newline.
     */
    static ProcessBuilder withoutCallersStreamSettings(ProcessBuilder pb) {
        pb.environment().remove("PYTHONUNBUFFERED");
        pb.environment().remove("PYTHONIOENCODING");
        return pb;
    }

    static Run runCommand(List<String> cmd, Path dir, Duration timeout, Map<String, String> env, String stdin) {
        try {
            File out = File.createTempFile("mp4j-out", ".txt");
            File err = File.createTempFile("mp4j-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(out).redirectError(err);
            withoutCallersStreamSettings(pb);
            pb.environment().putAll(env);
            if (stdin == null) {
                pb.redirectInput(new File("/dev/null"));
            }
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
            }
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            int code;
            String stacks = "";
            if (!done) {
                stacks = mainThreads(p.toHandle());
                killTree(p.toHandle());
                p.waitFor();
                code = Integer.MIN_VALUE;
            } else {
                code = p.exitValue();
            }
            byte[] o = Files.readAllBytes(out.toPath());
            String e = new String(Files.readAllBytes(err.toPath()), StandardCharsets.UTF_8) + stacks;
            out.delete();
            err.delete();
            return new Run(code, o, e, elapsed);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The main thread's stack in every JVM of a tree that did not end in time (the JDK's
     * {@code jcmd Thread.print}), so that a hang in CI tells where each process waited.
     */
    static String mainThreads(ProcessHandle root) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        StringBuilder stacks = new StringBuilder();
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        root.descendants().forEach(tree::add);
        for (ProcessHandle h : tree) {
            if (!h.info().command().map(c -> c.endsWith("/java")).orElse(false)) {
                continue;
            }
            try {
                Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(h.pid()), "Thread.print")
                    .redirectErrorStream(true).start();
                String text = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                dump.waitFor(30, TimeUnit.SECONDS);
                stacks.append("\n--- main thread of ").append(h.pid()).append(" (parent ")
                    .append(h.parent().map(ProcessHandle::pid).orElse(-1L)).append(") at the time-out ---\n")
                    .append(mainThreadOf(text));
            } catch (IOException e) {
                stacks.append("\n--- no thread dump of ").append(h.pid()).append(": ").append(e).append('\n');
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return stacks.toString();
    }

    /** The main thread's frames without GraalPy's interpreter and the JDK's call plumbing. */
    private static String mainThreadOf(String dump) {
        StringBuilder main = new StringBuilder();
        boolean in = false;
        int kept = 0;
        for (String line : dump.split("\n")) {
            if (line.startsWith("\"main\"")) {
                in = true;
            } else if (in && line.isBlank()) {
                break;
            }
            String frame = line.strip();
            boolean plumbing = frame.startsWith("at com.oracle.") || frame.startsWith("at java.lang.invoke.")
                || frame.startsWith("at org.graalvm.");
            if (in && !plumbing && kept++ < 40) {
                main.append(line).append('\n');
            }
        }
        return main.length() == 0 ? "(no main thread)\n" : main.toString();
    }

    static void killTree(ProcessHandle root) {
        root.descendants().forEach(ProcessHandle::destroyForcibly);
        root.destroyForcibly();
    }

    /** The exit code of a run that was still going when it was stopped. */
    static final int TIMED_OUT = Integer.MIN_VALUE;

    /** A watched run: also when its stdout first satisfied the condition (null if never). */
    record Watched(Run run, Duration seenAt) {
        boolean stillRunning() {
            return run.exitCode() == TIMED_OUT;
        }
    }

    /**
     * Runs {@code ./mp4j script} in {@code workDir} with unbuffered output (as on a terminal);
     * once stdout satisfies {@code until}, waits {@code hold} more and stops the whole tree if it
     * is still running. For examples that block or loop for ever by design.
     */
    static Watched watch(Path workDir, Path script, java.util.function.Predicate<String> until,
                         Duration limit, Duration hold) {
        try {
            File out = File.createTempFile("mp4j-out", ".txt");
            File err = File.createTempFile("mp4j-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(HOME.resolve("mp4j").toString(), script.toString())
                .directory(workDir.toFile()).redirectOutput(out).redirectError(err)
                .redirectInput(new File("/dev/null"));
            pb.environment().remove("PYTHONIOENCODING");
            pb.environment().put("PYTHONUNBUFFERED", "1");
            long t0 = System.nanoTime();
            Process p = pb.start();
            Duration seenAt = null;
            long stopAt = t0 + limit.toNanos();
            while (p.isAlive() && System.nanoTime() < stopAt) {
                if (seenAt == null && until.test(new String(Files.readAllBytes(out.toPath()), StandardCharsets.UTF_8))) {
                    seenAt = Duration.ofNanos(System.nanoTime() - t0);
                    stopAt = Math.min(stopAt, System.nanoTime() + hold.toNanos());
                }
                Thread.sleep(50);
            }
            int code;
            if (p.isAlive()) {
                killTree(p.toHandle());
                p.waitFor();
                code = TIMED_OUT;
            } else {
                code = p.exitValue();
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            byte[] o = Files.readAllBytes(out.toPath());
            if (seenAt == null && until.test(new String(o, StandardCharsets.UTF_8))) {
                seenAt = elapsed;
            }
            Run run = new Run(code, o, new String(Files.readAllBytes(err.toPath()), StandardCharsets.UTF_8), elapsed);
            out.delete();
            err.delete();
            return new Watched(run, seenAt);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Copies an example into {@code dir} (examples that write files run there, not in the repo). */
    static Path copyExample(String relative, Path dir) {
        try {
            Path target = dir.resolve(example(relative).getFileName());
            Files.copy(example(relative), target);
            return target;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
