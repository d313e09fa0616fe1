package org.mp4j.queues;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mp4j.shm.SharedNames;

/** The Java core from plain Java: a Java thread and a Python process share shared-memory queues. */
class JavaHostQueueTest {
    @ParameterizedTest
    @ValueSource(strings = {"graalpy", "jython"})
    void aJavaThreadAndAPythonProcessExchangeItems(String engine) throws Exception {
        SharedNames names = new SharedNames();
        try (PickledQueue toPython = PickledQueue.create(names, 0);
             PickledQueue fromPython = PickledQueue.create(names, 0)) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib")).toList());
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.mp4j.launcher.Main",
                "--engine", engine, Path.of("src/test/python/java_host_echo.py").toAbsolutePath().toString(),
                toPython.name(), fromPython.name()));
            Path log = Files.createTempFile("mp4j-host", ".log");
            Process python = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                Thread producer = Thread.ofPlatform().start(() -> {
                    toPython.put(1, -1);
                    toPython.put("two", -1);
                    toPython.put(List.of(3, "drei"), -1);
                    toPython.put(null, -1);
                });
                List<Object> answers = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Object a = fromPython.get(120);
                    assertTrue(a != null, () -> "no answer from Python: " + read(log));
                    answers.add(a);
                }
                producer.join();
                int major = engine.equals("jython") ? 2 : 3;
                assertEquals(Map.of("echo", 1, "seen_by", major), answers.get(0));
                assertEquals(Map.of("echo", "two", "seen_by", major), answers.get(1));
                assertEquals(Map.of("echo", List.of(3, "drei"), "seen_by", major), answers.get(2));
                assertTrue(python.waitFor(60, TimeUnit.SECONDS), () -> read(log));
                assertEquals(0, python.exitValue(), () -> read(log));
                assertNull(fromPython.get(0));
                assertTrue(Files.exists(Path.of("/dev/shm", toPython.name())),
                    "the host's queue must outlive the Python process that used it");
            } finally {
                python.destroyForcibly();
                python.waitFor();
                Files.deleteIfExists(log);
            }
        } finally {
            names.removeAll();
        }
        assertFalse(Files.list(Path.of("/dev/shm")).anyMatch(p -> p.getFileName().toString()
            .contains("mp4j." + ProcessHandle.current().pid() + ".")), "removeAll() left names behind");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
