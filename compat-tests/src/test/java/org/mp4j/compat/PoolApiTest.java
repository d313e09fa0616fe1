package org.mp4j.compat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** compat-tests/src/test/python/pool_api.py on both engines: one test per check it reports. */
class PoolApiTest {
    @TestFactory
    Stream<DynamicTest> poolApiOnGraalPy() {
        return ProcessApiTest.checks("pool_api.py", "graalpy", false);
    }

    @TestFactory
    Stream<DynamicTest> poolApiOnJython() {
        return ProcessApiTest.checks("pool_api.py", "jython", false);
    }
}
