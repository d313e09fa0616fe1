package org.mp4j.engine;

import java.nio.file.Path;

/**
 * What the launcher tells an engine: where mp4j's Python package is, and the CPython-style
 * switches ({@code -u}, {@code PYTHONUNBUFFERED}, {@code PYTHONIOENCODING}).
 *
 * @param pythonLib   the directory holding mp4j's {@code multiprocessing} package
 * @param unbuffered  stdout and stderr unbuffered, as {@code python -u}
 * @param ioEncoding  PYTHONIOENCODING, or null for the engine's default
 * @param executable  the value of {@code sys.executable} (the mp4j launcher)
 */
public record EngineSettings(Path pythonLib, boolean unbuffered, String ioEncoding, String executable) {
    /** Settings from this process's environment and system properties. */
    public static EngineSettings fromEnvironment(Path pythonLib, boolean forceUnbuffered) {
        String unbufferedEnv = System.getenv("PYTHONUNBUFFERED");
        boolean unbuffered = forceUnbuffered || (unbufferedEnv != null && !unbufferedEnv.isEmpty());
        String enc = System.getenv("PYTHONIOENCODING");
        String exe = System.getProperty("mp4j.launcher", "mp4j");
        return new EngineSettings(pythonLib, unbuffered, enc == null || enc.isEmpty() ? null : enc, exe);
    }
}
