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

    private Mp4j() {
    }

    /** What one run printed and how it ended. */
    record Run(int exitCode, String stdout, String stderr, Duration elapsed) {
        List<String> lines() {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
        }

        String describe() {
            return "exit " + exitCode + " after " + elapsed.toMillis() + " ms\n--- stdout ---\n" + stdout
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
        List<String> cmd = new ArrayList<>();
        cmd.add(HOME.resolve("mp4j").toString());
        cmd.addAll(List.of(launcherArgs));
        cmd.add(script.toString());
        return runCommand(cmd, script.getParent(), timeout, env, null);
    }

    static Run runCommand(List<String> cmd, Path dir, Duration timeout, Map<String, String> env, String stdin) {
        try {
            File out = File.createTempFile("mp4j-out", ".txt");
            File err = File.createTempFile("mp4j-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(out).redirectError(err);
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
            if (!done) {
                killTree(p.toHandle());
                p.waitFor();
                code = Integer.MIN_VALUE;
            } else {
                code = p.exitValue();
            }
            String o = Files.readString(out.toPath(), StandardCharsets.UTF_8);
            String e = Files.readString(err.toPath(), StandardCharsets.UTF_8);
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

    static void killTree(ProcessHandle root) {
        root.descendants().forEach(ProcessHandle::destroyForcibly);
        root.destroyForcibly();
    }

    /** Kills the launcher and all its children: for examples that block for ever by design. */
    static final int TIMED_OUT = Integer.MIN_VALUE;
}
