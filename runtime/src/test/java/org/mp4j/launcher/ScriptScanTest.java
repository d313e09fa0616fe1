package org.mp4j.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher warms children for scripts that start processes through multiprocessing, directly or not. */
class ScriptScanTest {
    @TempDir
    Path dir;

    private boolean scan(String source) throws IOException {
        Path script = dir.resolve("main.py");
        Files.writeString(script, source);
        return ScriptScan.startsProcesses(script, source);
    }

    @Test
    void aScriptThatStartsAProcessPoolOrManagerIsWarmed() throws IOException {
        assertTrue(scan("from multiprocessing import Process\n"));
        assertTrue(scan("import multiprocessing as mp\nwith mp.Pool(2) as p:\n    pass\n"));
        assertTrue(scan("import multiprocessing\nm = multiprocessing.Manager()\n"));
        assertTrue(scan("from multiprocessing.managers import BaseManager\nclass M(BaseManager): pass\nm = M()\nm.start()\n"));
    }

    @Test
    void aManagerClientThatOnlyConnectsIsNotWarmed() throws IOException {
        assertFalse(scan("from multiprocessing.managers import BaseManager\n"
            + "class M(BaseManager): pass\nM.register('get_queue')\nm = M(address=('', 5000), authkey=b'k')\nm.connect()\n"));
    }

    @Test
    void aScriptReachingItThroughAModuleBesideItIsWarmed() throws IOException {
        Files.writeString(dir.resolve("helpers.py"), "import multiprocessing\ndef run(f):\n    return multiprocessing.Pool(2).map(f, [1])\n");
        assertTrue(scan("import os, helpers\nprint(helpers)\n"));
        assertTrue(scan("from helpers import thing\n"));
    }

    @Test
    void aPlainScriptIsNotWarmed() throws IOException {
        Files.writeString(dir.resolve("helpers.py"), "def f():\n    return 1\n");
        assertFalse(scan("import helpers, json\nprint(helpers.f())\n"));
        assertFalse(scan("import missing_module\n"));
    }
}
