package org.simplevisor;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A supervisor that starts, watches, restarts and stops named long-running processes: a Java port of the Go
 * package {@code simplevisor}.
 *
 * <pre>{@code
 * try (Supervisor supervisor = new Supervisor(Duration.ofSeconds(5))) {
 *     supervisor.register("ticker", ctx -> {
 *         while (!ctx.isCancelled()) {
 *             tick();
 *             ctx.awaitCancellation(Duration.ofSeconds(1));
 *         }
 *     }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 5, Duration.ofSeconds(1)));
 *     supervisor.run();
 *     supervisor.awaitShutdownSignal(() -> System.out.println("bye"));
 * }
 * }</pre>
 *
 * <h2>Life cycle</h2>
 * A supervisor is <em>new</em> until {@link #run()}, then <em>running</em> until {@link #shutdown()} begins,
 * then <em>stopping</em>, and finally <em>terminated</em>. Processes may be registered while it is new or running
 * (a registration while running starts the process at once); nothing is registered, started or restarted once
 * shutdown has begun.
 *
 * <h2>Threads</h2>
 * All methods are thread-safe. Queries ({@link #status status}, {@link #isRunning isRunning},
 * {@link #snapshot snapshot}, ...) never block: each process publishes an immutable snapshot at every transition.
 * Runs execute on the executor given to the {@link Builder} or, by default, on threads the supervisor owns and joins
 * on shutdown; restart delays and the watchdog wait on a scheduler, never on a run's thread. Listeners are called in
 * order on one event thread.
 */
public final class Supervisor implements AutoCloseable {

    /** Total time {@link #shutdown()} waits for processes to end, unless configured otherwise: 5 s. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
    /** Delay before a restart, unless configured otherwise: 1 s. */
    public static final Duration DEFAULT_RESTART_DELAY = Duration.ofSeconds(1);
    /** Restarts allowed before a process is {@link ProcessStatus#FAILED}, unless configured otherwise: 3. */
    public static final int DEFAULT_MAX_RESTARTS = 3;
    /** How long a run must last to reset the restart count, unless configured otherwise: 30 s. */
    public static final Duration DEFAULT_HEALTHY_DURATION = Duration.ofSeconds(30);
    /** The name of a supervisor built without one: {@value}. */
    public static final String DEFAULT_NAME = "simplevisor";
    /**
     * How long repeats of a logged outcome of a process are counted instead of logged, unless configured otherwise:
     * 1 minute. See {@link Builder#logRepeatWindow(Duration)}.
     */
    public static final Duration DEFAULT_LOG_REPEAT_WINDOW = Duration.ofMinutes(1);

    private static final Logger LOG = LogManager.getLogger(Supervisor.class);
    /**
     * Least time given to listeners to receive the last events, even when processes used up the timeout: among them
     * the report of a process that did not stop, which a logger writes with its stack trace. 100 ms dropped it on a
     * loaded machine; 200 ms keeps shutdown within its timeout plus 250 ms.
     */
    static final Duration EVENT_DRAIN_GRACE = Duration.ofMillis(200);
    /**
     * How long an executor passed to the {@link Builder} has to begin a run it took before the run counts as refused:
     * one may drop a run without throwing, and nothing else would tell (see {@link Builder#executor}).
     */
    static final Duration RUN_TAKE_TIMEOUT = Duration.ofSeconds(30);

    private enum State { NEW, RUNNING, STOPPING, TERMINATED }

    private final String name;
    private final Duration shutdownTimeout;
    private final Clock clock;
    private final ExecutorService executor;
    private final boolean ownsExecutor;
    private final @Nullable OwnedThreads workerThreads; // null unless the executor is ours, on either kind of thread
    private final ScheduledExecutorService scheduler;
    private final @Nullable OwnedThreads timerThreads;  // null unless the scheduler is ours
    private final EventDispatcher events;
    private final String nodeId;
    private final LeaseKeeper leases;                  // null without a lease store
    private final ProcessHost host;

    private final ConcurrentHashMap<String, ManagedProcess> processes = new ConcurrentHashMap<>();
    private final Map<String, ProcessGroup> groups;                 // declared by the builder; never changes
    private final ReentrantLock lifecycleLock = new ReentrantLock();
    private volatile State state = State.NEW;
    /**
     * Every process, in registration order: start order sorts a copy by priority, and when every process has the
     * same priority the sort finds it in order in one pass (at 100,000 processes, sorting the map's values took
     * 36 ms of each start and stop).
     */
    @GuardedBy("lifecycleLock") private final List<ManagedProcess> registered = new ArrayList<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    /** Counted down once the processes have stopped and the threads are released, before the last events go out. */
    private final CountDownLatch released = new CountDownLatch(1);

    /**
     * Creates a supervisor with default settings and the given shutdown timeout (Go: {@code New}).
     *
     * @param shutdownTimeout total time to wait for processes on shutdown; {@code null}, zero or negative means
     *                        {@link #DEFAULT_SHUTDOWN_TIMEOUT}
     */
    public Supervisor(@Nullable Duration shutdownTimeout) {
        this(builder().shutdownTimeout(shutdownTimeout));
    }

    private Supervisor(Builder builder) {
        name = builder.name;
        shutdownTimeout = builder.shutdownTimeout;
        clock = builder.clock;
        events = new EventDispatcher(name);
        events.addListener(new LoggingListener(builder.logRepeatWindow, builder.groups));
        builder.listeners.forEach(events::addListener);
        String threadPrefix = threadNamePrefix(name);
        ownsExecutor = builder.executor == null;
        if (!ownsExecutor) {
            executor = builder.executor;
            workerThreads = null;
        } else {
            workerThreads = new OwnedThreads(threadPrefix + "-worker-", false);
            executor = builder.virtualThreads ? workerThreads.newVirtualThreadExecutor()
                    : workerThreads.newPlatformExecutor();
        }
        if (builder.scheduler == null) {
            timerThreads = new OwnedThreads(threadPrefix + "-timer-", true);
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, timerThreads);
            timer.setRemoveOnCancelPolicy(true);
            scheduler = timer;
        } else {
            timerThreads = null;
            scheduler = builder.scheduler;
        }
        nodeId = builder.nodeId == null ? defaultNodeId(name) : builder.nodeId;
        LongSupplier ticker = builder.ticker != null ? builder.ticker : tickerOf(clock);
        leases = builder.leaseStore == null ? null : new LeaseKeeper(builder.leaseStore, nodeId, name, scheduler,
                ticker, builder.leaseThreads);
        host = new ProcessHost(name, clock, ticker, executor, scheduler, events, leases,
                ownsExecutor ? null : RUN_TAKE_TIMEOUT); // the supervisor's own threads take every run at once
        Map<String, ProcessGroup> declared = new LinkedHashMap<>();
        builder.groups.forEach((group, strategy) -> declared.put(group,
                new ProcessGroup(group, strategy, host, shutdownTimeout)));
        groups = Collections.unmodifiableMap(declared);
    }

    /**
     * {@return monotonic nanoseconds for a supervisor: {@link System#nanoTime()} on a system clock, in any zone; the
     * clock's own time when a test gives one, so that deadlines agree with its scheduler}, counted from the clock's
     * time when the supervisor was built: only differences are used, and nanoseconds since the epoch overflow a long
     * outside about 1677 to 2262
     */
    static LongSupplier tickerOf(Clock clock) {
        // Every system clock, Clock.systemDefaultZone() included, is of one class whatever its zone: the wall clock.
        if (clock.getClass() == Builder.SYSTEM_CLOCK.getClass()) {
            return System::nanoTime;
        }
        Instant origin = clock.instant();
        return () -> Duration.between(origin, clock.instant()).toNanos();
    }

    /** Host name, PID, supervisor name and a random suffix: unique even for two supervisors of one JVM. */
    private static String defaultNodeId(String name) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return defaultNodeId(host, ProcessHandle.current().pid(), name, new SecureRandom().nextInt());
    }

    /** How many characters of the host name and of the supervisor name a default node id keeps, each. */
    static final int NODE_ID_PART_LENGTH = 100;

    /**
     * {@return a default node id} Host name and supervisor name are cut to {@value #NODE_ID_PART_LENGTH} characters
     * each, so that the id fits a lease store's owner ({@value LeaseStore#MAX_NAME_LENGTH}) whatever they are: a host
     * name may have 255.
     */
    static String defaultNodeId(String host, long pid, String name, int random) {
        return cut(host, NODE_ID_PART_LENGTH) + ":" + pid + ":" + cut(name, NODE_ID_PART_LENGTH) + ":"
                + Integer.toHexString(random);
    }

    /** {@return at most the first {@code max} characters of {@code text}, never half of a surrogate pair} */
    private static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        return text.substring(0, Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max);
    }

    /**
     * {@return the prefix of the names of the threads a supervisor and its observers start} It is
     * {@code simplevisor-} and the supervisor's name, or the name alone when it already is {@code simplevisor} or
     * begins with {@code simplevisor-} (so that a web application called {@code simplevisor-example} has threads
     * called {@code simplevisor-example-events-1}, not {@code simplevisor-simplevisor-example-events-1}).
     *
     * @param supervisorName the supervisor's name
     */
    public static String threadNamePrefix(String supervisorName) {
        return supervisorName.equals(DEFAULT_NAME) || supervisorName.startsWith(DEFAULT_NAME + "-")
                ? supervisorName : DEFAULT_NAME + "-" + supervisorName;
    }

    /**
     * Checks, as {@link #register register} does, that a process may have this name: not empty or blank, and not
     * beginning or ending with whitespace, which thread names, JMX names, metric tags and lease names would keep
     * while showing the name without it. For a layer that reads settings from elsewhere (the servlet container reads
     * {@code web.xml} and annotations) and reports every problem before it makes a process.
     *
     * @param name a process name
     * @throws IllegalArgumentException if the name is {@code null}, empty, blank, or begins or ends with whitespace,
     *                                  naming it
     */
    public static void validateProcessName(String name) {
        requireName("process", name);
    }

    /**
     * The rule of every name a supervisor shows (its own, its processes', its groups'): in thread names, JMX names,
     * metric tags and lease names, where {@code " x "} would look like {@code "x"} (and MariaDB and MySQL would even
     * give the lease of {@code "x "} to {@code "x"}).
     *
     * @param kind what is named, for the message: {@code process}, {@code group} or {@code supervisor}
     * @throws IllegalArgumentException if the name is {@code null}, empty, blank, or begins or ends with whitespace
     */
    static String requireName(String kind, String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(kind + " name must not be empty or blank, was \"" + name + "\"");
        }
        String stripped = name.strip();
        if (!stripped.equals(name)) {
            throw new IllegalArgumentException(kind + " name \"" + name + "\" must not begin or end with whitespace, "
                    + "which would make it look like \"" + stripped + "\"");
        }
        return name;
    }

    /**
     * Checks, as {@link #register register} does, that a supervisor of this name can hold the lease of a singleton of
     * this name: the process name must be {@linkplain #validateProcessName valid} (which also keeps the lease name
     * from ending with a space, which MariaDB and MySQL ignore when they compare names), the lease,
     * {@code <supervisor name>/<process name>}, must fit in {@link LeaseStore#MAX_NAME_LENGTH} characters, and the
     * supervisor's name must not hold a {@code /} (its lease names could be another's). For a layer that reads
     * settings from elsewhere (the servlet container reads {@code web.xml}) and reports every problem before it makes
     * a process.
     *
     * @param supervisorName the supervisor's name
     * @param processName    the singleton's name
     * @throws IllegalArgumentException if the process name is not valid, or the lease name is longer or could be
     *                                  another supervisor's, naming the process and the lease
     */
    public static void validateSingleton(String supervisorName, String processName) {
        validateProcessName(processName);
        String lease = LeaseKeeper.leaseName(supervisorName, processName);
        if (supervisorName.contains("/")) { // a container's supervisor names never do: they are base names
            throw new IllegalArgumentException("process \"" + processName + "\" is a singleton of supervisor \""
                    + supervisorName + "\", whose name holds a '/': its lease name \"" + lease
                    + "\" (supervisor/process) could be another supervisor's");
        }
        if (lease.length() > LeaseStore.MAX_NAME_LENGTH) {
            // refused by the store, it would fail every round's read of the holders, for every singleton
            throw new IllegalArgumentException("process \"" + processName + "\" is a singleton whose lease name \""
                    + lease + "\" (supervisor/process) is longer than the " + LeaseStore.MAX_NAME_LENGTH
                    + " characters a lease store accepts");
        }
    }

    /** {@return a builder for a supervisor with non-default settings} */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- registration and life cycle

    /**
     * Registers a process under a unique name. Before {@link #run()} the process waits for it; afterwards it
     * starts at once.
     *
     * @param name    a non-blank name, unique within this supervisor, that neither begins nor ends with whitespace
     * @param process the work
     * @param options restart policy, recover handler, backoff, watchdog, priority, ...
     * @throws IllegalArgumentException if the name is not {@linkplain #validateProcessName valid} or already in use
     *                                  ({@code process name "x" already in use}), the options do not fit together,
     *                                  or they name a group the builder did not declare
     * @throws IllegalStateException    if shutdown has begun
     */
    public void register(String name, SupervisedProcess process, ProcessOption... options) {
        validateProcessName(name);
        Objects.requireNonNull(process, "process");
        ProcessSpec spec = ProcessSpec.of(options);
        if (spec.singleton && leases == null) {
            throw new IllegalArgumentException("process \"" + name + "\" is a singleton, which needs a lease store: "
                    + "Supervisor.builder().leaseStore(...)");
        }
        if (spec.singleton) {
            validateSingleton(this.name, name);
        }
        ProcessGroup group = spec.group == null ? null : groups.get(spec.group);
        if (spec.group != null && group == null) {
            throw new IllegalArgumentException("process \"" + name + "\": group \"" + spec.group + "\" is not declared;"
                    + " declare it with Supervisor.builder().group(\"" + spec.group + "\", strategy)");
        }
        ManagedProcess managed;
        boolean startNow;
        lifecycleLock.lock();
        try {
            requireNotShutDown();
            managed = new ManagedProcess(name, process, spec, registered.size(), host, group);
            if (processes.putIfAbsent(name, managed) != null) {
                throw new IllegalArgumentException("process name \"" + name + "\" already in use");
            }
            registered.add(managed);
            if (group != null) {
                group.add(managed);
            }
            managed.registered();
            startNow = state == State.RUNNING;
        } finally {
            lifecycleLock.unlock();
        }
        if (startNow) {
            startWithGroup(managed);
        }
    }

    /**
     * Starts every registered process, in ascending priority and then registration order; one an operator started
     * while this call went through the others is not started again. Calling it again does nothing.
     *
     * @throws IllegalStateException if shutdown has begun
     */
    public void run() {
        lifecycleLock.lock();
        try {
            requireNotShutDown();
            if (state == State.RUNNING) {
                return;
            }
        } finally {
            lifecycleLock.unlock();
        }
        if (leases != null && processes.values().stream().anyMatch(p -> p.spec.singleton)) {
            leases.start(); // waits for the store (at most the renewal deadline), so outside the lock; a misconfigured
                            // one fails before any start
        }
        List<ManagedProcess> toStart;
        lifecycleLock.lock();
        try {
            requireNotShutDown();
            if (state == State.RUNNING) {
                return;
            }
            state = State.RUNNING;
            // Taken with the state: a process registered from now on starts itself, and must not be started again
            // here (after its run has completed, say)
            toStart = new ArrayList<>(registered);
        } finally {
            lifecycleLock.unlock();
        }
        toStart.sort(ManagedProcess.START_ORDER);
        LOG.info("Supervisor \"{}\" starting {} process(es)", name, toStart.size());
        if (!ownsExecutor) { // it might run a task on this thread (CallerRunsPolicy): events must not wait for that
            toStart.forEach(Supervisor::startWithGroup);
            return;
        }
        events.holdDeliveries(); // the threads start faster without a wake-up of the event thread per event
        try {
            for (ManagedProcess process : toStart) {
                startWithGroup(process);
                events.deliverHeldIfDue();
            }
        } finally {
            events.stopHolding();
        }
    }

    /**
     * Starts a process from {@link #run()}, or registered after it: a member of a group waits for a group restart
     * already in progress.
     */
    private static void startWithGroup(ManagedProcess process) {
        if (process.group != null) {
            process.group.startRegistered(process);
        } else {
            process.firstStart();
        }
    }

    /**
     * Stops every process and releases the supervisor's threads. Processes are cancelled in descending priority, a
     * priority level at a time (see {@link ProcessContext} for what cancellation does to a run); all of this waits at
     * most the shutdown timeout in total. A process still running then is interrupted once more, reported with its
     * thread's stack trace and abandoned: its late end changes nothing. Shutdown finishes whatever interrupts the
     * calling thread; an interrupt is held back and the thread's interrupt status set again on return. Idempotent
     * and thread-safe: a concurrent caller returns when the first one has finished, except one the first waits for:
     * a listener returns once the processes have stopped, a run of this supervisor (or its recover handler) once
     * the shutdown has cancelled it.
     */
    public void shutdown() {
        boolean first;
        lifecycleLock.lock();
        try {
            first = state == State.NEW || state == State.RUNNING;
            if (first) {
                state = State.STOPPING;
            }
        } finally {
            lifecycleLock.unlock();
        }
        if (!first) {
            awaitTerminationAsConcurrentCaller();
            return;
        }
        long deadline = OwnedThreads.deadlineAfter(shutdownTimeout.toNanos());
        LOG.info("Supervisor \"{}\" shutting down {} process(es) within {} ms", name, processes.size(),
                shutdownTimeout.toMillis());
        DeferredInterrupts interrupts = new DeferredInterrupts();
        try {
            stopProcesses(deadline, interrupts);
            if (leases != null) {
                leases.close(deadline, interrupts); // after the runs have ended: their leases are given back
            }
            releaseThreads(deadline, interrupts);
        } finally {
            state = State.TERMINATED;
            released.countDown();
            terminated.countDown();
            interrupts.restore();
        }
    }

    /**
     * A concurrent caller of {@link #shutdown()} returns when the first has finished, unless the first waits for it.
     * A listener (on the event thread, which the first caller waits for to deliver the last events, or in
     * {@link #runAsListener}) returns once the processes have stopped and the threads are released, as a listener
     * that shuts down first does. A run of this supervisor (or its recover handler), which the first caller waits for
     * to end, returns once shutdown has cancelled it, with its interrupt status set if the cancellation interrupted
     * it.
     */
    private void awaitTerminationAsConcurrentCaller() {
        CountDownLatch awaited = events.isListenerThread() ? released : terminated;
        ProcessRun own = ownRun();
        boolean interrupted = false;
        while (own == null || !own.isCancelled()) {
            try {
                awaited.await(); // a run is interrupted by its cancellation here: cancel() sets the cause first
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@return the run of this supervisor the calling thread is running, or {@code null}} */
    private @Nullable ProcessRun ownRun() {
        ProcessRun current = ProcessRun.current();
        if (current == null) {
            return null;
        }
        ManagedProcess process = processes.get(current.name());
        return process != null && process.isCurrentRun(current) ? current : null;
    }

    /** Cancels processes a priority level at a time, highest first, and abandons those that outlive the deadline. */
    private void stopProcesses(long deadline, DeferredInterrupts interrupts) {
        List<ManagedProcess> stopOrder = inStartOrder();
        Collections.reverse(stopOrder);
        groups.values().forEach(ProcessGroup::close);
        stopOrder.forEach(ManagedProcess::close); // no restart anywhere while the levels above are stopped
        events.releaseWaitingRestarts(); // dropped now: their threads must not wait for the listeners
        if (ownsExecutor) {
            // Nothing is submitted any more (a start racing this finds its run dropped). A worker whose run ends
            // now leaves at once.
            executor.shutdown();
        }
        Map<ManagedProcess, ProcessRun> stuck = new LinkedHashMap<>();
        events.holdDeliveries(); // the runs' threads end faster without a wake-up of the event thread per event
        try {
            int from = 0;
            while (from < stopOrder.size()) {
                int priority = stopOrder.get(from).spec.priority;
                // Runs on the pool's platform threads hand their ends over: those threads end after their runs.
                ShutdownLevel level = new ShutdownLevel(executor instanceof RunThreadPool);
                Instant cancelledAt = clock.instant(); // one for the level: thousands of clock reads add up
                for (; from < stopOrder.size() && stopOrder.get(from).spec.priority == priority; from++) {
                    ManagedProcess process = stopOrder.get(from);
                    ProcessRun own = process.closeForShutdown(level, cancelledAt);
                    if (own != null) { // the run that called shutdown() ends after it
                        interrupts.defer(); // its own cancellation, held back until shutdown has finished
                        process.stoppedByOwnShutdown(own);
                    }
                }
                level.wakeAll(events::deliverHeldIfDue);
                if (!interrupts.await(() -> level.await(deadline, events::deliverHeld))) {
                    stuck.putAll(level.notEnded());
                }
                events.deliverHeld();
            }
        } finally {
            events.stopHolding();
        }
        stuck.forEach(ManagedProcess::abandon);
    }

    /** Stops the threads the supervisor owns, delivers the last events, and stops the event thread. */
    private void releaseThreads(long deadline, DeferredInterrupts interrupts) {
        if (timerThreads != null) {
            scheduler.shutdownNow();
            interrupts.await(() -> timerThreads.joinAll(deadline));
        }
        if (workerThreads != null) {
            // Shut down since the processes were stopped; not shutdownNow(): abandoned runs have been interrupted
            // once more already, and interrupting thousands of threads while they exit slows every exit.
            Set<Thread> givenUp = threadsAbandonedByGroups(); // shutdown neither waits for them nor reports them
            interrupts.await(() -> workerThreads.joinAll(deadline, givenUp));
        }
        // Terminated before the event, so that an observer that adds its listener and then checks isTerminated()
        // either sees true or is sure to receive TERMINATED.
        state = State.TERMINATED;
        released.countDown(); // a listener that called shutdown() while this one was under way may return
        events.close(new SupervisorEvent(SupervisorEvent.Type.TERMINATED, name, null, null, null, null, null, null,
                false, clock.instant()), OwnedThreads.deadlineAtLeast(deadline, EVENT_DRAIN_GRACE.toNanos()),
                interrupts);
        LOG.info("Supervisor \"{}\" terminated", name);
    }

    /** {@return the threads of runs their groups gave up on that are still going} */
    private Set<Thread> threadsAbandonedByGroups() {
        Set<Thread> abandoned = new HashSet<>();
        for (ManagedProcess process : processes.values()) {
            Thread thread = process.threadAbandonedByGroup();
            if (thread != null) {
                abandoned.add(thread);
            }
        }
        return abandoned;
    }

    /**
     * Blocks until the JVM is asked to stop (SIGINT, SIGTERM: a shutdown hook) or {@link #shutdown()} is called,
     * shuts down, then runs {@code teardown} once (Go: {@code WaitOnShutdownSignal}). An interrupt of the waiting
     * thread counts as a signal. During a JVM shutdown the hook waits for the teardown, at most the shutdown
     * timeout.
     *
     * @param teardown run after the shutdown, on the calling thread; may be {@code null}
     */
    public void awaitShutdownSignal(@Nullable Runnable teardown) {
        CountDownLatch tornDown = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            shutdown();
            try {
                tornDown.await(shutdownTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, threadNamePrefix(name) + "-shutdown-hook");
        boolean hooked = addShutdownHook(hook);
        try {
            try {
                terminated.await();
            } catch (InterruptedException e) {
                LOG.info("Supervisor \"{}\": the waiting thread was interrupted; shutting down", name);
            }
            shutdown();
            if (teardown != null) {
                teardown.run();
            }
        } finally {
            tornDown.countDown();
            if (hooked) {
                removeShutdownHook(hook);
            }
        }
    }

    private static boolean addShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return true;
        } catch (IllegalStateException jvmAlreadyStopping) {
            return false;
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException jvmAlreadyStopping) {
            // the hook is running or has run: nothing to remove
        }
    }

    /** Stops every process and releases the supervisor's threads: the same as {@link #shutdown()}. */
    @Override
    public void close() {
        shutdown();
    }

    /**
     * Waits until shutdown has finished.
     *
     * @param timeout the longest time to wait
     * @return whether the supervisor has terminated
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void requireNotShutDown() {
        if (state == State.STOPPING || state == State.TERMINATED) {
            throw new IllegalStateException("supervisor \"" + name + "\" has been shut down");
        }
    }

    private void requireRunning() {
        requireNotShutDown();
        if (state == State.NEW) {
            throw new IllegalStateException("supervisor \"" + name + "\" is not running; call run() first");
        }
    }

    private List<ManagedProcess> inStartOrder() {
        List<ManagedProcess> ordered;
        lifecycleLock.lock();
        try {
            ordered = new ArrayList<>(registered);
        } finally {
            lifecycleLock.unlock();
        }
        ordered.sort(ManagedProcess.START_ORDER);
        return ordered;
    }

    // ---------------------------------------------------------------- queries

    /** {@return the supervisor's name: the JMX {@code context} outside a servlet container} */
    public String name() {
        return name;
    }

    /**
     * {@return this node's id: the owner of the leases its singletons hold} By default the host name, the PID, the
     * supervisor's name and a random suffix, the two names cut to 100 characters each so that it fits a lease store.
     */
    public String nodeId() {
        return nodeId;
    }

    /** {@return the keeper of the singletons' leases, or {@code null}: for tests that drive time and then look} */
    @Nullable LeaseKeeper leaseKeeper() {
        return leases;
    }

    /** {@return the total time {@link #shutdown()} waits for processes} */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** {@return whether {@link #run()} was called and shutdown has not begun} */
    public boolean isStarted() {
        return state == State.RUNNING;
    }

    /**
     * {@return whether shutdown has stopped every process and released the supervisor's threads; listeners may still be
     * receiving the last events, {@link SupervisorEvent.Type#TERMINATED} among them}
     */
    public boolean isTerminated() {
        return state == State.TERMINATED;
    }

    /**
     * {@return whether the named process has a run in progress; {@code false} for an unknown name}
     *
     * @param name a process name
     */
    public boolean isRunning(String name) {
        ManagedProcess process = processes.get(name);
        return process != null && process.status() == ProcessStatus.RUNNING;
    }

    /**
     * {@return the status of the named process (Go: {@code GetProcessStatus})}
     *
     * @param name a process name
     * @throws NoSuchElementException if no process has that name
     */
    public ProcessStatus status(String name) {
        return find(name).status();
    }

    /** {@return how many processes are registered} */
    public int processCount() {
        return processes.size();
    }

    /** {@return the names of all processes, in registration order} */
    public Set<String> processNames() {
        List<ManagedProcess> ordered = new ArrayList<>(processes.values()); // a query: without the lifecycle lock
        ordered.sort(Comparator.comparingLong(p -> p.registrationOrder));
        Set<String> names = new LinkedHashSet<>();
        ordered.forEach(p -> names.add(p.name));
        return Collections.unmodifiableSet(names);
    }

    /**
     * {@return the named process's status, counts, last failure and times, as of now}
     *
     * @param name a process name
     * @throws NoSuchElementException if no process has that name
     */
    public ProcessSnapshot snapshot(String name) {
        return find(name).snapshotNow().at(clock.instant());
    }

    /** {@return the declared groups and their strategies, in the order of declaration; the map cannot be changed} */
    public Map<String, GroupStrategy> groups() {
        Map<String, GroupStrategy> strategies = new LinkedHashMap<>();
        groups.forEach((group, declared) -> strategies.put(group, declared.strategy));
        return Collections.unmodifiableMap(strategies);
    }

    /** {@return a snapshot of every process, in registration order; the list cannot be modified} */
    public List<ProcessSnapshot> snapshots() {
        List<ProcessSnapshot> all = new ArrayList<>();
        processNames().forEach(n -> all.add(snapshot(n)));
        return Collections.unmodifiableList(all);
    }

    private ManagedProcess find(@Nullable String name) {
        ManagedProcess process = name == null ? null : processes.get(name);
        if (process == null) {
            throw new NoSuchElementException("process \"" + name + "\" not found");
        }
        return process;
    }

    // ---------------------------------------------------------------- control of one process

    /**
     * Starts a process that is stopped or failed, with a fresh restart count; a pending restart happens at once.
     * Does nothing to a running process.
     *
     * @param name a process name
     * @throws NoSuchElementException if no process has that name
     * @throws IllegalStateException  if the supervisor is not running
     */
    public void start(String name) {
        ManagedProcess process = find(name);
        requireRunning();
        process.start();
    }

    /**
     * Stops one process: cancels its run (it becomes {@link ProcessStatus#STOPPED} when the run ends) or its
     * pending restart. Does nothing to a process at rest.
     *
     * @param name a process name
     * @throws NoSuchElementException if no process has that name
     */
    public void stop(String name) {
        find(name).stop();
    }

    /**
     * Restarts one process: a running one is cancelled and started again when its run has ended; one at rest is
     * started. The restart count begins afresh. A process whose run has been handed to the executor but has not
     * begun ({@link ProcessStatus#STARTING}, or a restart with no delay left) is left to begin that run, its
     * restart count as it is.
     *
     * @param name a process name
     * @throws NoSuchElementException if no process has that name
     * @throws IllegalStateException  if the supervisor is not running
     */
    public void restart(String name) {
        ManagedProcess process = find(name);
        requireRunning();
        process.restart();
    }

    /**
     * Restarts every member of a group, in start order: runs in progress are cancelled (they end with
     * {@link ExitReason#GROUP}), and once all of them have ended every member starts afresh, with a fresh restart
     * count, whatever its status and policy. Emits {@link SupervisorEvent.Type#GROUP_RESTARTING} with no trigger.
     *
     * @param group a declared group's name
     * @throws NoSuchElementException if no group has that name
     * @throws IllegalStateException  if the supervisor is not running
     */
    public void restartGroup(String group) {
        ProcessGroup found = group == null ? null : groups.get(group);
        if (found == null) {
            throw new NoSuchElementException("group \"" + group + "\" not found");
        }
        requireRunning();
        found.restartAll();
    }

    /**
     * Sets a process's restart count (and backoff) back to zero.
     *
     * @param name a process name
     * @throws NoSuchElementException if no process has that name
     */
    public void resetRestartCount(String name) {
        find(name).resetRestartCount();
    }

    /**
     * Adds a listener for this supervisor's events from now on: every event delivered after the call, which may
     * include some published just before it and not yet delivered (the {@code REGISTERED} of a process registered
     * a moment ago, say). An observer that also reads the current processes when it is added must therefore take an
     * event of a process it already knows in its stride.
     *
     * @param listener the listener
     */
    public void addListener(SupervisorListener listener) {
        events.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Removes a listener added before.
     *
     * @param listener the listener
     */
    public void removeListener(SupervisorListener listener) {
        events.removeListener(listener);
    }

    /**
     * Runs {@code delivery} on the calling thread as a listener of this supervisor: a {@link #shutdown()} called in
     * it returns as a listener's does, once the processes have stopped, without waiting for the last events. For an
     * observer that passes events on to listeners of its own on a thread of its own, and waits for that thread when
     * it gets {@link SupervisorEvent.Type#TERMINATED} (the JMX notifications): otherwise such a listener that shuts
     * the supervisor down waits for the observer, which waits for it.
     *
     * @param delivery what passes the events on
     */
    public void runAsListener(Runnable delivery) {
        events.runAsListener(Objects.requireNonNull(delivery, "delivery"));
    }

    // ---------------------------------------------------------------- builder

    /**
     * Settings of a {@link Supervisor}. Every setting is optional.
     */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        /** The default clock: with it, as with every system clock, durations are measured with System.nanoTime(). */
        private static final Clock SYSTEM_CLOCK = Clock.systemUTC();

        private @Nullable ExecutorService executor;       // null: threads of the supervisor's own
        private @Nullable ScheduledExecutorService scheduler; // null: a thread of the supervisor's own
        private Clock clock = SYSTEM_CLOCK;
        private @Nullable LongSupplier ticker; // null: System.nanoTime() with a system clock, else the clock's time
        private UnaryOperator<ThreadFactory> leaseThreads = UnaryOperator.identity();
        private Duration logRepeatWindow = DEFAULT_LOG_REPEAT_WINDOW;
        private final List<SupervisorListener> listeners = new ArrayList<>();
        private final Map<String, GroupStrategy> groups = new LinkedHashMap<>();
        private boolean virtualThreads;
        private LeaseStore leaseStore;
        private String nodeId;

        private Builder() {
        }

        /**
         * Names the supervisor.
         *
         * @param name the supervisor's name, used in thread names, logs and (outside a container) JMX names;
         *             default {@value #DEFAULT_NAME}
         * @return this builder
         * @throws IllegalArgumentException if the name is empty or blank, or begins or ends with whitespace
         */
        public Builder name(String name) {
            this.name = requireName("supervisor", name);
            return this;
        }

        /**
         * Sets the total time {@link Supervisor#shutdown()} waits for processes.
         *
         * @param timeout total time to wait for processes on shutdown; {@code null}, zero or negative means
         *                {@link #DEFAULT_SHUTDOWN_TIMEOUT}
         * @return this builder
         * @throws IllegalArgumentException if the timeout is longer than {@link ProcessOption#LONGEST}
         */
        public Builder shutdownTimeout(@Nullable Duration timeout) {
            if (timeout != null && timeout.compareTo(ProcessOption.LONGEST) > 0) {
                throw new IllegalArgumentException("shutdownTimeout must be at most " + ProcessOption.LONGEST
                        + ", was " + timeout);
            }
            this.shutdownTimeout = timeout == null || timeout.isNegative() || timeout.isZero()
                    ? DEFAULT_SHUTDOWN_TIMEOUT : timeout;
            return this;
        }

        /**
         * Sets where runs execute.
         *
         * @param executor where runs execute, one task per run (a long one); the supervisor never shuts it down.
         *                 Default: threads the supervisor owns, named {@code simplevisor-<process>} while they run
         *                 a process, and joined on shutdown. A run it refuses (throws for) leaves the process
         *                 {@code FAILED} with the refusal as its last failure; so does a run none of its threads
         *                 has begun within 30 seconds, as nothing tells a run waiting for a thread from one it
         *                 dropped without throwing (a {@code ThreadPoolExecutor}'s discard policies, its caller-runs
         *                 policy once it is shut down, the runs {@code shutdownNow()} took from its queue). Give it a
         *                 thread for every process.
         * @return this builder
         */
        public Builder executor(ExecutorService executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Sets the scheduler that times restart delays, watchdog checks and the check that an executor passed in
         * begins each run.
         *
         * @param scheduler where restart delays, watchdog checks and the check that an executor passed in begins
         *                  each run wait; the supervisor never shuts it down, and takes what it cancels off a
         *                  {@link ScheduledThreadPoolExecutor}'s queue whatever its remove-on-cancel policy.
         *                  Default: one daemon thread the supervisor owns. Shut down while the supervisor runs,
         *                  it refuses their timers: a process that needs one then ends {@code FAILED}, as one whose
         *                  run the executor refuses.
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Sets the clock that gives the times the supervisor reports.
         *
         * @param clock the time source of the times the supervisor reports (start times, events, snapshots). With
         *              the default clock, or any of the JDK's system clocks ({@link Clock#systemUTC()},
         *              {@link Clock#systemDefaultZone()}, {@link Clock#system(java.time.ZoneId)}), what it measures
         *              (heartbeats, healthy durations, restart windows, lease deadlines) is measured with
         *              {@link System#nanoTime()}, so that a wall clock set forward or back declares no run hung or
         *              healthy and moves no lease deadline; with another clock, with that clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** For tests: a monotonic time in nanoseconds apart from the clock, to set the wall clock against it. */
        Builder ticker(LongSupplier ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** For tests: what the lease keeper makes its threads through (one that cannot make a thread, say). */
        Builder leaseThreads(UnaryOperator<ThreadFactory> leaseThreads) {
            this.leaseThreads = Objects.requireNonNull(leaseThreads, "leaseThreads");
            return this;
        }

        /**
         * Sets how long repeats of a logged outcome of a process are counted instead of logged, which keeps the log
         * readable in a restart loop. The first time a run of a process ends in a way (a failure: its type, message
         * and top stack frames, and those of each of its causes; or a completion) it is logged in full; the same
         * again within this window, and the restart lines that follow it, are counted instead of logged. What was
         * counted is told once per window: by the next full line of that outcome ("Before this one, N more ...") or
         * by a summary line (how many, from when to when) when the process comes to rest or the supervisor
         * terminates. A different outcome, the restart limit, a hang and a shutdown timeout are always logged in full.
         *
         * @param window how long repeats are counted after an outcome was logged; {@link Duration#ZERO} logs every
         *               one; default {@link #DEFAULT_LOG_REPEAT_WINDOW}
         * @return this builder
         * @throws IllegalArgumentException if the window is negative or longer than {@link ProcessOption#LONGEST}
         */
        public Builder logRepeatWindow(Duration window) {
            Objects.requireNonNull(window, "window");
            if (window.isNegative() || window.compareTo(ProcessOption.LONGEST) > 0) {
                throw new IllegalArgumentException("logRepeatWindow must be between 0 and " + ProcessOption.LONGEST
                        + ", was " + window);
            }
            this.logRepeatWindow = window;
            return this;
        }

        /**
         * Adds a listener that receives every event, the first one included.
         *
         * @param listener a listener for all events from the first one on
         * @return this builder
         */
        public Builder listener(SupervisorListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Sets whether the supervisor's own runs use virtual threads.
         *
         * @param virtualThreads run processes on virtual threads (Java 21 and later) instead of the default
         *                       platform threads; ignored when an executor is given
         * @return this builder
         */
        public Builder virtualThreads(boolean virtualThreads) {
            this.virtualThreads = virtualThreads;
            return this;
        }

        /**
         * Sets where the leases of singletons ({@link ProcessOption#singleton()}) live: a store shared by every node
         * that runs them, such as {@code org.simplevisor.cluster.JdbcLeaseStore} on the application's database.
         * Needed once any singleton is registered. The supervisor prepares it in {@link Supervisor#run()} and never
         * closes it.
         *
         * @param store the lease store
         * @return this builder
         */
        public Builder leaseStore(LeaseStore store) {
            this.leaseStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Sets this node's id, the owner of the leases it holds: unique among the nodes sharing a lease store, and
         * new for each life of a node. Default: host name, PID, supervisor name and a random suffix.
         *
         * @param nodeId a non-blank id of at most {@value LeaseStore#MAX_NAME_LENGTH} characters
         * @return this builder
         */
        public Builder nodeId(String nodeId) {
            if (nodeId == null || nodeId.isBlank()) {
                throw new IllegalArgumentException("nodeId must not be empty");
            }
            if (nodeId.length() > LeaseStore.MAX_NAME_LENGTH) {
                throw new IllegalArgumentException("nodeId must have at most " + LeaseStore.MAX_NAME_LENGTH
                        + " characters (a lease store's owner), has " + nodeId.length());
            }
            this.nodeId = nodeId;
            return this;
        }

        /**
         * Declares a group of processes that restart together; processes join it with
         * {@link ProcessOption#inGroup(String)}. See {@link GroupStrategy}.
         *
         * @param group    the group's name
         * @param strategy how its members restart
         * @return this builder
         * @throws IllegalArgumentException if the name is empty or blank, begins or ends with whitespace, or the
         *                                  group is already declared with another strategy
         */
        public Builder group(String group, GroupStrategy strategy) {
            requireName("group", group);
            Objects.requireNonNull(strategy, "strategy");
            GroupStrategy declared = groups.putIfAbsent(group, strategy);
            if (declared != null && declared != strategy) {
                throw new IllegalArgumentException("group \"" + group + "\" is already declared " + declared
                        + "; it cannot also be " + strategy);
            }
            return this;
        }

        /**
         * {@return a new supervisor}
         *
         * @throws IllegalArgumentException if virtual threads are asked for on a JVM older than Java 21
         */
        public Supervisor build() {
            return new Supervisor(this);
        }
    }
}
