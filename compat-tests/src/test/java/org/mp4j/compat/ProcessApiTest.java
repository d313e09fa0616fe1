package org.mp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * compat-tests/src/test/python/process_api.py on both engines: one script run per engine (JVMs
 * are dear), one test per check it reports, named by the check.
 */
class ProcessApiTest {
    @TestFactory
    Stream<DynamicTest> processApiOnGraalPy() {
        return checks("process_api.py", "graalpy", true);
    }

    @TestFactory
    Stream<DynamicTest> processApiOnJython() {
        return checks("process_api.py", "jython", true);
    }

    /** Runs a conformance script on an engine; one dynamic test per check it lists. */
    static Stream<DynamicTest> checks(String script, String engine, boolean topLevelRunsOnce) {
        Mp4j.Run r = Mp4j.run(Mp4j.conformance(script), Duration.ofSeconds(900), "--engine", engine);
        List<String> lines = r.lines();
        String listed = lines.stream().filter(l -> l.startsWith("checks: ")).findFirst().orElse(null);
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("script ran to its end", () -> {
            assertEquals(0, r.exitCode(), r::describe);
            assertTrue(listed != null, r::describe);
            if (!topLevelRunsOnce) {
                return;
            }
            assertEquals(1, lines.stream().filter(l -> l.startsWith("top-level statement ran in __main__")).count(),
                "under fork the script's top level must not run again in a child:\n" + r.describe());
        }));
        if (listed != null) {
            for (String name : listed.substring("checks: ".length()).split(",")) {
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    if (lines.stream().anyMatch(l -> l.equals("ok " + name) || l.startsWith("ok " + name + " ("))) {
                        return;
                    }
                    String failure = lines.stream().filter(l -> l.startsWith("FAIL " + name + ":")).findFirst()
                        .map(l -> l.replace(" | ", "\n")).orElse("no result (the script stopped before it)");
                    fail(failure + "\n" + r.describe());
                }));
            }
        }
        return tests.stream();
    }
}
