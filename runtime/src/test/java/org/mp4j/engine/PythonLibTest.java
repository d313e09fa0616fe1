package org.mp4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonLibTest {
    @TempDir
    Path dir;

    @Test
    void unpackingANewBuildRemovesOnlyVersionsUnusedForAWeek() throws IOException {
        Path jar = jarWith("mp4j/python/_mp4j_main.py", "MARK = 1\n");
        Path cache = dir.resolve("cache");
        Path weekOld = version(cache, "python-old", Duration.ofDays(8));
        Path usedRecently = version(cache, "python-recent", Duration.ofDays(2));
        Path leftStaging = version(cache, "unpack-123", Duration.ofDays(8));

        Path unpacked = PythonLib.extract(jar, cache);

        assertEquals("MARK = 1\n", Files.readString(unpacked.resolve("_mp4j_main.py")));
        assertFalse(Files.exists(weekOld), "a version nobody started from for a week");
        assertFalse(Files.exists(leftStaging), "what an interrupted unpack left");
        assertTrue(Files.exists(usedRecently.resolve("_mp4j_main.py")), "a version in use this week");
    }

    @Test
    void aStartFromAnUnpackedVersionMarksItUsed() throws IOException {
        Path jar = jarWith("mp4j/python/_mp4j_main.py", "MARK = 2\n");
        Path cache = dir.resolve("cache");
        Path unpacked = PythonLib.extract(jar, cache);
        Instant threeDaysAgo = Instant.now().minus(Duration.ofDays(3));
        Files.setLastModifiedTime(unpacked, FileTime.from(threeDaysAgo));

        assertEquals(unpacked, PythonLib.extract(jar, cache));

        Instant marked = Files.getLastModifiedTime(unpacked).toInstant();
        assertTrue(marked.isAfter(Instant.now().minus(PythonLib.MARK_EVERY)), "marked at " + marked);
    }

    private Path jarWith(String entry, String text) throws IOException {
        Path jar = dir.resolve("runtime.jar");
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry("mp4j/"));
            zip.putNextEntry(new ZipEntry("mp4j/python/"));
            zip.putNextEntry(new ZipEntry(entry));
            zip.write(text.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return jar;
    }

    private static Path version(Path cache, String name, Duration age) throws IOException {
        Path version = Files.createDirectories(cache.resolve(name));
        Files.writeString(version.resolve("_mp4j_main.py"), "OLD = 1\n");
        Files.setLastModifiedTime(version, FileTime.from(Instant.now().minus(age)));
        return version;
    }
}
