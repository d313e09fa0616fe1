package org.mp4j.engine;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;

/**
 * GraalPy (Python 3) in this JVM: one polyglot context with the native POSIX backend (real
 * pids, file descriptors and sockets, as CPython has), mp4j's package first on the path so that
 * its {@code multiprocessing} shadows GraalPy's own, and the mp4j runtime object published in
 * the polyglot bindings as {@code mp4j}.
 *
 * <p>A child's context lives on an engine of its own making ({@code renewable}), so that once a
 * job has ended cleanly the context can be replaced by a fresh one ({@link #renew}): a new
 * interpreter with nothing of the old job's, on an engine whose parsed code is warm.
 */
public final class GraalPyEngine implements PythonEngine {
    // Options of the engine, set on a shared one or on a context that owns its engine. The
    // native backend is what gives real pids and fds; its embedding caveat (stdio is fds 0-2)
    // is exactly what mp4j wants, so its start-up warning is noise.
    private static final Map<String, String> ENGINE_OPTIONS = Map.of(
        "engine.WarnInterpreterOnly", "false",
        "log.python.level", "SEVERE");

    private final EngineSettings settings;
    private final Object runtime;
    private final Engine engine;          // null: the context owns its engine (not renewable)
    private Context context;
    private Value main;
    private final boolean unbuffered;
    private boolean lastCallReturned;     // the last call into Python returned, not exited the context

    public GraalPyEngine(EngineSettings settings, Object runtime, boolean renewable) {
        this.settings = settings;
        this.runtime = runtime;
        this.unbuffered = settings.unbuffered();
        this.engine = renewable ? Engine.newBuilder("python").options(ENGINE_OPTIONS).build() : null;
        open();
    }

    private void open() {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "mp4j", "pycache");
        HostAccess access = HostAccess.newBuilder(HostAccess.EXPLICIT)
            .allowArrayAccess(true).allowListAccess(true).allowBufferAccess(true).allowMapAccess(true)
            .build();
        Context.Builder b = Context.newBuilder("python")
            .allowHostAccess(access)
            .allowPolyglotAccess(PolyglotAccess.ALL)
            .allowIO(IOAccess.ALL)
            .allowNativeAccess(true)
            .allowCreateThread(true)
            .allowCreateProcess(true)
            .allowEnvironmentAccess(EnvironmentAccess.INHERIT)
            .in(new FileInputStream(FileDescriptor.in))
            .out(new FileOutputStream(FileDescriptor.out))
            .err(new FileOutputStream(FileDescriptor.err));
        if (engine != null) {
            b.engine(engine);
        } else {
            b.options(ENGINE_OPTIONS);
        }
        b.option("python.PosixModuleBackend", "native")
            .option("python.PythonPath", settings.pythonLib().toString())
            .option("python.DontWriteBytecodeFlag", "false")
            .option("python.PyCachePrefix", cache.toString())
            .option("python.Executable", settings.executable())
            .option("python.UnbufferedIO", Boolean.toString(settings.unbuffered()));
        if (settings.ioEncoding() != null) {
            b.option("python.StandardStreamEncoding", settings.ioEncoding());
        }
        context = b.build();
        context.getPolyglotBindings().putMember("mp4j", runtime);
        main = context.eval("python", "import _mp4j_main\n_mp4j_main");
    }

    @Override
    public void warmUp() {
        main.getMember("warm_up").executeVoid();
    }

    @Override
    public void prepareForJob() {
        main.getMember("prepare_for_job").executeVoid();
    }

    @Override
    public void workOut() {
        main.getMember("work_out").executeVoid();
    }

    @Override
    public int runMain(List<String> argv) {
        return call(() -> main.getMember("run_main").execute((Object) argv.toArray(new String[0]), unbuffered).asInt());
    }

    @Override
    public int runChild(byte[] job, boolean mayServeAgain) {
        // Latin-1 carries bytes into a Python str one to one; the guest encodes it back.
        String payload = new String(job, StandardCharsets.ISO_8859_1);
        boolean watch = mayServeAgain && engine != null;
        return call(() -> main.getMember("run_child").execute(payload, watch).asInt());
    }

    /**
     * Whether the job that just ended left this process as a new one finds it: it returned (no
     * exit of the context), it left no thread running, no signal handler, working directory
     * or file descriptor changed ({@code _mp4j_main.job_left_process_clean}).
     */
    @Override
    public boolean jobLeftProcessClean() {
        if (engine == null || !lastCallReturned) {
            return false;
        }
        try {
            return main.getMember("job_left_process_clean").execute().asBoolean();
        } catch (PolyglotException e) {
            return false;
        }
    }

    /** Closes the context and opens a fresh one on the same engine; see {@link #jobLeftProcessClean}. */
    @Override
    public void renew() {
        if (engine == null) {
            throw new UnsupportedOperationException("a context that owns its engine is not renewed");
        }
        context.close(true);
        open();
    }

    private int call(java.util.function.IntSupplier body) {
        lastCallReturned = false;
        try {
            int status = body.getAsInt();
            lastCallReturned = true;
            return status;
        } catch (PolyglotException e) {
            if (e.isExit()) {
                return e.getExitStatus();
            }
            // _mp4j_main reports Python errors itself; this is an engine failure
            System.err.println("mp4j: " + e.getMessage());
            return 1;
        }
    }

    @Override
    public void flush() {
        try {
            main.getMember("flush_std_streams").executeVoid();
        } catch (PolyglotException e) {
            // streams already closed
        }
    }

    @Override
    public void close() {
        context.close(true);
        if (engine != null) {
            engine.close();
        }
    }
}
