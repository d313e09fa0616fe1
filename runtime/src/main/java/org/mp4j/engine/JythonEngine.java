package org.mp4j.engine;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.python.core.Options;
import org.python.core.Py;
import org.python.core.PyObject;
import org.python.core.PyString;
import org.python.core.PySystemState;
import org.python.util.PythonInterpreter;

/**
 * Jython (Python 2.7) in this JVM. mp4j's package is on {@code python.path}; Jython has no
 * {@code multiprocessing} of its own. Python code reaches the runtime object through
 * {@code org.mp4j.Mp4jRuntime.current()}.
 */
public final class JythonEngine implements PythonEngine {
    private final PythonInterpreter interpreter;
    private final PyObject main;
    private final boolean unbuffered;

    public JythonEngine(EngineSettings settings) {
        Properties props = new Properties();
        props.setProperty("python.import.site", "false");
        props.setProperty("python.cachedir.skip", "true");
        props.setProperty("python.path", settings.pythonLib().toString());
        props.setProperty("python.executable", settings.executable());
        props.setProperty("python.console.encoding", "UTF-8");
        if (settings.ioEncoding() != null) {
            String[] encodingAndErrors = settings.ioEncoding().split(":", 2);
            props.setProperty("python.io.encoding", encodingAndErrors[0]);
            if (encodingAndErrors.length > 1) {
                props.setProperty("python.io.errors", encodingAndErrors[1]);
            }
        }
        Options.unbuffered = settings.unbuffered();
        unbuffered = settings.unbuffered();
        PythonInterpreter.initialize(System.getProperties(), props, new String[] {""});
        interpreter = new PythonInterpreter(null, new PySystemState());
        interpreter.exec("import _mp4j_main");
        main = interpreter.get("_mp4j_main");
    }

    @Override
    public void warmUp() {
        main.invoke("warm_up");
    }

    @Override
    public void prepareForJob() {
        main.invoke("prepare_for_job");
    }

    @Override
    public void workOut() {
        main.invoke("work_out");
    }

    @Override
    public int runMain(List<String> argv) {
        PyObject[] args = new PyObject[argv.size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = Py.newStringUTF8(argv.get(i));
        }
        return main.invoke("run_main", new org.python.core.PyList(args), Py.newBoolean(unbuffered)).asInt();
    }

    @Override
    public int runChild(byte[] job, boolean mayServeAgain) {
        return main.invoke("run_child", new PyString(new String(job, StandardCharsets.ISO_8859_1))).asInt();
    }

    @Override
    public void flush() {
        main.invoke("flush_std_streams");
    }

    @Override
    public void close() {
        interpreter.cleanup();
    }
}
