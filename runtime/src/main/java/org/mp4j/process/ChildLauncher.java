package org.mp4j.process;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.nio.file.Files;
import org.mp4j.engine.EngineKind;
import org.mp4j.shm.SharedNames;

/**
 * Starts child JVMs: the same Java, the same class path and JVM flags as this process (so the
 * AOT cache applies to children too), running {@link ChildMain} for the same engine.
 *
 * <p>The child's stdout and stderr are this process's own (inherited, as after a fork); its
 * stdin is /dev/null, as CPython gives a child process.
 *
 * <p>Where util-linux's {@code setpriv} exists, the child is started with
 * {@code PR_SET_PDEATHSIG=SIGKILL}, so the kernel kills it the moment this process dies, even
 * while it is still booting and not yet watching its control socket. The kernel ties that
 * signal to the thread that forked, so every child is started from one thread that lives as
 * long as this JVM.
 */
public final class ChildLauncher {
    /** The environment variable that names the root's script to its descendants. */
    public static final String MAIN_SCRIPT_ENV = "MP4J_MAIN_SCRIPT";
    private final EngineKind engine;
    private final ControlServer control;
    private final List<String> jvmArgs;
    private final ExecutorService forker = Executors.newSingleThreadExecutor(
        r -> Thread.ofPlatform().daemon().name("mp4j-forker").unstarted(r));
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final int START_ATTEMPTS = 3;
    private final BootPriority priority = new BootPriority();

    private final long rootPid;
    private final String mainScript;      // the root's script; null in a child, whose children inherit it

    public ChildLauncher(EngineKind engine, ControlServer control, long rootPid, String mainScript) {
        this.engine = engine;
        this.control = control;
        this.rootPid = rootPid;
        this.mainScript = mainScript;
        this.jvmArgs = childJvmArgs(ManagementFactory.getRuntimeMXBean().getInputArguments(), engine);
    }

    /**
     * The flags a child inherits: all but those that would make it record an AOT cache or debug.
     * A child whose engine has an AOT cache of its own beside the parent's ({@code mp4j-jython.aot}
     * beside {@code mp4j.aot}, see bin/build.sh) uses that one: a JVM loads every class of its
     * cache at start-up, and the root's cache holds both engines (a Jython child with it: 0.25 s
     * slower to boot and 100 MB larger).
     */
    static List<String> childJvmArgs(List<String> parentArgs, EngineKind engine) {
        List<String> args = new ArrayList<>();
        for (String a : parentArgs) {
            if (a.startsWith("-XX:AOTCacheOutput") || a.startsWith("-XX:AOTConfiguration")
                    || a.startsWith("-XX:AOTMode") || a.startsWith("-agentlib:jdwp")
                    || a.startsWith("-Dmp4j.child")) {
                continue;
            }
            if (a.startsWith(AOT_CACHE)) {
                Path own = Path.of(a.substring(AOT_CACHE.length()))
                    .resolveSibling("mp4j-" + engine.cliName() + ".aot");
                if (Files.isRegularFile(own)) {
                    a = AOT_CACHE + own;
                }
            }
            args.add(a);
        }
        return args;
    }

    private static final String AOT_CACHE = "-XX:AOTCache=";

    /**
     * A child started now for one start that waits for it (spawn, or the pool had none), at
     * this process's priority; it is told so ({@code dedicated}), see {@link ChildMain}.
     */
    public ChildProcess launch() {
        return launch(false, true);
    }

    /**
     * A child started now; {@code background}: at the lowest priority until {@link #foreground}
     * (a pool refill, see {@link BootPriority}).
     */
    public ChildProcess launch(boolean background) {
        return launch(background, false);
    }

    private ChildProcess launch(boolean background, boolean dedicated) {
        try {
            return forker.submit(() -> launchHere(background, dedicated)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting a child JVM", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Whether a background launch really lowers the child (nice is usable here). */
    boolean lowersBackgroundChildren() {
        return !priority.backgroundPrefix().isEmpty();
    }

    /** Gives a child started in the background this process's priority. */
    public void foreground(ChildProcess child) {
        if (child.isLowered()) {
            priority.raise(child.pid());
            child.raised();
        }
    }

    /**
     * Starts the command, again if the start failed: a Ctrl-C reaches the whole foreground
     * group, and one that hit the JDK's spawn helper before it ran the command failed the start
     * ("Failed to exec spawn helper: ... signal: 2"; seen in a test that sends Ctrl-C while the
     * pool refills). The command never ran then, so starting it again is safe.
     */
    private static Process start(ProcessBuilder pb) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return pb.start();
            } catch (IOException e) {
                if (attempt == START_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private ChildProcess launchHere(boolean background, boolean dedicated) {
        String token = UUID.randomUUID().toString();
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(SETPRIV)) {
            cmd.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL"));
        }
        List<String> lowered = background ? priority.backgroundPrefix() : List.of();
        cmd.addAll(lowered);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-Dmp4j.child=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ChildMain.class.getName());
        cmd.add(control.path().toString());
        cmd.add(token);
        cmd.add(engine.cliName());
        cmd.add(dedicated ? "dedicated" : lowered.isEmpty() ? "foreground" : "background");
        ProcessBuilder pb = new ProcessBuilder(cmd)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put(SharedNames.ROOT_ENV, Long.toString(rootPid));
        if (mainScript != null) {
            // a pooled child parses it while it waits (spawn.preparse_main_script); the
            // variable passes on to the child's children with the rest of its environment
            pb.environment().put(MAIN_SCRIPT_ENV, mainScript);
        }
        try {
            ChildProcess child = new ChildProcess(start(pb), token, !lowered.isEmpty());
            control.expect(child);
            child.onExit().thenRun(() -> control.forget(child));
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a child JVM", e);
        }
    }
}
