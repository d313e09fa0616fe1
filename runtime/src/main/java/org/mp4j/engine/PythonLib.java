package org.mp4j.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds mp4j's Python package ({@code multiprocessing} and the bridge modules), which ships in
 * the runtime jar under {@code mp4j/python/}. Both engines import from a directory, so from a jar
 * the package is extracted once per jar version into {@code ~/.cache/mp4j/}; an unpacked
 * class path (the build's own tests) is used where it is.
 *
 * <p>Every build makes a new version, so when one is unpacked the versions no JVM has started
 * from for {@link #UNUSED_FOR} are removed, and the staging directories an interrupted unpack
 * left. A start marks its version as used (its directory's modification time) at most once a
 * day ({@link #MARK_EVERY}), so a process running from an older build keeps its files for a
 * week after its start.
 */
public final class PythonLib {
    private static final String ROOT = "mp4j/python/";
    private static final String MARKER = ROOT + "_mp4j_main.py";
    private static final String VERSION_PREFIX = "python-";
    static final Duration UNUSED_FOR = Duration.ofDays(7);
    static final Duration MARK_EVERY = Duration.ofDays(1);

    private PythonLib() {
    }

    public static Path locate() {
        URL url = PythonLib.class.getClassLoader().getResource(MARKER);
        if (url == null) {
            throw new IllegalStateException("mp4j's Python package is missing from the class path");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI()).getParent();
            }
            Path jar = Path.of(PythonLib.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return extract(jar, Path.of(System.getProperty("user.home"), ".cache", "mp4j"));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack mp4j's Python package", e);
        }
    }

    /** The package of {@code jar}, unpacked under {@code cache} unless it is there already. */
    static Path extract(Path jar, Path cache) throws IOException {
        String version = Long.toHexString(Files.size(jar)) + "-" + Long.toHexString(Files.getLastModifiedTime(jar).toMillis());
        Path target = cache.resolve(VERSION_PREFIX + version);
        if (Files.isDirectory(target)) {
            markUsed(target);
            return target;
        }
        Files.createDirectories(cache);
        Path staging = Files.createTempDirectory(cache, "unpack-");
        try (FileSystem fs = FileSystems.newFileSystem(jar, Map.of());
             Stream<Path> files = Files.walk(fs.getPath(ROOT))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path out = staging.resolve(fs.getPath(ROOT).relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(out);
                } else {
                    try (InputStream in = Files.newInputStream(p)) {
                        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            // another JVM unpacked the same version first; use theirs
            deleteTree(staging);
        }
        removeUnused(cache, target);
        return target;
    }

    private static void markUsed(Path version) {
        try {
            Instant now = Instant.now();
            if (Files.getLastModifiedTime(version).toInstant().isBefore(now.minus(MARK_EVERY))) {
                Files.setLastModifiedTime(version, FileTime.from(now));
            }
        } catch (IOException e) {
            // best effort: an unmarked version may be removed a week after its last mark
        }
    }

    private static void removeUnused(Path cache, Path keep) {
        Instant cutoff = Instant.now().minus(UNUSED_FOR);
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(cache, "{" + VERSION_PREFIX + ",unpack-}*")) {
            for (Path version : versions) {
                if (!version.equals(keep) && Files.getLastModifiedTime(version).toInstant().isBefore(cutoff)) {
                    deleteTree(version);
                }
            }
        } catch (IOException e) {
            // best effort: a version left behind only costs disk space
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> left = Files.walk(root)) {
            left.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
