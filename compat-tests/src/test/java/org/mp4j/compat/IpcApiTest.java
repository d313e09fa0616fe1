package org.mp4j.compat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** compat-tests/src/test/python/ipc_api.py on both engines: one test per check it reports. */
class IpcApiTest {
    @TestFactory
    Stream<DynamicTest> ipcApiOnGraalPy() {
        return ProcessApiTest.checks("ipc_api.py", "graalpy", false);
    }

    @TestFactory
    Stream<DynamicTest> ipcApiOnJython() {
        return ProcessApiTest.checks("ipc_api.py", "jython", false);
    }
}
