package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ShutDownAfterEach;
import org.simplevisor.testing.ShutdownSignalWaiter;

/**
 * One regression test per defect of the Go package that must not recur (docs/go-port.md). Each test is named after
 * its defect. Waits are on conditions, latches or virtual time; nothing sleeps.
 */
class GoDefectsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RecordingListener events = new RecordingListener();
    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    @RegisterExtension
    final ShutDownAfterEach shutDown = new ShutDownAfterEach();
    private final CapturedLogs logs = shutDown.closeable(CapturedLogs.attach());

    private Supervisor track(Supervisor supervisor) {
        return shutDown.supervisor(supervisor);
    }

    private Supervisor supervisor() {
        return track(Supervisor.builder().listener(events).build());
    }

    /** {@return a supervisor on {@link #clock}, its restart delays and watchdog checks on {@link #scheduler}} */
    private Supervisor onManualTime() {
        return track(Supervisor.builder().clock(clock).scheduler(scheduler).listener(events).build());
    }

    private ExecutorService pool(int threads) {
        return shutDown.executor(Executors.newFixedThreadPool(threads));
    }

    private static SupervisedProcess blocking() {
        return ProcessContext::awaitCancellation;
    }

    /** The invariant of defect 7: every run begun has ended, except the one in progress. */
    private static void assertTotalsConsistent(ProcessSnapshot snapshot) {
        assertThat(snapshot.totalStarts())
                .as("totalStarts of %s (status %s)", snapshot.name(), snapshot.status())
                .isEqualTo(snapshot.totalExits() + (snapshot.running() ? 1 : 0));
        assertThat(snapshot.totalFailures() + snapshot.totalCrashes()).isLessThanOrEqualTo(snapshot.totalExits());
        assertThat(snapshot.totalRestarts()).isLessThanOrEqualTo(snapshot.totalStarts());
    }

    /** WARN, ERROR and FATAL lines that concern {@code process}: by ThreadContext or by message. */
    private List<CapturedLogs.Line> warningsAbout(String process) {
        return logs.lines().stream()
                .filter(l -> l.level().isMoreSpecificThan(Level.WARN))
                .filter(l -> process.equals(l.process()) || l.message().contains("\"" + process + "\""))
                .collect(Collectors.toList());
    }

    // ---------------------------------------------------------------- defect 1

    enum Crash {
        RUNTIME_EXCEPTION(() -> new IllegalStateException("test panic")),
        ERROR(() -> new AssertionError("test error-panic"));

        final Supplier<Throwable> make;

        Crash(Supplier<Throwable> make) {
            this.make = make;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Crash.class)
    void defect1_aCrashIsRestartedUnderAlwaysAndOnFailure(Crash crash) throws Exception {
        for (RestartPolicy policy : List.of(RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE)) {
            String name = "crash-" + crash + "-" + policy;
            Throwable thrown = crash.make.get();
            AtomicInteger runs = new AtomicInteger();
            List<Integer> contextRestartCounts = new CopyOnWriteArrayList<>();
            List<Throwable> recovered = new CopyOnWriteArrayList<>();
            Supervisor supervisor = supervisor();
            supervisor.register(name, ctx -> {
                contextRestartCounts.add(ctx.restartCount());
                if (runs.incrementAndGet() == 1) {
                    if (thrown instanceof RuntimeException) {
                        throw (RuntimeException) thrown;
                    }
                    throw (Error) thrown;
                }
                ctx.awaitCancellation();
            }, ProcessOption.withRestart(policy, 3, Duration.ZERO), ProcessOption.withRecover(recovered::add));
            supervisor.run();

            SupervisorEvent crashed = events.await(name, SupervisorEvent.Type.CRASHED);
            assertThat(crashed.reason()).isEqualTo(ExitReason.CRASHED);
            assertThat(crashed.error()).isSameAs(thrown);
            SupervisorEvent restarted = events.awaitCount(name, SupervisorEvent.Type.STARTED, 2).get(1);
            assertThat(restarted.restart()).as("the second start is a restart by policy").isTrue();
            await().atMost(WAIT).until(() -> supervisor.status(name) == ProcessStatus.RUNNING);
            // RUNNING is set as the run is handed to its thread: the body may not have begun yet
            await().atMost(WAIT).until(() -> runs.get() == 2);

            assertThat(events.count(name, SupervisorEvent.Type.RESTARTING)).isEqualTo(1);
            assertThat(contextRestartCounts).containsExactly(0, 1);
            assertThat(recovered).containsExactly(thrown);
            ProcessSnapshot snapshot = supervisor.snapshot(name);
            assertThat(snapshot.totalCrashes()).isEqualTo(1);
            assertThat(snapshot.totalRestarts()).isEqualTo(1);
            assertThat(snapshot.restartCount()).isEqualTo(1);
            assertThat(snapshot.lastFailure()).isSameAs(thrown);
            assertThat(snapshot.lastExitReason()).isEqualTo(ExitReason.CRASHED);
            supervisor.shutdown();
        }
    }

    // ---------------------------------------------------------------- defect 2

    /** Ways a run may end once shutdown has cancelled it. */
    enum ExitOnShutdown {
        RETURNS {
            @Override
            void run(ProcessContext ctx) throws Exception {
                ctx.awaitCancellation();
            }
        },
        THROWS_INTERRUPTED_EXCEPTION {
            @Override
            void run(ProcessContext ctx) throws Exception {
                new CountDownLatch(1).await(); // only an interrupt ends it, with InterruptedException
            }
        },
        THROWS_A_CHECKED_EXCEPTION {
            @Override
            void run(ProcessContext ctx) throws Exception {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    throw new java.io.IOException("connection closed while stopping", e);
                }
            }
        },
        THROWS_A_RUNTIME_EXCEPTION {
            @Override
            void run(ProcessContext ctx) throws Exception {
                ctx.awaitCancellation();
                throw new IllegalStateException("cleanup failed while stopping");
            }
        };

        abstract void run(ProcessContext ctx) throws Exception;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ExitOnShutdown.class)
    void defect2_anExitOnShutdownIsNotAFailure(ExitOnShutdown exit) {
        String name = "on-shutdown-" + exit.name().toLowerCase();
        Supervisor supervisor = supervisor();
        List<Throwable> recovered = new CopyOnWriteArrayList<>();
        supervisor.register(name, exit::run, ProcessOption.withRestart(RestartPolicy.ALWAYS, 1, Duration.ZERO),
                ProcessOption.withRecover(recovered::add));
        supervisor.run();
        events.await(name, SupervisorEvent.Type.STARTED);

        supervisor.shutdown();
        events.awaitTerminated();

        assertThat(events.types(name)).containsExactly(SupervisorEvent.Type.REGISTERED,
                SupervisorEvent.Type.STATUS_CHANGED, SupervisorEvent.Type.STARTED, SupervisorEvent.Type.STOPPED);
        SupervisorEvent stopped = events.await(name, SupervisorEvent.Type.STOPPED);
        assertThat(stopped.reason()).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(stopped.reason().isFailure()).isFalse();
        assertThat(stopped.snapshot().status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(warningsAbout(name)).as("no WARN/ERROR log line for %s", name).isEmpty();
        assertThat(recovered).as("no recover call").isEmpty();

        ProcessSnapshot snapshot = supervisor.snapshot(name);
        assertThat(snapshot.status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(snapshot.lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(snapshot.totalFailures()).isZero();
        assertThat(snapshot.totalCrashes()).isZero();
        assertThat(snapshot.totalRestarts()).isZero();
        assertThat(snapshot.restartCount()).isZero();
        assertThat(snapshot.lastFailure()).isNull();
        assertThat(snapshot.totalStarts()).isEqualTo(1);
        assertThat(snapshot.totalExits()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- defect 3

    /**
     * A process whose every run blocks until the test ends it, and then fails with {@code Exception("run n")}:
     * the test decides how long each run lasts on the manual clock.
     */
    private static final class ScriptedRuns implements SupervisedProcess {
        final AtomicInteger runs = new AtomicInteger();
        final BlockingQueue<Integer> begun = new LinkedBlockingQueue<>();
        final BlockingQueue<Boolean> release = new LinkedBlockingQueue<>();
        final List<Integer> contextRestartCounts = new CopyOnWriteArrayList<>();

        @Override
        public void run(ProcessContext ctx) throws Exception {
            int n = runs.incrementAndGet();
            contextRestartCounts.add(ctx.restartCount());
            begun.put(n);
            release.take();
            throw new Exception("run " + n);
        }

        void awaitRun(int n) throws InterruptedException {
            assertThat(begun.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("run %d began", n).isEqualTo(n);
        }

        /** Lets run {@code n} last {@code length} on {@code clock}, then fail. */
        void fail(int n, ManualClock clock, Duration length) throws InterruptedException {
            awaitRun(n);
            clock.advance(length);
            release.put(Boolean.TRUE);
        }
    }

    @Test
    void defect3_maxRestartsCountsRestartsNotRuns() throws Exception {
        Supervisor supervisor = track(Supervisor.builder().clock(clock).listener(events).build());
        ScriptedRuns process = new ScriptedRuns();
        supervisor.register("max-two", process, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ZERO));
        supervisor.run();
        process.fail(1, clock, Duration.ofSeconds(1));
        process.fail(2, clock, Duration.ofSeconds(1));
        process.fail(3, clock, Duration.ofSeconds(1));

        SupervisorEvent limit = events.await("max-two", SupervisorEvent.Type.RESTART_LIMIT_EXCEEDED);
        assertThat(process.runs.get()).as("2 restarts = 3 runs").isEqualTo(3);
        assertThat(process.contextRestartCounts).containsExactly(0, 1, 2);
        assertThat(limit.snapshot().restartCount()).isEqualTo(2);
        assertThat(limit.error()).hasMessage("run 3");
        assertThat(events.count("max-two", SupervisorEvent.Type.RESTARTING)).isEqualTo(2);
        ProcessSnapshot snapshot = supervisor.snapshot("max-two");
        assertThat(snapshot.status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(snapshot.totalStarts()).isEqualTo(3);
        assertThat(snapshot.totalRestarts()).isEqualTo(2);
        assertThat(snapshot.totalFailures()).isEqualTo(3);
        assertThat(process.begun).as("no fourth run").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"healthy-10s, PT10S", "healthy-default, "})
    void defect3_theHealthyDurationIsConfigurableAnd30SecondsByDefault(String name, Duration configured)
            throws Exception {
        // maxRestarts 1: runs as long as the healthy duration reset the count; a run one second shorter does not.
        Duration healthy = configured == null ? Duration.ofSeconds(30) : configured;
        Supervisor supervisor = track(Supervisor.builder().clock(clock).listener(events).build());
        ScriptedRuns process = new ScriptedRuns();
        ProcessOption restart = ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 1, Duration.ZERO);
        supervisor.register(name, process, configured == null ? new ProcessOption[] {restart}
                : new ProcessOption[] {restart, ProcessOption.withHealthyDuration(configured)});
        supervisor.run();
        process.fail(1, clock, healthy);
        process.fail(2, clock, healthy); // healthy: count back to 0, so one more restart is allowed
        process.fail(3, clock, healthy.minusSeconds(1)); // not healthy: count stays 1 = the limit

        SupervisorEvent limit = events.await(name, SupervisorEvent.Type.RESTART_LIMIT_EXCEEDED);
        assertThat(limit.error()).hasMessage("run 3");
        assertThat(process.runs.get()).isEqualTo(3);
        assertThat(process.contextRestartCounts).containsExactly(0, 1, 1);
        ProcessSnapshot snapshot = supervisor.snapshot(name);
        assertThat(snapshot.status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(snapshot.totalRestarts()).isEqualTo(2);
        assertThat(snapshot.restartCount()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- defect 4

    @Test
    void defect4_aRestartCancelledByShutdownDuringItsDelayIsNeverCounted() {
        Supervisor supervisor = onManualTime();
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("delayed", ctx -> {
            runs.incrementAndGet();
            throw new Exception("fails once");
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofHours(1)));
        supervisor.run();

        SupervisorEvent restarting = events.await("delayed", SupervisorEvent.Type.RESTARTING);
        assertThat(restarting.delay()).isEqualTo(Duration.ofHours(1));
        assertThat(restarting.snapshot().restartCount()).as("not counted before it happens").isZero();
        assertThat(restarting.snapshot().totalRestarts()).isZero();
        await().atMost(WAIT).until(() -> scheduler.pendingTasks() == 1);
        assertThat(supervisor.status("delayed")).isEqualTo(ProcessStatus.RESTARTING);
        assertThat(supervisor.snapshot("delayed").totalRestarts()).isZero();

        scheduler.advance(Duration.ofMinutes(59));
        supervisor.shutdown();
        scheduler.advance(Duration.ofHours(2)); // the restart would have been due: it must not happen
        events.awaitTerminated();

        assertThat(runs.get()).isEqualTo(1);
        assertThat(scheduler.pendingTasks()).as("the delay was cancelled").isZero();
        assertThat(events.count("delayed", SupervisorEvent.Type.STARTED)).isEqualTo(1);
        assertThat(events.events().stream().filter(e -> "delayed".equals(e.processName()))
                .filter(e -> e.type() == SupervisorEvent.Type.STARTED).noneMatch(SupervisorEvent::restart)).isTrue();
        ProcessSnapshot snapshot = supervisor.snapshot("delayed");
        assertThat(snapshot.totalRestarts()).isZero();
        assertThat(snapshot.restartCount()).isZero();
        assertThat(snapshot.status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(snapshot.totalStarts()).isEqualTo(1);
        assertTotalsConsistent(snapshot);
        assertThat(warningsAbout("delayed")).extracting(CapturedLogs.Line::level).containsOnly(Level.WARN);
    }

    @Test
    void defect4_theRestartIsCountedWhenItsDelayHasElapsed() {
        Supervisor supervisor = onManualTime();
        AtomicInteger runs = new AtomicInteger();
        List<Integer> contextRestartCounts = new CopyOnWriteArrayList<>();
        supervisor.register("delayed-ok", ctx -> {
            contextRestartCounts.add(ctx.restartCount());
            if (runs.incrementAndGet() == 1) {
                throw new Exception("fails once");
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofHours(1)));
        supervisor.run();
        events.await("delayed-ok", SupervisorEvent.Type.RESTARTING);
        await().atMost(WAIT).until(() -> scheduler.pendingTasks() == 1);

        scheduler.advance(Duration.ofMinutes(59).plusSeconds(59));
        assertThat(supervisor.snapshot("delayed-ok").totalRestarts()).isZero();
        assertThat(supervisor.status("delayed-ok")).isEqualTo(ProcessStatus.RESTARTING);

        scheduler.advance(Duration.ofSeconds(1));
        SupervisorEvent restarted = events.awaitCount("delayed-ok", SupervisorEvent.Type.STARTED, 2).get(1);
        assertThat(restarted.restart()).isTrue();
        assertThat(restarted.snapshot().restartCount()).isEqualTo(1);
        assertThat(restarted.snapshot().totalRestarts()).isEqualTo(1);
        assertThat(restarted.time()).isEqualTo(clock.instant());
        // STARTED is published as the run is handed to its thread: the body may not have begun yet
        await().atMost(WAIT).until(() -> runs.get() == 2);
        assertThat(contextRestartCounts).containsExactly(0, 1);
    }

    // ---------------------------------------------------------------- defect 5

    /** Where the stubborn process of defect 5 is stuck: it ignores every interrupt until released. */
    private static void stuckHere(CountDownLatch release, AtomicInteger interrupts) {
        while (release.getCount() > 0) {
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupts.incrementAndGet();
            }
        }
    }

    @Test
    void defect5_aProcessOutlivingTheShutdownTimeoutIsInterruptedReportedAndItsLateExitChangesNothing()
            throws Exception {
        Duration timeout = Duration.ofMillis(300);
        ExecutorService executor = pool(2);
        Supervisor supervisor = track(Supervisor.builder().shutdownTimeout(timeout).executor(executor)
                .listener(events).build());
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger interrupts = new AtomicInteger();
        List<Throwable> recovered = new CopyOnWriteArrayList<>();
        supervisor.register("stubborn", ctx -> {
            stuckHere(release, interrupts);
            throw new IllegalStateException("late crash after the shutdown returned");
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO),
                ProcessOption.withRecover(recovered::add));
        supervisor.run();
        events.await("stubborn", SupervisorEvent.Type.STARTED);

        long start = System.nanoTime();
        supervisor.shutdown();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isGreaterThanOrEqualTo(timeout).isLessThan(timeout.plusSeconds(5));
        events.awaitTerminated();

        // interrupted: by the cancellation, and once more when abandoned
        await().atMost(WAIT).until(() -> interrupts.get() >= 2);

        // reported: event with the stack of the stuck thread ...
        SupervisorEvent report = events.await("stubborn", SupervisorEvent.Type.SHUTDOWN_TIMEOUT);
        assertThat(report.error()).isInstanceOf(ProcessNotStoppedException.class)
                .hasMessageContaining("\"stubborn\"").hasMessageContaining("did not stop");
        assertThat(report.error().getStackTrace())
                .anyMatch(frame -> frame.getClassName().equals(GoDefectsTest.class.getName())
                        && frame.getMethodName().equals("stuckHere"));
        // ... and an ERROR log with that stack
        List<CapturedLogs.Line> errors = logs.at(Level.ERROR).stream()
                .filter(l -> l.thrown() instanceof ProcessNotStoppedException).collect(Collectors.toList());
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).process()).isEqualTo("stubborn");
        assertThat(errors.get(0).message()).contains("\"stubborn\"");
        assertThat(errors.get(0).thrown()).isSameAs(report.error());
        assertThat(events.types("stubborn")).endsWith(SupervisorEvent.Type.SHUTDOWN_TIMEOUT,
                SupervisorEvent.Type.STOPPED);

        ProcessSnapshot before = supervisor.snapshot("stubborn");
        assertThat(before.status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(before.lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(before.totalExits()).isEqualTo(1);
        assertTotalsConsistent(before);
        int linesBefore = logs.lines().size();

        // the late exit: let the run end (with a crash) and wait until its task has fully finished
        release.countDown();
        executor.shutdown();
        assertThat(executor.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        ProcessSnapshot after = supervisor.snapshot("stubborn");
        assertThat(after).usingRecursiveComparison().ignoringFields("takenAt").isEqualTo(before);
        assertThat(recovered).as("a late end is no crash").isEmpty();
        assertThat(logs.lines().subList(linesBefore, logs.lines().size()))
                .noneMatch(l -> l.level().isMoreSpecificThan(Level.WARN));
        assertThat(supervisor.status("stubborn")).isEqualTo(ProcessStatus.STOPPED);
    }

    // ---------------------------------------------------------------- defect 6

    @Test
    void defect6_shutdownIsIdempotentAndTheTeardownRunsOnceUnderConcurrentShutdowns() throws Exception {
        Supervisor supervisor = supervisor();
        supervisor.register("p", blocking());
        supervisor.run();
        events.await("p", SupervisorEvent.Type.STARTED);

        ShutdownSignalWaiter waiter = ShutdownSignalWaiter.waitingFor(supervisor);

        ExecutorService callers = pool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            boolean viaClose = i % 2 == 0;
            calls.add(callers.submit(() -> {
                go.await();
                if (viaClose) {
                    supervisor.close();
                } else {
                    supervisor.shutdown();
                }
                return supervisor.isTerminated();
            }));
        }
        go.countDown();
        for (Future<Boolean> call : calls) {
            assertThat(call.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("returns after the shutdown").isTrue();
        }
        waiter.thread().join(WAIT.toMillis());
        assertThat(waiter.thread().isAlive()).isFalse();

        supervisor.shutdown();
        supervisor.close();
        events.awaitTerminated();
        assertThat(waiter.teardowns()).isEqualTo(1);
        assertThat(events.count("p", SupervisorEvent.Type.STOPPED)).isEqualTo(1);
        assertThat(events.events().stream().filter(e -> e.type() == SupervisorEvent.Type.TERMINATED)).hasSize(1);
        assertThat(logs.lines().stream().filter(l -> l.message().contains("shutting down"))).hasSize(1);
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STOPPED);
    }

    @Test
    void defect6_closeIsShutdown() {
        AtomicReference<ProcessContext> context = new AtomicReference<>();
        Supervisor observed;
        try (Supervisor supervisor = supervisor()) {
            observed = supervisor;
            supervisor.register("closed", ctx -> {
                context.set(ctx);
                ctx.awaitCancellation();
            });
            supervisor.run();
            events.await("closed", SupervisorEvent.Type.STARTED);
        }
        assertThat(observed.isTerminated()).isTrue();
        assertThat(context.get().isCancelled()).isTrue();
        assertThat(observed.status("closed")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(events.await("closed", SupervisorEvent.Type.STOPPED).reason()).isEqualTo(ExitReason.SHUTDOWN);
        observed.close();
        observed.shutdown();
        events.awaitTerminated();
        assertThat(events.count("closed", SupervisorEvent.Type.STOPPED)).isEqualTo(1);
        assertThat(events.events().stream().filter(e -> e.type() == SupervisorEvent.Type.TERMINATED)).hasSize(1);
    }

    // ---------------------------------------------------------------- defect 7

    @Test
    void defect7_afterEveryPathTheStatusIsTrueAndTheTotalsAreConsistent() throws Exception {
        Supervisor supervisor = supervisor();
        // crash loop up to the limit
        supervisor.register("crash-loop", ctx -> {
            throw new IllegalStateException("crash");
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 2, Duration.ZERO));
        // manual stop
        supervisor.register("manual", blocking(), ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        // shutdown
        supervisor.register("until-shutdown", blocking(),
                ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        // completion, not restarted
        supervisor.register("completes", ctx -> { }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3,
                Duration.ZERO));
        // a failure that its policy does not restart
        supervisor.register("fails-once", ctx -> {
            throw new Exception("failure");
        });
        supervisor.run();

        events.await("crash-loop", SupervisorEvent.Type.RESTART_LIMIT_EXCEEDED);
        await().atMost(WAIT).until(() -> supervisor.status("crash-loop") == ProcessStatus.FAILED);
        ProcessSnapshot crashLoop = supervisor.snapshot("crash-loop");
        assertThat(crashLoop.totalStarts()).isEqualTo(3);
        assertThat(crashLoop.totalExits()).isEqualTo(3);
        assertThat(crashLoop.totalCrashes()).isEqualTo(3);
        assertThat(crashLoop.totalRestarts()).isEqualTo(2);
        assertThat(crashLoop.restartCount()).isEqualTo(2);
        assertThat(supervisor.isRunning("crash-loop")).isFalse();
        assertTotalsConsistent(crashLoop);

        events.await("completes", SupervisorEvent.Type.COMPLETED);
        await().atMost(WAIT).until(() -> supervisor.status("completes") == ProcessStatus.STOPPED);
        ProcessSnapshot completes = supervisor.snapshot("completes");
        assertThat(completes.lastExitReason()).isEqualTo(ExitReason.COMPLETED);
        assertThat(completes.totalStarts()).isEqualTo(1);
        assertTotalsConsistent(completes);

        events.await("fails-once", SupervisorEvent.Type.FAILED);
        await().atMost(WAIT).until(() -> supervisor.status("fails-once") == ProcessStatus.FAILED);
        assertTotalsConsistent(supervisor.snapshot("fails-once"));

        events.await("manual", SupervisorEvent.Type.STARTED);
        await().atMost(WAIT).until(() -> supervisor.isRunning("manual"));
        assertTotalsConsistent(supervisor.snapshot("manual"));
        supervisor.stop("manual");
        events.await("manual", SupervisorEvent.Type.STOPPED);
        await().atMost(WAIT).until(() -> supervisor.status("manual") == ProcessStatus.STOPPED);
        ProcessSnapshot manual = supervisor.snapshot("manual");
        assertThat(manual.lastExitReason()).isEqualTo(ExitReason.MANUAL);
        assertThat(manual.totalRestarts()).as("a manual stop is not restarted").isZero();
        assertThat(supervisor.isRunning("manual")).isFalse();
        assertTotalsConsistent(manual);
        supervisor.start("manual");
        events.awaitCount("manual", SupervisorEvent.Type.STARTED, 2);
        await().atMost(WAIT).until(() -> supervisor.isRunning("manual"));
        assertThat(supervisor.snapshot("manual").totalStarts()).isEqualTo(2);
        assertTotalsConsistent(supervisor.snapshot("manual"));

        events.await("until-shutdown", SupervisorEvent.Type.STARTED);
        supervisor.shutdown();
        events.awaitTerminated();

        assertThat(supervisor.status("crash-loop")).as("FAILED stays FAILED").isEqualTo(ProcessStatus.FAILED);
        assertThat(supervisor.status("fails-once")).isEqualTo(ProcessStatus.FAILED);
        for (String name : List.of("manual", "until-shutdown", "completes")) {
            assertThat(supervisor.status(name)).as(name).isEqualTo(ProcessStatus.STOPPED);
        }
        for (String name : supervisor.processNames()) {
            ProcessSnapshot snapshot = supervisor.snapshot(name);
            assertThat(supervisor.isRunning(name)).isFalse();
            assertThat(snapshot.uptime()).isEqualTo(Duration.ZERO);
            assertTotalsConsistent(snapshot);
        }
        assertThat(supervisor.snapshot("until-shutdown").lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);

        // the invariant held at every event too, and each event's snapshot agrees with its status
        for (SupervisorEvent event : events.events()) {
            if (event.snapshot() != null) {
                assertTotalsConsistent(event.snapshot());
            }
        }
    }

    @Test
    void defect7_stoppingAPendingRestartLeavesTheProcessStopped() {
        Supervisor supervisor = onManualTime();
        supervisor.register("pending", ctx -> {
            throw new Exception("fails");
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofMinutes(1)));
        supervisor.run();
        events.await("pending", SupervisorEvent.Type.RESTARTING);
        await().atMost(WAIT).until(() -> scheduler.pendingTasks() == 1);

        supervisor.stop("pending");
        assertThat(supervisor.status("pending")).isEqualTo(ProcessStatus.STOPPED);
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(supervisor.status("pending")).isEqualTo(ProcessStatus.STOPPED);
        ProcessSnapshot snapshot = supervisor.snapshot("pending");
        assertThat(snapshot.totalStarts()).isEqualTo(1);
        assertThat(snapshot.totalRestarts()).isZero();
        assertTotalsConsistent(snapshot);
    }

    // ---------------------------------------------------------------- defect 8

    @ParameterizedTest(name = "after run(): {0}")
    @ValueSource(booleans = {false, true})
    void defect8_theDuplicateCheckIsAtomic(boolean afterRun) throws Exception {
        Supervisor supervisor = supervisor();
        if (afterRun) {
            supervisor.run();
        }
        int threads = 16;
        ExecutorService racers = pool(threads);
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Throwable>> attempts = new ArrayList<>();
        AtomicInteger runs = new AtomicInteger();
        for (int i = 0; i < threads; i++) {
            attempts.add(racers.submit(() -> {
                ready.countDown();
                go.await();
                try {
                    supervisor.register("x", ctx -> {
                        runs.incrementAndGet();
                        ctx.awaitCancellation();
                    });
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }));
        }
        ready.await();
        go.countDown();
        List<Throwable> outcomes = new ArrayList<>();
        for (Future<Throwable> attempt : attempts) {
            outcomes.add(attempt.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }

        assertThat(outcomes.stream().filter(t -> t == null)).as("exactly one registration succeeds").hasSize(1);
        assertThat(outcomes.stream().filter(t -> t != null)).hasSize(threads - 1)
                .allSatisfy(t -> assertThat(t).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("process name \"x\" already in use"));
        assertThat(supervisor.processCount()).isEqualTo(1);
        assertThat(supervisor.processNames()).containsExactly("x");
        if (afterRun) {
            await().atMost(WAIT).until(() -> supervisor.isRunning("x"));
        } else {
            assertThat(supervisor.status("x")).isEqualTo(ProcessStatus.STOPPED);
        }
        supervisor.shutdown();
        events.awaitTerminated();
        assertThat(events.count("x", SupervisorEvent.Type.REGISTERED)).isEqualTo(1);
        assertThat(events.count("x", SupervisorEvent.Type.STARTED)).isEqualTo(afterRun ? 1 : 0);
        assertThat(runs.get()).isEqualTo(afterRun ? 1 : 0);
    }

    @Test
    void defect8_runTwiceRunAfterShutdownAndRegisterAfterRunOrShutdownAreDefined() {
        Supervisor supervisor = supervisor();
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("early", ctx -> {
            runs.incrementAndGet();
            ctx.awaitCancellation();
        });
        supervisor.run();
        supervisor.run(); // idempotent
        assertThat(supervisor.isStarted()).isTrue();
        events.await("early", SupervisorEvent.Type.STARTED);

        supervisor.register("late", blocking()); // after run(): starts at once
        await().atMost(WAIT).until(() -> supervisor.isRunning("late"));
        assertThat(supervisor.isRunning("early")).isTrue();

        supervisor.shutdown();
        assertThatThrownBy(supervisor::run).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shut down");
        assertThatThrownBy(() -> supervisor.register("too-late", blocking()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("shut down");
        assertThat(supervisor.processCount()).isEqualTo(2);
        assertThat(supervisor.processNames()).containsExactly("early", "late");

        events.awaitTerminated();
        assertThat(runs.get()).as("run() twice starts nothing twice").isEqualTo(1);
        assertThat(events.count("early", SupervisorEvent.Type.STARTED)).isEqualTo(1);
        assertThat(events.count("late", SupervisorEvent.Type.STARTED)).isEqualTo(1);
        assertThat(events.count("too-late", SupervisorEvent.Type.REGISTERED)).isZero();
        assertThat(supervisor.snapshot("early").totalStarts()).isEqualTo(1);
    }

    @Test
    void defect8_registerAndRunAfterAShutdownBeforeRunAreRejected() {
        Supervisor supervisor = supervisor();
        supervisor.register("never-run", blocking());
        supervisor.shutdown();
        assertThat(supervisor.status("never-run")).isEqualTo(ProcessStatus.STOPPED);
        assertThatThrownBy(supervisor::run).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> supervisor.register("other", blocking())).isInstanceOf(IllegalStateException.class);
        assertThat(supervisor.processCount()).isEqualTo(1);
        events.awaitTerminated();
        assertThat(events.count("never-run", SupervisorEvent.Type.STARTED)).isZero();
    }

    // ---------------------------------------------------------------- defect 9

    /** A listener that throws at every event, after counting it. */
    private static final class ThrowingListener implements SupervisorListener {
        final AtomicInteger calls = new AtomicInteger();
        final Supplier<Throwable> failure;

        ThrowingListener(Supplier<Throwable> failure) {
            this.failure = failure;
        }

        @Override
        public void onEvent(SupervisorEvent event) {
            calls.incrementAndGet();
            Throwable t = failure.get();
            if (t instanceof Error) {
                throw (Error) t;
            }
            throw (RuntimeException) t;
        }

        @Override
        public String toString() {
            return "ThrowingListener";
        }
    }

    @Test
    void defect9_aThrowingRecoverHandlerOrListenerNeverKillsTheSupervisor() {
        ThrowingListener throwing = new ThrowingListener(() -> new IllegalStateException("listener broke"));
        RecordingListener last = new RecordingListener();
        Supervisor supervisor = track(Supervisor.builder().listener(throwing).listener(events).build());
        supervisor.addListener(last);
        AtomicInteger runs = new AtomicInteger();
        IllegalStateException crash = new IllegalStateException("boom");
        supervisor.register("resilient", ctx -> {
            if (runs.incrementAndGet() <= 2) {
                throw crash;
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO),
                ProcessOption.withRecover(t -> {
                    throw new IllegalArgumentException("handler broke");
                }));
        supervisor.run();

        events.awaitCount("resilient", SupervisorEvent.Type.STARTED, 3);
        await().atMost(WAIT).until(() -> supervisor.isRunning("resilient"));
        ProcessSnapshot snapshot = supervisor.snapshot("resilient");
        assertThat(snapshot.totalRecoverFailures()).isEqualTo(2);
        assertThat(snapshot.totalCrashes()).isEqualTo(2);
        assertThat(snapshot.totalRestarts()).isEqualTo(2);
        assertThat(snapshot.lastFailure()).isSameAs(crash);

        supervisor.shutdown();
        events.awaitTerminated();
        last.awaitTerminated();
        List<SupervisorEvent.Type> expected = List.of(SupervisorEvent.Type.REGISTERED,
                SupervisorEvent.Type.STATUS_CHANGED, SupervisorEvent.Type.STARTED, SupervisorEvent.Type.CRASHED,
                SupervisorEvent.Type.RESTARTING, SupervisorEvent.Type.STARTED, SupervisorEvent.Type.CRASHED,
                SupervisorEvent.Type.RESTARTING, SupervisorEvent.Type.STARTED, SupervisorEvent.Type.STOPPED);
        assertThat(events.types("resilient")).containsExactlyElementsOf(expected);
        assertThat(last.types("resilient")).containsExactlyElementsOf(expected);
        assertThat(throwing.calls.get()).isEqualTo(events.events().size());

        List<CapturedLogs.Line> handlerFailures = logs.at(Level.ERROR).stream()
                .filter(l -> l.thrown() != null && "handler broke".equals(l.thrown().getMessage()))
                .collect(Collectors.toList());
        assertThat(handlerFailures).hasSize(2).allSatisfy(l -> {
            assertThat(l.message()).contains("\"resilient\"");
            assertThat(l.process()).isEqualTo("resilient");
            assertThat(l.thrown().getStackTrace()).isNotEmpty();
        });
        List<CapturedLogs.Line> listenerFailures = logs.at(Level.ERROR).stream()
                .filter(l -> l.thrown() != null && "listener broke".equals(l.thrown().getMessage()))
                .collect(Collectors.toList());
        assertThat(listenerFailures).hasSize(throwing.calls.get())
                .allSatisfy(l -> assertThat(l.thrown().getStackTrace()).isNotEmpty());
        assertThat(listenerFailures).anySatisfy(l -> assertThat(l.message()).contains("\"resilient\""));
    }

    @Test
    void defect9_aVirtualMachineErrorThrownByAProcessIsLoggedAtFatal() {
        Supervisor supervisor = supervisor();
        AtomicInteger runs = new AtomicInteger();
        StackOverflowError overflow = new StackOverflowError("simulated");
        List<Throwable> recovered = new CopyOnWriteArrayList<>();
        supervisor.register("overflowing", ctx -> {
            if (runs.incrementAndGet() == 1) {
                throw overflow;
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO),
                ProcessOption.withRecover(recovered::add));
        supervisor.run();
        events.awaitCount("overflowing", SupervisorEvent.Type.STARTED, 2);
        await().atMost(WAIT).until(() -> supervisor.isRunning("overflowing"));
        supervisor.shutdown();

        assertThat(recovered).containsExactly(overflow);
        assertThat(logs.at(Level.FATAL)).anySatisfy(l -> {
            assertThat(l.thrown()).isSameAs(overflow);
            assertThat(l.process()).isEqualTo("overflowing");
        });
    }

    @Test
    void defect9_aVirtualMachineErrorThrownByARecoverHandlerIsLoggedAtFatal() {
        Supervisor supervisor = supervisor();
        AtomicInteger runs = new AtomicInteger();
        StackOverflowError overflow = new StackOverflowError("simulated in the handler");
        supervisor.register("handler-overflow", ctx -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO),
                ProcessOption.withRecover(t -> {
                    throw overflow;
                }));
        supervisor.run();
        events.awaitCount("handler-overflow", SupervisorEvent.Type.STARTED, 2);
        assertThat(supervisor.snapshot("handler-overflow").totalRecoverFailures()).isEqualTo(1);
        supervisor.shutdown();

        assertThat(logs.at(Level.FATAL)).anySatisfy(l -> assertThat(l.thrown()).isSameAs(overflow));
    }

    @Test
    void defect9_aVirtualMachineErrorThrownByAListenerIsLoggedAtFatal() {
        StackOverflowError overflow = new StackOverflowError("simulated in a listener");
        ThrowingListener throwing = new ThrowingListener(() -> overflow);
        Supervisor supervisor = track(Supervisor.builder().listener(throwing).listener(events).build());
        supervisor.register("listener-overflow", blocking());
        supervisor.run();
        events.await("listener-overflow", SupervisorEvent.Type.STARTED);
        supervisor.shutdown();
        events.awaitTerminated();
        assertThat(events.types("listener-overflow")).containsExactly(SupervisorEvent.Type.REGISTERED,
                SupervisorEvent.Type.STATUS_CHANGED, SupervisorEvent.Type.STARTED, SupervisorEvent.Type.STOPPED);

        assertThat(logs.at(Level.FATAL)).anySatisfy(l -> assertThat(l.thrown()).isSameAs(overflow));
    }

    // ---------------------------------------------------------------- defect 10

    @Test
    void defect10_eachProcessHasItsOwnCancellation() {
        Supervisor supervisor = supervisor();
        List<ProcessContext> contextsOfA = new CopyOnWriteArrayList<>();
        List<ProcessContext> contextsOfB = new CopyOnWriteArrayList<>();
        supervisor.register("a", ctx -> {
            contextsOfA.add(ctx);
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        supervisor.register("b", ctx -> {
            contextsOfB.add(ctx);
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        supervisor.run();
        events.await("a", SupervisorEvent.Type.STARTED);
        events.await("b", SupervisorEvent.Type.STARTED);
        // STARTED is published as the run is handed to its thread: the bodies may not have begun yet
        await().atMost(WAIT).until(() -> contextsOfA.size() == 1 && contextsOfB.size() == 1);
        ProcessContext b1 = contextsOfB.get(0);

        // stop a alone
        supervisor.stop("a");
        assertThat(events.await("a", SupervisorEvent.Type.STOPPED).reason()).isEqualTo(ExitReason.MANUAL);
        assertThat(contextsOfA.get(0).isCancelled()).isTrue();
        assertThat(b1.isCancelled()).isFalse();
        assertThat(supervisor.status("a")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(supervisor.status("b")).isEqualTo(ProcessStatus.RUNNING);

        // restart a alone
        supervisor.restart("a");
        events.awaitCount("a", SupervisorEvent.Type.STARTED, 2);
        await().atMost(WAIT).until(() -> supervisor.isRunning("a"));
        // RUNNING is set as the run is handed to its thread: the body may not have begun yet
        await().atMost(WAIT).until(() -> contextsOfA.size() == 2);
        ProcessContext a2 = contextsOfA.get(1);
        assertThat(a2).isNotSameAs(contextsOfA.get(0));
        assertThat(a2.isCancelled()).isFalse();
        assertThat(b1.isCancelled()).isFalse();

        // restart b alone: a's current run is untouched
        supervisor.restart("b");
        events.awaitCount("b", SupervisorEvent.Type.STARTED, 2);
        await().atMost(WAIT).until(() -> supervisor.isRunning("b"));
        // RUNNING is set as the run is handed to its thread: the body may not have begun yet
        await().atMost(WAIT).until(() -> contextsOfB.size() == 2);
        assertThat(b1.isCancelled()).isTrue();
        assertThat(contextsOfB.get(1).isCancelled()).isFalse();
        assertThat(a2.isCancelled()).isFalse();
        assertThat(contextsOfA).hasSize(2);
        assertThat(supervisor.snapshot("a").totalStarts()).isEqualTo(2);

        supervisor.shutdown();
        events.awaitTerminated();
        // every run ended once, and only by the cancellation meant for it
        assertThat(events.types("a")).containsExactly(SupervisorEvent.Type.REGISTERED,
                SupervisorEvent.Type.STATUS_CHANGED, SupervisorEvent.Type.STARTED, SupervisorEvent.Type.STOPPED,
                SupervisorEvent.Type.STATUS_CHANGED, SupervisorEvent.Type.STARTED, SupervisorEvent.Type.STOPPED);
        assertThat(events.types("b")).containsExactly(SupervisorEvent.Type.REGISTERED,
                SupervisorEvent.Type.STATUS_CHANGED, SupervisorEvent.Type.STARTED, SupervisorEvent.Type.STOPPED,
                SupervisorEvent.Type.STARTED, SupervisorEvent.Type.STOPPED);
        for (String name : List.of("a", "b")) {
            assertThat(events.events().stream()
                    .filter(e -> name.equals(e.processName()) && e.type() == SupervisorEvent.Type.STOPPED)
                    .map(SupervisorEvent::reason).collect(Collectors.toList()))
                    .as(name).containsExactly(ExitReason.MANUAL, ExitReason.SHUTDOWN);
        }
        assertThat(Arrays.asList(supervisor.snapshot("a").totalRestarts(), supervisor.snapshot("b").totalRestarts()))
                .containsOnly(0L);
    }
}
