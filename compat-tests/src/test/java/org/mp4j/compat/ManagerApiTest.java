package org.mp4j.compat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** compat-tests/src/test/python/manager_api.py on both engines: one test per check it reports. */
class ManagerApiTest {
    @TestFactory
    Stream<DynamicTest> managerApiOnGraalPy() {
        return ProcessApiTest.checks("manager_api.py", "graalpy", false);
    }

    @TestFactory
    Stream<DynamicTest> managerApiOnJython() {
        return ProcessApiTest.checks("manager_api.py", "jython", false);
    }
}
