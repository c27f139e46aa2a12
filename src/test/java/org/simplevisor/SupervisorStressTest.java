package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hammers one supervisor from many threads at once (registrations, queries, start/stop/restart/reset) while some
 * of its processes crash-loop with no restart delay, and checks invariants that hold whatever the interleaving:
 * a process never runs twice at once, snapshots are consistent, nothing runs after shutdown, no thread is left
 * behind, and the event stream is complete and consistent.
 */
class SupervisorStressTest {

    private static final String SUPERVISOR = "stress";
    private static final int WORKERS = 8;
    /** Time the workers hammer the running supervisor before shutdown begins (they go on during it). */
    private static final Duration STRESS_TIME = Duration.ofMillis(3000);
    /** Hard bound of a worker's life, whatever happens. */
    private static final Duration WORKER_LIMIT = Duration.ofSeconds(8);
    private static final int MAX_OPERATIONS_PER_WORKER = 200_000;
    private static final int MAX_REGISTRATIONS_PER_WORKER = 25;
    /** Operations a worker goes on with once shutdown has been called (stopping takes a few 100 ms at most). */
    private static final int OPERATIONS_DURING_SHUTDOWN = 3_000;
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** How a probe's runs end. */
    private enum Kind { CRASH_LOOP, FAIL, BLOCK, COMPLETE }

    /** A cheap unchecked exception: the crash loops throw a great many. */
    private static final class StressCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StressCrash(String message) {
            super(message, null, false, false);
        }
    }

    /** A cheap checked exception: a failure, not a crash. */
    private static final class StressFailure extends Exception {
        private static final long serialVersionUID = 1L;

        StressFailure(String message) {
            super(message, null, false, false);
        }
    }

    // ---------------------------------------------------------------- state shared by probes and workers

    private volatile boolean shutdownCalled;
    private volatile boolean shutdownReturned;
    private final Problems problems = new Problems();
    private final Set<Thread> runThreads = ConcurrentHashMap.newKeySet();
    private final Map<String, Probe> probes = new ConcurrentHashMap<>();
    private final List<String> registered = new CopyOnWriteArrayList<>();
    private final AtomicLong recovered = new AtomicLong();

    /** A bounded collection of the invariant violations seen by any thread. */
    private static final class Problems {
        private final ConcurrentLinkedQueue<String> items = new ConcurrentLinkedQueue<>();
        private final AtomicInteger count = new AtomicInteger();

        void add(String problem) {
            if (count.incrementAndGet() <= 50) {
                items.add(problem);
            }
        }

        List<String> all() {
            return new ArrayList<>(items);
        }
    }

    /** A process that records how many of its runs are active at once and whether one began too late. */
    private final class Probe implements SupervisedProcess {
        final String name;
        final Kind kind;
        final AtomicInteger active = new AtomicInteger();
        final AtomicInteger maxActive = new AtomicInteger();
        final AtomicLong runs = new AtomicLong();
        final AtomicLong runsAfterShutdown = new AtomicLong();

        Probe(String name, Kind kind) {
            this.name = name;
            this.kind = kind;
        }

        @Override
        public void run(ProcessContext ctx) throws Exception {
            int now = active.incrementAndGet();
            try {
                maxActive.accumulateAndGet(now, Math::max);
                runs.incrementAndGet();
                runThreads.add(Thread.currentThread());
                if (shutdownReturned) {
                    runsAfterShutdown.incrementAndGet();
                    problems.add(name + ": a run began after shutdown() returned");
                }
                if (now > 1) {
                    problems.add(name + ": " + now + " runs at once");
                }
                if (!ctx.name().equals(name)) {
                    problems.add(name + ": context names " + ctx.name());
                }
                switch (kind) {
                    case CRASH_LOOP:
                        throw new StressCrash(name);
                    case FAIL:
                        throw new StressFailure(name);
                    case BLOCK:
                        ctx.awaitCancellation();
                        return;
                    case COMPLETE:
                    default:
                        return;
                }
            } finally {
                active.decrementAndGet();
            }
        }
    }

    /**
     * Checks the event stream as it arrives (storing it all would take too much memory): per process, the
     * previous-status chain, one end per start, and counts that match the snapshots; overall, TERMINATED last.
     */
    private static final class InvariantListener implements SupervisorListener {

        private static final class PerProcess {
            ProcessStatus lastStatus;
            long started;
            long ended;
            ProcessSnapshot lastSnapshot;
            final Map<SupervisorEvent.Type, Long> counts = new HashMap<>();
        }

        private final Map<String, PerProcess> processes = new HashMap<>();
        private final Problems problems;
        private long events;
        private long terminatedEvents;
        private SupervisorEvent last;

        InvariantListener(Problems problems) {
            this.problems = problems;
        }

        @Override
        public synchronized void onEvent(SupervisorEvent event) {
            events++;
            last = event;
            if (event.type() == SupervisorEvent.Type.TERMINATED) {
                terminatedEvents++;
                if (event.processName() != null) {
                    problems.add("TERMINATED names a process: " + event.processName());
                }
                return;
            }
            String name = event.processName();
            if (terminatedEvents > 0) {
                problems.add(name + ": " + event.type() + " after TERMINATED");
            }
            PerProcess p = processes.get(name);
            if (p == null) {
                p = new PerProcess();
                processes.put(name, p);
                if (event.type() != SupervisorEvent.Type.REGISTERED) {
                    problems.add(name + ": first event is " + event.type() + ", not REGISTERED");
                }
            } else if (event.previousStatus() != p.lastStatus) {
                problems.add(name + ": " + event.type() + " has previousStatus " + event.previousStatus()
                        + " but the previous event left " + p.lastStatus);
            }
            p.counts.merge(event.type(), 1L, Long::sum);
            if (event.type() == SupervisorEvent.Type.STATUS_CHANGED && event.error() != null) {
                problems.add(name + ": STATUS_CHANGED with error " + event.error()); // e.g. the executor refused
            }
            switch (event.type()) {
                case STARTED:
                    if (p.started != p.ended) {
                        problems.add(name + ": STARTED while a run is open (" + p.started + " starts, " + p.ended
                                + " ends)");
                    }
                    p.started++;
                    break;
                case COMPLETED:
                case FAILED:
                case CRASHED:
                case STOPPED:
                    if (p.started != p.ended + 1) {
                        problems.add(name + ": " + event.type() + " without an open run (" + p.started
                                + " starts, " + p.ended + " ends)");
                    }
                    p.ended++;
                    break;
                default:
                    break;
            }
            ProcessSnapshot snapshot = event.snapshot();
            if (snapshot.totalStarts() != p.started || snapshot.totalExits() != p.ended) {
                problems.add(name + ": " + event.type() + " carries starts/exits " + snapshot.totalStarts() + "/"
                        + snapshot.totalExits() + " but the events counted " + p.started + "/" + p.ended);
            }
            p.lastStatus = snapshot.status();
            p.lastSnapshot = snapshot;
        }

        synchronized long events() {
            return events;
        }

        synchronized long terminatedEvents() {
            return terminatedEvents;
        }

        synchronized SupervisorEvent last() {
            return last;
        }

        synchronized Map<String, PerProcess> processes() {
            return new HashMap<>(processes);
        }
    }

    // ---------------------------------------------------------------- the stress test

    /**
     * The logging listener logs every event, crashes at ERROR; with crash loops that is hundreds of thousands of
     * lines, which slow the single event thread down until shutdown spends seconds draining its queue. The stress
     * test silences the library's logger and checks failures through its own listener instead.
     */
    @Test
    @Timeout(60)
    void manyThreadsAgainstCrashLoopsKeepEveryInvariant() throws Exception {
        LoggerConfig config = ((LoggerContext) LogManager.getContext(false)).getConfiguration()
                .getLoggerConfig("org.simplevisor");
        Level level = config.getLevel();
        Configurator.setLevel("org.simplevisor", Level.OFF);
        try {
            stress();
        } finally {
            Configurator.setLevel("org.simplevisor", level);
        }
    }

    private void stress() throws Exception {
        long testStart = System.nanoTime();
        Set<Thread> threadsBefore = new HashSet<>(Thread.getAllStackTraces().keySet());
        InvariantListener listener = new InvariantListener(problems);
        Supervisor supervisor = Supervisor.builder().name(SUPERVISOR).shutdownTimeout(SHUTDOWN_TIMEOUT)
                .listener(listener).build();

        for (int i = 0; i < 3; i++) {
            register(supervisor, "crash-loop-" + i, Kind.CRASH_LOOP, i % 3);
            register(supervisor, "fail-" + i, Kind.FAIL, i % 3);
            register(supervisor, "block-" + i, Kind.BLOCK, i % 3);
            register(supervisor, "complete-" + i, Kind.COMPLETE, i % 3);
        }
        supervisor.run();

        CountDownLatch stressed = new CountDownLatch(WORKERS);
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        List<Future<Long>> results = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int id = w;
            results.add(workers.submit(() -> work(supervisor, id, stressed)));
        }
        long operations;
        long shutdownMillis;
        long eventsAtShutdown;
        long phaseOneMillis;
        try {
            assertThat(stressed.await(WAIT.toMillis() + STRESS_TIME.toMillis(), TimeUnit.MILLISECONDS))
                    .as("workers done with the first phase").isTrue();
            // The workers go on while the supervisor shuts down.
            phaseOneMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - testStart);
            shutdownCalled = true;
            eventsAtShutdown = listener.events();
            long shutdownStart = System.nanoTime();
            supervisor.shutdown();
            shutdownReturned = true;
            shutdownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - shutdownStart);
            operations = 0;
            for (Future<Long> result : results) {
                operations += result.get(WAIT.toSeconds() + WORKER_LIMIT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            workers.shutdownNow();
            supervisor.shutdown();
        }
        assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(operations).as("operations done").isPositive();
        System.out.printf("stress: %d operations, %d processes, %d runs, %d events (%d delivered when shutdown "
                + "began); shutdown called after %d ms, took %d ms%n", operations, registered.size(), totalRuns(),
                listener.events(), eventsAtShutdown, phaseOneMillis, shutdownMillis);

        // Nothing ran twice at once, nothing began after shutdown, no query saw an inconsistent snapshot.
        assertThat(problems.all()).as("invariant violations").isEmpty();
        long runsAtShutdown = totalRuns();
        assertThat(probes.values().stream().mapToLong(p -> p.runs.get()).sum()).isPositive();
        assertThat(probes.values()).allSatisfy(p -> {
            assertThat(p.maxActive.get()).as(p.name + " runs at once").isLessThanOrEqualTo(1);
            assertThat(p.runsAfterShutdown.get()).as(p.name + " runs after shutdown").isZero();
        });
        assertThat(probes.get("crash-loop-0").runs.get()).as("the crash loop looped").isGreaterThan(10);
        assertThat(recovered.get()).as("recover handler calls").isPositive();

        // Every process is at rest, and every run that began has ended.
        assertThat(supervisor.isTerminated()).isTrue();
        assertThat(supervisor.processNames()).containsExactlyInAnyOrderElementsOf(registered);
        List<ProcessSnapshot> snapshots = supervisor.snapshots();
        assertThat(snapshots).hasSize(registered.size());
        for (ProcessSnapshot s : snapshots) {
            assertThat(s.totalStarts()).as(s.name() + " starts == exits").isEqualTo(s.totalExits());
            assertThat(s.status()).as(s.name() + " status").isIn(ProcessStatus.STOPPED, ProcessStatus.FAILED);
            assertThat(s.totalStarts()).as(s.name() + " starts seen by the process")
                    .isEqualTo(probes.get(s.name()).runs.get());
            assertThat(supervisor.isRunning(s.name())).isFalse();
        }

        // After shutdown: nothing starts, stop and reset do nothing, no run begins later.
        String any = registered.get(0);
        assertThatThrownBy(() -> supervisor.start(any)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> supervisor.restart(any)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> supervisor.register("late", ctx -> { }))
                .isInstanceOf(IllegalStateException.class);
        supervisor.stop(any);
        supervisor.resetRestartCount(any);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> totalRuns() == runsAtShutdown);

        // No thread of the supervisor, nor any thread that ran a process, outlives it.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Set<Thread> left = leftoverThreads(threadsBefore);
            assertThat(left).as("threads left behind: %s", describe(left)).isEmpty();
        });

        // The event stream: complete, consistent, TERMINATED last.
        long eventCount = listener.events();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                .until(() -> listener.events() == eventCount);
        assertThat(problems.all()).as("event stream violations").isEmpty();
        assertThat(listener.terminatedEvents()).isEqualTo(1);
        assertThat(listener.last().type()).isEqualTo(SupervisorEvent.Type.TERMINATED);
        Map<String, InvariantListener.PerProcess> perProcess = listener.processes();
        assertThat(perProcess.keySet()).containsExactlyInAnyOrderElementsOf(registered);
        for (ProcessSnapshot s : snapshots) {
            InvariantListener.PerProcess p = perProcess.get(s.name());
            long ends = count(p, SupervisorEvent.Type.COMPLETED) + count(p, SupervisorEvent.Type.FAILED)
                    + count(p, SupervisorEvent.Type.CRASHED) + count(p, SupervisorEvent.Type.STOPPED);
            assertThat(count(p, SupervisorEvent.Type.STARTED)).as(s.name() + " STARTED == run ends").isEqualTo(ends);
            assertThat(count(p, SupervisorEvent.Type.STARTED)).as(s.name() + " STARTED events")
                    .isEqualTo(s.totalStarts());
            assertThat(count(p, SupervisorEvent.Type.SHUTDOWN_TIMEOUT)).as(s.name() + " abandoned").isZero();
            assertThat(p.lastStatus).as(s.name() + " status at its last event").isEqualTo(s.status());
            assertThat(p.lastSnapshot.totalExits()).as(s.name() + " exits at its last event")
                    .isEqualTo(s.totalExits());
        }
        System.out.printf("stress: done after %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - testStart));
    }

    /**
     * "Nothing starts or restarts once shutdown has begun" (docs/contract.md, Shutdown). Shutdown closes processes a
     * priority level at a time; while it waits for a higher level to stop, a lower-priority process that is not
     * closed yet keeps restarting.
     */
    @ParameterizedTest(name = "restart delay {0} ms")
    @ValueSource(longs = {0, 5})
    @Timeout(30)
    void aLowerPriorityProcessIsNotRestartedOnceShutdownHasBegun(long delayMillis) throws Exception {
        Supervisor supervisor = Supervisor.builder().name(SUPERVISOR + "-order").shutdownTimeout(SHUTDOWN_TIMEOUT)
                .build();
        CountDownLatch cancelled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Higher priority: stopped first, and slow to stop.
        supervisor.register("slow-to-stop", ctx -> {
            ctx.awaitCancellation();
            cancelled.countDown();
            long end = System.nanoTime() + WAIT.toNanos();
            while (release.getCount() > 0 && System.nanoTime() < end) {
                try {
                    release.await(end - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException cancellation) {
                    // ignores the cancellation's interrupt until released
                }
            }
        }, ProcessOption.withPriority(10));
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("crash-loop", ctx -> {
            runs.incrementAndGet();
            throw new StressCrash("crash-loop");
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ofMillis(delayMillis)),
                ProcessOption.withPriority(0));
        try {
            supervisor.run();
            await().atMost(WAIT).until(() -> runs.get() >= 3 && supervisor.isRunning("slow-to-stop"));

            Thread shutter = new Thread(supervisor::shutdown, "stress-shutter");
            shutter.start();
            try {
                assertThat(cancelled.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("shutdown began").isTrue();
                assertThat(supervisor.isStarted()).as("shutdown began").isFalse();
                // Closed before any level is cancelled: its next end, or its pending restart, leaves it STOPPED
                // while the higher level is still stopping.
                await().atMost(WAIT).until(() -> supervisor.status("crash-loop") == ProcessStatus.STOPPED);
                assertThat(supervisor.isRunning("slow-to-stop")).as("the higher level is still stopping").isTrue();
                int runsOnceClosed = runs.get();
                release.countDown();
                shutter.join(WAIT.toMillis());
                assertThat(runs.get()).as("no restart after shutdown began").isEqualTo(runsOnceClosed);
            } finally {
                release.countDown();
                shutter.join(WAIT.toMillis());
            }
            assertThat(supervisor.isTerminated()).isTrue();
        } finally {
            release.countDown();
            supervisor.shutdown();
        }
    }

    /**
     * Registers "crash-loop": every run crashes at once and is restarted without delay or limit.
     *
     * @return its runs so far
     */
    private static AtomicInteger registerCrashLoop(Supervisor supervisor) {
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("crash-loop", ctx -> {
            runs.incrementAndGet();
            throw new IllegalStateException("crash-loop");
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO));
        return runs;
    }

    /**
     * A zero-delay crash loop, with nothing but the built-in logging listener, makes events (STARTED, CRASHED,
     * RESTARTING per run) faster than the single event thread logs them. The unbounded event queue grows for as
     * long as the loop lasts (here about 35,000 events a second, ~100 MB of heap after 6 s); shutdown then spends its
     * whole timeout draining it and drops the rest, TERMINATED included.
     */
    @Test
    @Timeout(60)
    void aZeroDelayCrashLoopDoesNotOutrunTheEventsAndShutdownDeliversThemAll() {
        RecordingCounts counts = new RecordingCounts();
        Supervisor supervisor = Supervisor.builder().name(SUPERVISOR + "-backlog")
                .shutdownTimeout(Duration.ofSeconds(1)).listener(counts).build();
        AtomicInteger runs = registerCrashLoop(supervisor);
        try {
            supervisor.run();
            await().atMost(Duration.ofSeconds(30)).until(() -> runs.get() >= 30_000);
        } finally {
            supervisor.shutdown();
        }

        long starts = supervisor.snapshot("crash-loop").totalStarts();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(counts.terminated()).as("TERMINATED delivered").isTrue();
            assertThat(counts.started()).as("STARTED events delivered").isEqualTo(starts);
        });
    }

    /**
     * The backlog limit holds back restarts only: with a listener stuck and more than {@link
     * EventDispatcher#BACKLOG_LIMIT} events waiting, a mass start still starts every process, while a crash loop
     * stops restarting until the listener catches up (then it goes on).
     */
    @Test
    @Timeout(60)
    void aStuckListenerHoldsBackRestartsButNotFirstStarts() throws InterruptedException {
        CountDownLatch listenerReleased = new CountDownLatch(1);
        CountDownLatch listenerStuck = new CountDownLatch(1);
        Supervisor supervisor = Supervisor.builder().name(SUPERVISOR + "-gate").shutdownTimeout(Duration.ofSeconds(5))
                .listener(event -> {
                    listenerStuck.countDown();
                    try {
                        listenerReleased.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }).build();
        int processes = EventDispatcher.BACKLOG_LIMIT; // REGISTERED + STATUS_CHANGED each: twice the limit
        CountDownLatch allRunning = new CountDownLatch(processes);
        for (int i = 0; i < processes; i++) {
            supervisor.register("waiter-" + i, ctx -> {
                allRunning.countDown();
                ctx.awaitCancellation();
            });
        }
        AtomicInteger crashLoopRuns = registerCrashLoop(supervisor);
        try {
            supervisor.run();
            assertThat(listenerStuck.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(allRunning.await(30, TimeUnit.SECONDS)).as("every first start began, listener stuck").isTrue();
            await().atMost(WAIT).until(() -> supervisor.status("crash-loop") == ProcessStatus.RESTARTING);
            // The backlog was over the limit before run(): the first run began, its restart waits for the listener.
            assertThat(crashLoopRuns.get()).as("runs of the crash loop while the listener is stuck").isEqualTo(1);
            listenerReleased.countDown();
            await().atMost(WAIT).until(() -> crashLoopRuns.get() > 100);
        } finally {
            listenerReleased.countDown();
            supervisor.shutdown();
        }
        assertThat(supervisor.processNames()).allSatisfy(name ->
                assertThat(supervisor.status(name)).isIn(ProcessStatus.STOPPED));
    }

    /** Counts events without keeping them. */
    private static final class RecordingCounts implements SupervisorListener {
        private final AtomicLong started = new AtomicLong();
        private volatile boolean terminated;

        @Override
        public void onEvent(SupervisorEvent event) {
            if (event.type() == SupervisorEvent.Type.STARTED) {
                started.incrementAndGet();
            } else if (event.type() == SupervisorEvent.Type.TERMINATED) {
                terminated = true;
            }
        }

        long started() {
            return started.get();
        }

        boolean terminated() {
            return terminated;
        }
    }

    private static long count(InvariantListener.PerProcess p, SupervisorEvent.Type type) {
        return p.counts.getOrDefault(type, 0L);
    }

    private long totalRuns() {
        return probes.values().stream().mapToLong(p -> p.runs.get()).sum();
    }

    private void register(Supervisor supervisor, String name, Kind kind, int priority) {
        Probe probe = new Probe(name, kind);
        probes.put(name, probe);
        ProcessOption restart;
        switch (kind) {
            case CRASH_LOOP:
                restart = ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO);
                break;
            case FAIL: // a few immediate or short-delayed restarts, then FAILED until an operator starts it
                restart = ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3,
                        priority == 0 ? Duration.ZERO : Duration.ofMillis(1));
                break;
            case COMPLETE: // restarted after a short delay: exercises the timer's restarts and their cancellation
                restart = ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ofMillis(1 + priority));
                break;
            case BLOCK:
            default:
                restart = ProcessOption.withRestart(RestartPolicy.NEVER, 3, Duration.ZERO);
                break;
        }
        supervisor.register(name, probe, restart, ProcessOption.withPriority(priority),
                ProcessOption.withRecover(t -> recovered.incrementAndGet()));
        registered.add(name);
    }

    /** One worker: random operations until its time or operation budget is spent, and on during the shutdown. */
    private long work(Supervisor supervisor, int id, CountDownLatch stressed) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long start = System.nanoTime();
        long stressEnd = start + STRESS_TIME.toNanos();
        long hardEnd = start + WORKER_LIMIT.toNanos();
        boolean counted = false;
        int registrations = 0;
        long ops = 0;
        long opsAtShutdown = -1;
        try {
            while (ops < MAX_OPERATIONS_PER_WORKER && !shutdownReturned) {
                if (opsAtShutdown < 0 && shutdownCalled) {
                    opsAtShutdown = ops;
                } else if (opsAtShutdown >= 0 && ops - opsAtShutdown >= OPERATIONS_DURING_SHUTDOWN) {
                    break; // enough to race with the stopping; leave the CPU to the event thread's draining
                }
                long now = System.nanoTime();
                if (!counted && (now >= stressEnd || ops >= MAX_OPERATIONS_PER_WORKER / 2)) {
                    counted = true;
                    stressed.countDown();
                }
                if (now >= hardEnd) {
                    break;
                }
                ops++;
                String name = registered.get(random.nextInt(registered.size()));
                try {
                    if (operate(supervisor, id, random, name, registrations)) {
                        registrations++;
                    }
                } catch (IllegalStateException e) {
                    if (!shutdownCalled) {
                        problems.add("worker " + id + ": " + e + " before shutdown");
                    }
                }
            }
        } catch (Throwable t) {
            problems.add("worker " + id + " died: " + t);
        } finally {
            if (!counted) {
                stressed.countDown();
            }
        }
        return ops;
    }

    /** One random operation; @return whether it registered a new process */
    private boolean operate(Supervisor supervisor, int id, ThreadLocalRandom random, String name, int registrations) {
        int op = random.nextInt(100);
        if (op < 3 && registrations < MAX_REGISTRATIONS_PER_WORKER) {
            Kind[] kinds = {Kind.FAIL, Kind.BLOCK, Kind.COMPLETE, Kind.BLOCK};
            String newName = "w" + id + "-" + registrations;
            // two more crash loops in all, no more: each keeps a core busy
            Kind kind = id < 2 && registrations == 5 ? Kind.CRASH_LOOP : kinds[random.nextInt(kinds.length)];
            register(supervisor, newName, kind, random.nextInt(3));
            return true;
        } else if (op < 20) {
            ProcessStatus status = supervisor.status(name);
            assertThat(status).isNotNull();
        } else if (op < 30) {
            supervisor.isRunning(name);
        } else if (op < 45) {
            check(supervisor.snapshot(name), name);
        } else if (op < 48) {
            List<String> known = List.copyOf(registered);
            List<ProcessSnapshot> all = supervisor.snapshots();
            Set<String> seen = all.stream().map(ProcessSnapshot::name).collect(Collectors.toSet());
            if (!seen.containsAll(known)) {
                problems.add("snapshots() misses registered processes");
            }
            all.forEach(s -> check(s, s.name()));
        } else if (op < 51) {
            List<String> known = List.copyOf(registered);
            Set<String> names = supervisor.processNames();
            if (!names.containsAll(known)) {
                problems.add("processNames() misses registered processes");
            }
            if (supervisor.processCount() < known.size()) {
                problems.add("processCount() below the registrations");
            }
        } else if (op < 63) {
            supervisor.restart(name);
        } else if (op < 75) {
            supervisor.stop(name);
        } else if (op < 90) {
            supervisor.start(name);
        } else {
            supervisor.resetRestartCount(name);
        }
        return false;
    }

    /** A snapshot is of one moment: at most one run open, and RUNNING exactly while one is. */
    private void check(ProcessSnapshot s, String name) {
        long open = s.totalStarts() - s.totalExits();
        if (!s.name().equals(name)) {
            problems.add(name + ": snapshot names " + s.name());
        }
        if (open < 0 || open > 1) {
            problems.add(name + ": snapshot with " + s.totalStarts() + " starts and " + s.totalExits() + " exits");
        }
        if (s.running() != (open == 1)) {
            problems.add(name + ": snapshot " + s.status() + " with " + open + " open run(s)");
        }
    }

    private Set<Thread> leftoverThreads(Set<Thread> before) {
        Set<Thread> left = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("simplevisor-") && !before.contains(t)) {
                left.add(t);
            }
        }
        for (Thread t : runThreads) {
            if (t.isAlive()) {
                left.add(t);
            }
        }
        return left;
    }

    private static String describe(Collection<Thread> threads) {
        return threads.stream().map(Thread::getName).collect(Collectors.joining(", "));
    }
}
