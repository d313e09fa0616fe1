package org.mp4j.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher warms children for scripts that reach multiprocessing, directly or not. */
class ScriptScanTest {
    @TempDir
    Path dir;

    private boolean scan(String source) throws IOException {
        Path script = dir.resolve("main.py");
        Files.writeString(script, source);
        return ScriptScan.usesMultiprocessing(script, source);
    }

    @Test
    void aScriptThatImportsMultiprocessingUsesIt() throws IOException {
        assertTrue(scan("from multiprocessing import Process\n"));
    }

    @Test
    void aScriptReachingItThroughAModuleBesideItUsesIt() throws IOException {
        Files.writeString(dir.resolve("helpers.py"), "import multiprocessing\n");
        assertTrue(scan("import os, helpers\nprint(helpers)\n"));
        assertTrue(scan("from helpers import thing\n"));
    }

    @Test
    void aPlainScriptDoesNotUseIt() throws IOException {
        Files.writeString(dir.resolve("helpers.py"), "def f():\n    return 1\n");
        assertFalse(scan("import helpers, json\nprint(helpers.f())\n"));
        assertFalse(scan("import missing_module\n"));
    }
}
