package org.mp4j.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Seed examples whose output depends on how soon a child runs after start(), with nothing else
 * running. A class of its own because JUnit runs a whole class alone, method after method, as
 * soon as one method claims the machine: kept apart, only these wait for the others.
 */
@Isolated
class SeedTimingExamplesTest {
    private static final Duration LIMIT = Duration.ofSeconds(180);

    @Test
    void twoWayQueueChildAnswersWithinHalfASecond() {
        // Only works if the child runs its target (and takes 'hi') before the parent's
        // time.sleep(0.5) ends: otherwise the parent gets its own 'hi' back.
        Mp4j.Run r = Mp4j.run(Mp4j.example("py3/seed001_queue_two_way.py"), LIMIT);
        assertEquals(0, r.exitCode(), r::describe);
        assertEquals(List.of("hi", "你好"), r.lines(), r::describe);
    }
}
