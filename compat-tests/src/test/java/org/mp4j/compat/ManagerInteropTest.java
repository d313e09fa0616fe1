package org.mp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The manager wire protocol is CPython's: a real CPython (python3 on the machine) uses a queue
 * and a dict that mp4j serves, and mp4j uses the ones CPython serves; the same for
 * SyncManager's own Queue and dict, which GraalPy's server serves in Java; a wrong authkey is
 * refused on both sides.
 */
class ManagerInteropTest {
    private static final Duration LIMIT = Duration.ofSeconds(180);

    @TempDir
    Path dir;

    private static List<String> command(String impl, String script, String... args) {
        List<String> cmd = new ArrayList<>();
        if (impl.equals("cpython")) {
            cmd.add("python3");
        } else {
            cmd.add(Mp4j.HOME.resolve("mp4j").toString());
        }
        cmd.add(Mp4j.conformance(script).toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Over TCP and over a Unix socket (abstract name), mp4j's default address on GraalPy. */
    @ParameterizedTest(name = "served by {0} over {1}")
    @CsvSource({"mp4j,tcp", "cpython,tcp", "mp4j,unix", "cpython,unix"})
    void aClientOfTheOtherImplementationUsesTheServedQueueAndDict(String server, String transport) throws Exception {
        String client = server.equals("mp4j") ? "cpython" : "mp4j";
        String address;
        if (transport.equals("unix")) {
            address = "unix:mp4j-interop-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        } else {
            try (ServerSocket s = new ServerSocket(0)) {
                address = Integer.toString(s.getLocalPort());
            }
        }
        Path out = dir.resolve("server.out");
        Process p = new ProcessBuilder(command(server, "interop_server.py", address))
            .directory(dir.toFile()).redirectOutput(out.toFile())
            .redirectError(dir.resolve("server.err").toFile()).redirectInput(new File("/dev/null")).start();
        try {
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (p.isAlive() && System.nanoTime() < deadline && !Files.readString(out).contains("serving")) {
                Thread.sleep(50);
            }
            assertTrue(Files.readString(out).contains("serving"),
                () -> "the server did not start: " + read(dir.resolve("server.err")));

            Mp4j.Run put = Mp4j.runCommand(command(client, "interop_client.py", address,
                "interop-key", "put", client), dir, LIMIT, Map.of(), null);
            assertEquals(0, put.exitCode(), put::describe);
            assertEquals(List.of("put done, qsize 2"), put.lines(), put::describe);

            Mp4j.Run get = Mp4j.runCommand(command(client, "interop_client.py", address,
                "interop-key", "get"), dir, LIMIT, Map.of(), null);
            assertEquals(0, get.exitCode(), get::describe);
            assertEquals(List.of("got {'item': [1, 2.5, 'three']}", "got 'second'",
                "dict [('written by', '" + client + "')]"), get.lines(), get::describe);

            Mp4j.Run served = Mp4j.runCommand(command(client, "interop_client.py", address,
                "interop-key", "served"), dir, LIMIT, Map.of(), null);
            assertEquals(0, served.exitCode(), served::describe);
            assertEquals(List.of("full", "served got {'item': [1, 2.5, 'three']} b'bytes'", "empty",
                "served dict (1, 'x') 'dflt' [('k', (1, 'x')), (2, None)]"), served.lines(), served::describe);

            Mp4j.Run wrong = Mp4j.runCommand(command(client, "interop_client.py", address,
                "not-the-key", "get"), dir, LIMIT, Map.of(), null);
            assertEquals(3, wrong.exitCode(), wrong::describe);
            assertEquals(List.of("refused AuthenticationError"), wrong.lines(), wrong::describe);
            assertTrue(p.isAlive(), "a refused client must not bring the server down");
        } finally {
            Mp4j.killTree(p.toHandle());
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
