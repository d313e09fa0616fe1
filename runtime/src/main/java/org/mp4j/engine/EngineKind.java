package org.mp4j.engine;

import java.util.Locale;

/** The Python engines mp4j runs on. */
public enum EngineKind {
    /** Python 3 (3.12) on GraalPy, through the polyglot API. */
    GRAALPY,
    /** Python 2.7 on Jython. */
    JYTHON;

    /** Creates this engine's interpreter; {@code runtime} is the object Python code calls. */
    public PythonEngine open(EngineSettings settings, Object runtime) {
        return open(settings, runtime, false);
    }

    /**
     * {@code renewable}: a child's, whose interpreter may be replaced by a fresh one after a job
     * ({@link PythonEngine#renew}); only GraalPy can (Jython's state is per JVM).
     */
    public PythonEngine open(EngineSettings settings, Object runtime, boolean renewable) {
        return switch (this) {
            case GRAALPY -> new GraalPyEngine(settings, runtime, renewable);
            case JYTHON -> new JythonEngine(settings);
        };
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EngineKind parse(String name) {
        for (EngineKind k : values()) {
            if (k.cliName().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + name + "' (choose graalpy or jython)");
    }
}
