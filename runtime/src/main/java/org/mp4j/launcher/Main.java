package org.mp4j.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mp4j.Mp4jRuntime;
import org.mp4j.engine.EngineKind;
import org.mp4j.engine.EngineSettings;
import org.mp4j.engine.PythonEngine;
import org.mp4j.engine.PythonLib;
import org.mp4j.process.ExitStatus;
import org.mp4j.process.SignalDisposition;

/**
 * {@code mp4j [--engine graalpy|jython] [-u] SCRIPT [ARGS...]}: runs a Python script as the
 * root process of an mp4j process tree and exits with the script's exit status.
 *
 * <p>{@code --aot-train SCRIPT [ENGINE]} (used by the build) starts both engines, or the one
 * named, and runs the training script in each, so that a JDK AOT cache recorded from this run
 * covers what an mp4j JVM of those engines loads at start-up.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args);
        if (status == ExitStatus.DIED_BY_SIGINT) {
            SignalDisposition.dieBy(SignalDisposition.SIGINT);
        }
        Runtime.getRuntime().halt(status);
    }

    static int run(String[] args) {
        EngineKind forced = null;
        boolean unbuffered = false;
        int i = 0;
        for (; i < args.length && args[i].startsWith("-"); i++) {
            String a = args[i];
            if (a.equals("--engine") && i + 1 < args.length) {
                try {
                    forced = EngineKind.parse(args[++i]);
                } catch (IllegalArgumentException e) {
                    return usage(e.getMessage());
                }
            } else if (a.startsWith("--engine=")) {
                try {
                    forced = EngineKind.parse(a.substring("--engine=".length()));
                } catch (IllegalArgumentException e) {
                    return usage(e.getMessage());
                }
            } else if (a.equals("-u")) {
                unbuffered = true;
            } else if (a.equals("--aot-train") && i + 1 < args.length) {
                try {
                    List<EngineKind> engines = i + 2 < args.length
                        ? List.of(EngineKind.parse(args[i + 2])) : List.of(EngineKind.values());
                    return train(Path.of(args[i + 1]), engines);
                } catch (IllegalArgumentException e) {
                    return usage(e.getMessage());
                }
            } else if (a.equals("--")) {
                i++;
                break;
            } else {
                return usage("unknown option " + a);
            }
        }
        if (i >= args.length) {
            return usage("no script given");
        }
        Path script = Path.of(args[i]);
        String source;
        try {
            source = Files.readString(script, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            System.err.println("mp4j: can't open file '" + script.toAbsolutePath() + "': [Errno 2] No such file or directory");
            return 2;
        }
        EngineKind kind = forced != null ? forced : EngineDetector.detect(source);
        List<String> argv = new ArrayList<>(List.of(args).subList(i, args.length));

        Mp4jRuntime runtime = Mp4jRuntime.install(kind, false);
        runtime.mainScript(script);
        boolean startsProcesses = ScriptScan.startsProcesses(script, source);
        if (startsProcesses) {
            runtime.prewarm();   // children boot while this JVM does
        }
        PythonEngine engine = kind.open(EngineSettings.fromEnvironment(PythonLib.locate(), unbuffered), runtime);
        if (startsProcesses) {
            // The first start() must find a warm child: scripts rely on a child running within
            // a fraction of a second (seed 001's two-way queue sleeps 0.5 s and expects that).
            runtime.awaitWarmChild(30_000);
        }
        int status = engine.runMain(argv);
        engine.flush();
        runtime.close();
        return status;
    }

    private static int train(Path script, List<EngineKind> engines) {
        Path lib = PythonLib.locate();
        for (EngineKind kind : engines) {
            PythonEngine engine = kind.open(EngineSettings.fromEnvironment(lib, false), null);
            engine.warmUp();
            int status = engine.runMain(List.of(script.toString()));
            engine.flush();
            if (status != 0) {
                System.err.println("mp4j: AOT training on " + kind.cliName() + " failed with status " + status);
                return status;
            }
        }
        return 0;
    }

    private static int usage(String problem) {
        System.err.println("mp4j: " + problem);
        System.err.println("usage: mp4j [--engine graalpy|jython] [-u] SCRIPT [ARG ...]");
        return 2;
    }
}
