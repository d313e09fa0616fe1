package org.mp4j.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds mp4j's Python package ({@code multiprocessing} and the bridge modules), which ships in
 * the runtime jar under {@code mp4j/python/}. Both engines import from a directory, so from a jar
 * the package is extracted once per jar version into {@code ~/.cache/mp4j/}; an unpacked
 * class path (the build's own tests) is used where it is.
 */
public final class PythonLib {
    private static final String ROOT = "mp4j/python/";
    private static final String MARKER = ROOT + "_mp4j_main.py";

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
            return extract(jar);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack mp4j's Python package", e);
        }
    }

    private static Path extract(Path jar) throws IOException {
        String version = Long.toHexString(Files.size(jar)) + "-" + Long.toHexString(Files.getLastModifiedTime(jar).toMillis());
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "mp4j");
        Path target = cache.resolve("python-" + version);
        if (Files.isDirectory(target)) {
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
            try (Stream<Path> left = Files.walk(staging)) {
                left.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return target;
    }
}
