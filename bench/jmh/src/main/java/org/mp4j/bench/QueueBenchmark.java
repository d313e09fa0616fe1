package org.mp4j.bench;

import java.util.concurrent.TimeUnit;
import org.mp4j.queues.SharedQueue;
import org.mp4j.shm.SharedNames;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One put and one get of already-pickled bytes on the shared-memory queue, one thread: the
 * transport's own cost per item, without pickling or Python.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class QueueBenchmark {
    @Param({"16", "102400"})
    private int itemBytes;

    private SharedNames names;
    private SharedQueue queue;
    private byte[] item;

    @Setup
    public void create() {
        names = new SharedNames();
        queue = SharedQueue.create(names, 0, SharedQueue.DEFAULT_CAPACITY);
        item = new byte[itemBytes];
    }

    @TearDown
    public void remove() {
        queue.close();
        names.removeAll();
    }

    @Benchmark
    public byte[] putThenGet() {
        queue.put(item, -1);
        return queue.get(-1);
    }
}
