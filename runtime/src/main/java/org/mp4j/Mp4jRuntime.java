package org.mp4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.graalvm.polyglot.HostAccess;
import org.mp4j.connection.FramedSocket;
import org.mp4j.engine.EngineKind;
import org.mp4j.managers.ManagerAnswers;
import org.mp4j.managers.ServedObjects;
import org.mp4j.process.BootSigint;
import org.mp4j.process.ChildLauncher;
import org.mp4j.process.ChildProcess;
import org.mp4j.process.ControlServer;
import org.mp4j.process.SignalDisposition;
import org.mp4j.process.WarmPool;
import org.mp4j.queues.SharedQueue;
import org.mp4j.reduction.FdPassing;
import org.mp4j.sharedctypes.SharedBlock;
import org.mp4j.shm.SharedNames;
import org.mp4j.shm.SharedSegment;
import org.mp4j.synchronize.PosixSemaphore;
import org.mp4j.synchronize.SemLock;
import org.mp4j.synchronize.SharedEvent;

/**
 * The one mp4j object of a JVM: what the Python {@code multiprocessing} package calls to start
 * child processes. It owns this process's control socket, child launcher and warm pool, all made
 * on first use, and is closed when the process ends (killing pooled children that never got work).
 *
 * <p>Start methods: {@code spawn} always boots a fresh JVM (CPython's spawn: a new interpreter);
 * {@code fork} and {@code forkserver} take a pre-started JVM from the warm pool; on GraalPy a
 * forkserver child whose job left it clean serves the next forkserver start with a fresh
 * interpreter ({@link WarmPool#takeToServeAgain}).
 */
public final class Mp4jRuntime implements AutoCloseable {
    private static volatile Mp4jRuntime current;

    private final EngineKind engine;
    private final boolean child;
    private final int warmPoolSize;
    private final boolean jvmsServeAgain;  // forkserver starts reuse JVMs (GraalPy; MP4J_REUSE=0: never)
    private final SharedNames names = new SharedNames();
    private final FdPassing fds = new FdPassing();
    private final ManagerAnswers managerAnswers = new ManagerAnswers();
    private ControlServer control;     // guarded by this
    private ChildLauncher launcher;    // guarded by this
    private WarmPool pool;             // guarded by this
    private List<AutoCloseable> scratch;   // while a workout runs: what it made; guarded by this
    private BooleanSupplier scratchWanted; // while a workout runs: whether to go on; guarded by this
    private List<AutoCloseable> jobObjects; // a job whose JVM may serve again: what it opened; guarded by this
    private volatile BootSigint bootSigint;  // a child's: Ctrl-C from its start() on
    private volatile BooleanSupplier jobWaiting = () -> false; // a child's: whether its job has come
    // the root's script, for the children to parse ahead; null in a child (its children
    // inherit the variable that names it, see ChildLauncher)
    private volatile String mainScript;

    private Mp4jRuntime(EngineKind engine, boolean child, int warmPoolSize) {
        this.engine = engine;
        this.child = child;
        this.warmPoolSize = warmPoolSize;
        this.jvmsServeAgain = engine == EngineKind.GRAALPY && !"0".equals(System.getenv("MP4J_REUSE"));
    }

    /** The root's script, named to every child of the tree (ChildLauncher.MAIN_SCRIPT_ENV). */
    public void mainScript(Path script) {
        mainScript = script.toAbsolutePath().toString();
    }

    /** Creates this JVM's runtime; called once, by the launcher or the child entry point. */
    public static synchronized Mp4jRuntime install(EngineKind engine, boolean child) {
        if (current != null) {
            throw new IllegalStateException("the mp4j runtime is already installed");
        }
        current = new Mp4jRuntime(engine, child, warmPoolSizeFromEnv());
        if (child) {
            current.fds.listen();       // a child may be handed sockets (see FdPassing)
        }
        return current;
    }

    /** This JVM's runtime (Jython's bridge module reaches it here). */
    public static Mp4jRuntime current() {
        Mp4jRuntime rt = current;
        if (rt == null) {
            throw new IllegalStateException("the mp4j runtime is not installed in this JVM");
        }
        return rt;
    }

    /** This JVM's runtime, or null where none is installed (the build's AOT training run). */
    public static Mp4jRuntime currentOrNull() {
        return current;
    }

    private static int warmPoolSizeFromEnv() {
        String v = System.getenv("MP4J_WARM_POOL");
        if (v == null || v.isBlank()) {
            return 2;
        }
        try {
            return Math.max(0, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("MP4J_WARM_POOL must be a whole number, not '" + v + "'");
        }
    }

    @HostAccess.Export
    public String engine() {
        return engine.cliName();
    }

    @HostAccess.Export
    public boolean isChild() {
        return child;
    }

    @HostAccess.Export
    public int cpuCount() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Starts a child process that will run {@code job}, per the start method's rules. */
    @HostAccess.Export
    public ChildProcess startProcess(String startMethod, byte[] job) {
        ChildProcess c = takeProcess(startMethod);
        c.submit(job);
        return c;
    }

    /**
     * A child process for {@code startMethod} that has no job yet: its pid is known before the
     * job is pickled, so that file descriptors can be sent to it. Then {@link ChildProcess#submit}.
     */
    @HostAccess.Export
    public ChildProcess takeProcess(String startMethod) {
        if ("spawn".equals(startMethod)) {
            return launcher().launch();
        }
        return "forkserver".equals(startMethod) && jvmsServeAgain ? pool().takeToServeAgain() : pool().take();
    }

    /** Sending and receiving file descriptors (sockets handed to a child). */
    @HostAccess.Export
    public FdPassing fdPassing() {
        return fds;
    }

    /** Message framing on a connected, blocking stream socket's descriptor (SocketConnection on GraalPy). */
    @HostAccess.Export
    public FramedSocket framedSocket(int fd) {
        return new FramedSocket(fd);
    }

    /** A manager client's reader of answers (GraalPy's proxies). */
    @HostAccess.Export
    public ManagerAnswers managerAnswers() {
        return managerAnswers;
    }

    /**
     * The table and request loop through which a manager's server serves its queues in Java;
     * {@code emptyError} and {@code fullError} are the pickled answers for queue.Empty and queue.Full.
     */
    @HostAccess.Export
    public ServedObjects newServedObjects(byte[] emptyError, byte[] fullError) {
        return new ServedObjects(emptyError, fullError, engine == EngineKind.JYTHON);
    }

    /** A new named semaphore with {@code value}, for Lock, Semaphore, Event and the rest. */
    @HostAccess.Export
    public PosixSemaphore newSemaphore(int value) {
        return made(PosixSemaphore.create("/" + names.next(), value));
    }

    /** Opens a semaphore made by another process of this tree. */
    @HostAccess.Export
    public PosixSemaphore attachSemaphore(String name) {
        return opened(PosixSemaphore.attach(name));
    }

    /**
     * This process's handle on a lock or semaphore ({@code kind}: {@link SemLock#RECURSIVE_MUTEX}
     * or {@link SemLock#SEMAPHORE}); the semaphore is one that {@link #newSemaphore} or
     * {@link #attachSemaphore} gave, and stays theirs to close.
     */
    @HostAccess.Export
    public SemLock semLock(PosixSemaphore sem, int kind, int maxvalue) {
        return new SemLock(sem, kind, maxvalue);
    }

    /** A new Event (not set) in shared memory. */
    @HostAccess.Export
    public SharedEvent newEvent() {
        return made(SharedEvent.create(names));
    }

    /** Opens an Event made by another process of this tree. */
    @HostAccess.Export
    public SharedEvent attachEvent(String name) {
        return opened(SharedEvent.attach(name));
    }

    /** A new queue in shared memory; {@code maxsize <= 0} means unbounded. */
    @HostAccess.Export
    public SharedQueue newQueue(int maxsize) {
        return made(SharedQueue.create(names, maxsize, SharedQueue.DEFAULT_CAPACITY));
    }

    /** One direction of a new Pipe: a queue whose sends fail once no receiving end is open. */
    @HostAccess.Export
    public SharedQueue newPipe() {
        return made(SharedQueue.createPipe(names, SharedQueue.DEFAULT_CAPACITY));
    }

    /**
     * Runs the IPC core once on a queue of its own, so that a child's first job does not pay
     * for its first use (FFM linking and class loading, ~15 ms). Leaves no name behind.
     */
    public void rehearseIpc() {
        try (SharedQueue made = newQueue(0); SharedQueue opened = attachQueue(made.name())) {
            made.put(new byte[] {1}, 0.0);
            opened.get(0.0);
            made.unlinkNames();
        }
    }

    /**
     * From now until {@link #endScratch}, every queue, semaphore, event and block made here is scratch:
     * a pool refill's workout (before it has a job) makes objects that no other process knows.
     * The workout goes on while {@code wanted} says so (until somebody needs this child).
     */
    public synchronized void beginScratch(BooleanSupplier wanted) {
        scratch = new ArrayList<>();
        scratchWanted = wanted;
    }

    /** Whether a workout should go on: it is running and nobody needs this child yet. */
    @HostAccess.Export
    public synchronized boolean workoutWanted() {
        return scratch != null && scratchWanted.getAsBoolean();
    }

    /** Closes the scratch objects and removes their names from {@code /dev/shm}. */
    public synchronized void endScratch() {
        List<AutoCloseable> made = scratch;
        scratch = null;
        scratchWanted = null;
        for (AutoCloseable object : made) {
            try {
                object.close();
            } catch (Exception e) {
                // closed already; its names go anyway
            }
            switch (object) {
                case SharedQueue q -> q.unlinkNames();
                case PosixSemaphore s -> PosixSemaphore.unlink(s.name());
                case SharedBlock b -> SharedSegment.unlink(b.name());
                case SharedEvent e -> SharedSegment.unlink(e.name());
                default -> { }
            }
        }
    }

    private synchronized <T extends AutoCloseable> T made(T object) {
        if (scratch != null) {
            scratch.add(object);
        }
        return opened(object);
    }

    private synchronized <T extends AutoCloseable> T opened(T object) {
        if (jobObjects != null) {
            jobObjects.add(object);
        }
        return object;
    }

    /**
     * A child's job begins; {@code mayServeAgain}: its JVM may serve another job afterwards, so
     * the shared objects it opens are noted, to be closed at its end ({@link #endJob}) as a
     * process exit would unmap them.
     */
    public synchronized void beginJob(boolean mayServeAgain) {
        jobObjects = mayServeAgain ? new ArrayList<>() : null;
    }

    /**
     * The job has ended and its interpreter is gone: unmaps and closes every shared object it
     * made or opened. Their names stay: the tree's root removes them, as after a process exit.
     */
    public void endJob() {
        List<AutoCloseable> opened;
        synchronized (this) {
            opened = jobObjects;
            jobObjects = null;
        }
        if (opened == null) {
            return;
        }
        for (AutoCloseable object : opened) {
            try {
                object.close();
            } catch (Exception e) {
                // closed by the job already
            }
        }
    }

    /** Whether forkserver children may serve again (GraalPy, unless {@code MP4J_REUSE=0}). */
    public boolean jvmsServeAgain() {
        return jvmsServeAgain;
    }

    /** Whether this process has started a child process (or prepared to: its launcher exists). */
    public synchronized boolean startedChildren() {
        return launcher != null;
    }

    /** Opens a queue made by another process of this tree. */
    @HostAccess.Export
    public SharedQueue attachQueue(String name) {
        return opened(SharedQueue.attach(name));
    }

    /** A new zeroed block of shared memory, for Barrier, Value and Array. */
    @HostAccess.Export
    public SharedBlock newBlock(long size) {
        return made(SharedBlock.create(names, size));
    }

    /** Opens a block made by another process of this tree. */
    @HostAccess.Export
    public SharedBlock attachBlock(String name) {
        return opened(SharedBlock.attach(name));
    }

    /**
     * A new name in {@code /dev/shm} of this tree (removed when the root ends), for objects the
     * Python side maps itself: {@code multiprocessing.shared_memory} blocks.
     */
    @HostAccess.Export
    public String newSharedName() {
        return names.next();
    }

    /** Starts the tree's resource tracker now (it starts with the first shared name anyway). */
    @HostAccess.Export
    public void ensureResourceTracker() {
        names.startTracker();
    }

    /**
     * Notes that {@code /dev/shm/<fileName>} is to be removed at the tree's end ({@code remove})
     * or kept though it is one of the tree's names: {@code resource_tracker.register} and
     * {@code unregister} (see SharedNames).
     */
    @HostAccess.Export
    public void markSharedName(String fileName, boolean remove) {
        names.mark(fileName, remove);
    }

    /** Whether signal {@code sig} is ignored in this process now, as the kernel has it. */
    @HostAccess.Export
    public boolean signalIgnored(int sig) {
        return SignalDisposition.isIgnored(sig);
    }

    /**
     * Gives signal {@code sig} back to its default action: the JVM installs no handler over an
     * ignored signal, so a child whose pool ignored SIGINT calls this before Python's
     * {@code signal.signal()}.
     */
    @HostAccess.Export
    public void restoreSignalDefault(int sig) {
        SignalDisposition.restoreDefault(sig);
    }

    /** Ignores signal {@code sig} at the kernel level (what {@code SIG_IGN} means to a child it starts). */
    @HostAccess.Export
    public void ignoreSignal(int sig) {
        SignalDisposition.ignore(sig);
    }

    /** Never returns: ends this process by signal {@code sig}, as its default action does. */
    @HostAccess.Export
    public void dieBySignal(int sig) {
        SignalDisposition.dieBy(sig);
    }

    /** Called by the child entry point: the SIGINT note its job reads ({@link #takeBootSigint}). */
    public void attachBootSigint(BootSigint watch) {
        bootSigint = watch;
    }

    /**
     * Whether a Ctrl-C reached this child after the {@code start()} that took it and before its
     * job set SIGINT as the script wants (the job then delivers it); false in a root. From this
     * call on, a late note is the job's handler's (see BootSigint).
     */
    @HostAccess.Export
    public boolean takeBootSigint() {
        BootSigint watch = bootSigint;
        return watch != null && watch.takePending();
    }

    /** A child's way to tell whether its job has come (see {@link #jobWaiting}). */
    public void attachJobWaiting(BooleanSupplier waiting) {
        jobWaiting = waiting;
    }

    /**
     * Whether this child's job is waiting for it. A pooled JVM can be taken while it still warms
     * up (a refill that boots, a JVM that renews its interpreter), and then cuts that short.
     * Always false in a root.
     */
    @HostAccess.Export
    public boolean jobWaiting() {
        return jobWaiting.getAsBoolean();
    }

    /** Begins filling the warm pool in the background, ahead of the first {@code start()}. */
    @HostAccess.Export
    public void prewarm() {
        WarmPool p = pool();
        Thread.ofVirtual().name("mp4j-prewarm").start(p::fill);
    }

    /** Waits (at most {@code timeoutMillis}) until a pooled child is warm. */
    public void awaitWarmChild(long timeoutMillis) {
        pool().awaitReady(timeoutMillis);
    }

    private synchronized ChildLauncher launcher() {
        if (launcher == null) {
            control = new ControlServer();
            names.startTracker();
            launcher = new ChildLauncher(engine, control, names.rootPid(), mainScript);
        }
        return launcher;
    }

    private synchronized WarmPool pool() {
        if (pool == null) {
            pool = new WarmPool(launcher(), warmPoolSize);
        }
        return pool;
    }

    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.close();
        }
        if (control != null) {
            control.close();
        }
        names.removeAll();
    }
}
