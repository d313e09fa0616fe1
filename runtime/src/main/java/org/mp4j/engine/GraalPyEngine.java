package org.mp4j.engine;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.graalvm.polyglot.Context;
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
 */
public final class GraalPyEngine implements PythonEngine {
    private final Context context;
    private final Value main;
    private final boolean unbuffered;

    public GraalPyEngine(EngineSettings settings, Object runtime) {
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
            .err(new FileOutputStream(FileDescriptor.err))
            .option("engine.WarnInterpreterOnly", "false")
            // The native backend is what gives real pids and fds; its embedding caveat (stdio is
            // fds 0-2) is exactly what mp4j wants, so its start-up warning is noise.
            .option("log.python.level", "SEVERE")
            .option("python.PosixModuleBackend", "native")
            .option("python.PythonPath", settings.pythonLib().toString())
            .option("python.DontWriteBytecodeFlag", "false")
            .option("python.PyCachePrefix", cache.toString())
            .option("python.Executable", settings.executable())
            .option("python.UnbufferedIO", Boolean.toString(settings.unbuffered()));
        if (settings.ioEncoding() != null) {
            b.option("python.StandardStreamEncoding", settings.ioEncoding());
        }
        unbuffered = settings.unbuffered();
        context = b.build();
        context.getPolyglotBindings().putMember("mp4j", runtime);
        main = context.eval("python", "import _mp4j_main\n_mp4j_main");
    }

    @Override
    public void warmUp() {
        main.getMember("warm_up").executeVoid();
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
    public int runChild(byte[] job) {
        // Latin-1 carries bytes into a Python str one to one; the guest encodes it back.
        String payload = new String(job, StandardCharsets.ISO_8859_1);
        return call(() -> main.getMember("run_child").execute(payload).asInt());
    }

    private static int call(java.util.function.IntSupplier body) {
        try {
            return body.getAsInt();
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
    }
}
