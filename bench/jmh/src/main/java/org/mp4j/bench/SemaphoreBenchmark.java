package org.mp4j.bench;

import java.util.concurrent.TimeUnit;
import org.mp4j.synchronize.PosixSemaphore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Uncontended acquire+release of one named POSIX semaphore, the calls the Python face makes:
 * a multiprocessing.Lock is {@code tryAcquire()} then {@code releaseUpTo(1)} (its over-release
 * check reads the value first); a Semaphore is {@code tryAcquire()} then {@code release()}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SemaphoreBenchmark {
    private String name;
    private PosixSemaphore sem;

    @Setup
    public void create() {
        name = "/mp4j.bench." + ProcessHandle.current().pid() + ".sem";
        PosixSemaphore.unlink(name);
        sem = PosixSemaphore.create(name, 1);
    }

    @TearDown
    public void remove() {
        sem.close();
        PosixSemaphore.unlink(name);
    }

    @Benchmark
    public boolean lockAcquireRelease() {
        boolean got = sem.tryAcquire();
        return sem.releaseUpTo(1) & got;
    }

    @Benchmark
    public boolean semaphoreAcquireRelease() {
        boolean got = sem.tryAcquire();
        sem.release();
        return got;
    }

    @Benchmark
    public boolean blockingAcquireRelease() {
        boolean got = sem.acquireNanos(-1);
        sem.release();
        return got;
    }
}
