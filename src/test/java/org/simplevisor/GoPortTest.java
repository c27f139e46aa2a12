package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.simplevisor.testing.FirstRunFails;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ShutDownAfterEach;

/** The scenarios of the Go package's own test suite, ported; Go's sleeps became waits on conditions. */
class GoPortTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RecordingListener events = new RecordingListener();
    @RegisterExtension
    final ShutDownAfterEach shutDown = new ShutDownAfterEach();

    private Supervisor supervisor(Duration shutdownTimeout) {
        return shutDown.supervisor(Supervisor.builder().shutdownTimeout(shutdownTimeout).listener(events).build());
    }

    private static SupervisedProcess blocking() {
        return ProcessContext::awaitCancellation;
    }

    @ParameterizedTest(name = "timeout {0} -> {1}")
    @CsvSource({"PT10S, PT10S", "PT0S, PT5S", "PT-1S, PT5S"})
    void constructorFallsBackToTheDefaultTimeout(Duration given, Duration expected) {
        Supervisor supervisor = shutDown.supervisor(new Supervisor(given));
        assertThat(supervisor.shutdownTimeout()).isEqualTo(expected);
        assertThat(supervisor.processCount()).isZero();
        assertThat(supervisor.name()).isEqualTo(Supervisor.DEFAULT_NAME);
    }

    @Test
    void nullTimeoutMeansTheDefault() {
        Supervisor supervisor = shutDown.supervisor(new Supervisor(null));
        assertThat(supervisor.shutdownTimeout()).isEqualTo(Supervisor.DEFAULT_SHUTDOWN_TIMEOUT);
    }

    @Test
    void defaultsAreThoseOfTheGoPackage() {
        assertThat(Supervisor.DEFAULT_SHUTDOWN_TIMEOUT).isEqualTo(Duration.ofSeconds(5));
        assertThat(Supervisor.DEFAULT_RESTART_DELAY).isEqualTo(Duration.ofSeconds(1));
        assertThat(Supervisor.DEFAULT_MAX_RESTARTS).isEqualTo(3);
        assertThat(Supervisor.DEFAULT_HEALTHY_DURATION).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void registerCountsProcessesAndRejectsADuplicateWithTheGoMessage() {
        Supervisor supervisor = supervisor(Duration.ofSeconds(5));
        supervisor.register("test-process", ctx -> { });
        assertThat(supervisor.processCount()).isEqualTo(1);
        assertThat(supervisor.isRunning("test-process")).as("not running before run()").isFalse();

        assertThatThrownBy(() -> supervisor.register("test-process", ctx -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("process name \"test-process\" already in use");

        supervisor.register("test-with-options", ctx -> { }, ProcessOption.withRecover(t -> { }),
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 5, Duration.ofSeconds(2)));
        assertThat(supervisor.processCount()).isEqualTo(2);
        assertThat(supervisor.isRunning("test-with-options")).isFalse();
        assertThat(supervisor.processNames()).containsExactly("test-process", "test-with-options");
    }

    /** A padded name would look like the name without the padding in thread names, JMX names and metric tags. */
    @Test
    void aNameThatBeginsOrEndsWithWhitespaceIsRejected() {
        Supervisor supervisor = supervisor(Duration.ofSeconds(5));
        assertThatThrownBy(() -> supervisor.register(" worker", ctx -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("process name \" worker\" must not begin or end with whitespace, which would make it "
                        + "look like \"worker\"");
        assertThatThrownBy(() -> supervisor.register("worker\t", ctx -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whitespace");
        supervisor.register("two words", ctx -> { }); // inside the name, whitespace shows
        assertThat(supervisor.processNames()).containsExactly("two words");
    }

    /** The same rule for the other names a supervisor shows: its own and its groups'. */
    @Test
    void aSupervisorOrGroupNameThatBeginsOrEndsWithWhitespaceIsRejected() {
        assertThatThrownBy(() -> Supervisor.builder().name("shop "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("supervisor name \"shop \" must not begin or end with whitespace, which would make it "
                        + "look like \"shop\"");
        assertThatThrownBy(() -> Supervisor.builder().group(" pipeline", GroupStrategy.ONE_FOR_ALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("group name \" pipeline\" must not begin or end with whitespace");
        assertThatThrownBy(() -> ProcessOption.inGroup("pipeline\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whitespace");
        assertThat(Supervisor.builder().name("two words").group("a group", GroupStrategy.ONE_FOR_ALL).build().name())
                .isEqualTo("two words");
    }

    @Test
    void emptyNameIsRejected() {
        Supervisor supervisor = supervisor(Duration.ofSeconds(5));
        assertThatThrownBy(() -> supervisor.register("", ctx -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> supervisor.register(null, ctx -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> supervisor.register("  ", ctx -> { })).as("a blank name, as the supervisor's")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        assertThatThrownBy(() -> ProcessOption.inGroup(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank");
        assertThatThrownBy(() -> Supervisor.builder().group("\t", GroupStrategy.ONE_FOR_ALL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        assertThatThrownBy(() -> ProcessOption.noRestartOn(IllegalStateException.class, null))
                .isInstanceOf(NullPointerException.class).hasMessage("noRestartOn: type 1 is null");
    }

    @Test
    void aBlockingProcessReachesRunning() {
        Supervisor supervisor = supervisor(Duration.ofSeconds(5));
        AtomicBoolean executed = new AtomicBoolean();
        supervisor.register("basic-process", ctx -> {
            executed.set(true);
            ctx.awaitCancellation();
        });
        supervisor.run();
        await().atMost(WAIT).until(() -> supervisor.status("basic-process") == ProcessStatus.RUNNING);
        // RUNNING is set as the run is handed to its thread: the body may not have begun yet
        await().atMost(WAIT).untilTrue(executed);
        assertThat(executed).isTrue();
        assertThat(supervisor.isRunning("basic-process")).isTrue();
    }

    @Test
    void aCrashCallsTheRecoverHandlerWithWhatWasThrown() {
        Supervisor supervisor = supervisor(Duration.ofSeconds(5));
        AtomicReference<Throwable> recovered = new AtomicReference<>();
        CountDownLatch handled = new CountDownLatch(1);
        supervisor.register("panic-process", ctx -> {
            throw new IllegalStateException("test panic");
        }, ProcessOption.withRecover(t -> {
            recovered.set(t);
            handled.countDown();
        }));
        supervisor.run();
        await().atMost(WAIT).until(() -> handled.getCount() == 0);
        assertThat(recovered.get()).isInstanceOf(IllegalStateException.class).hasMessage("test panic");
        await().atMost(WAIT).until(() -> supervisor.status("panic-process") == ProcessStatus.FAILED);
        assertThat(supervisor.snapshot("panic-process").totalCrashes()).isEqualTo(1);
    }

    /** Go's policy matrix, with the crash column Go lacked (its panics never restarted: docs/go-port.md, defect 1). */
    @ParameterizedTest(name = "{0} after {1}: restarted={2}")
    @CsvSource({
        "NEVER, completes, false, STOPPED",
        "NEVER, fails, false, FAILED",
        "NEVER, crashes, false, FAILED",
        "ALWAYS, completes, true, RUNNING",
        "ALWAYS, fails, true, RUNNING",
        "ALWAYS, crashes, true, RUNNING",
        "ON_FAILURE, completes, false, STOPPED",
        "ON_FAILURE, fails, true, RUNNING",
        "ON_FAILURE, crashes, true, RUNNING"})
    void restartPolicyMatrix(RestartPolicy policy, String firstRun, boolean restarted, ProcessStatus finalStatus) {
        Supervisor supervisor = supervisor(Duration.ofSeconds(5));
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("restart-test", ctx -> {
            if (runs.incrementAndGet() == 1) {
                switch (firstRun) {
                    case "fails": throw new Exception("test error");
                    case "crashes": throw new IllegalStateException("test panic");
                    default: return;
                }
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(policy, 2, Duration.ZERO));
        supervisor.run();

        String endEvent = firstRun.equals("completes") ? "COMPLETED" : firstRun.equals("fails") ? "FAILED" : "CRASHED";
        events.await("restart-test", SupervisorEvent.Type.valueOf(endEvent));
        await().atMost(WAIT).until(() -> supervisor.status("restart-test") == finalStatus);
        // RUNNING is set as the restarted run is handed to its thread: its body may not have begun yet
        await().atMost(WAIT).until(() -> runs.get() >= (restarted ? 2 : 1));
        assertThat(runs.get()).isEqualTo(restarted ? 2 : 1);
        assertThat(supervisor.snapshot("restart-test").restartCount()).isEqualTo(restarted ? 1 : 0);
    }

    @Test
    void maxRestartsCountsRestartsNotRuns() {
        Supervisor supervisor = supervisor(Duration.ofSeconds(5));
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("max-restart-test", ctx -> {
            runs.incrementAndGet();
            throw new Exception("always fail");
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO));
        supervisor.run();

        SupervisorEvent limit = events.await("max-restart-test", SupervisorEvent.Type.RESTART_LIMIT_EXCEEDED);
        assertThat(runs.get()).as("3 restarts = 4 runs").isEqualTo(4);
        assertThat(supervisor.status("max-restart-test")).isEqualTo(ProcessStatus.FAILED);
        assertThat(limit.snapshot().restartCount()).isEqualTo(3);
        assertThat(limit.error()).hasMessage("always fail");
        ProcessSnapshot snapshot = supervisor.snapshot("max-restart-test");
        assertThat(snapshot.totalStarts()).isEqualTo(4);
        assertThat(snapshot.totalFailures()).isEqualTo(4);
        assertThat(snapshot.totalRestarts()).isEqualTo(3);
        assertThat(events.count("max-restart-test", SupervisorEvent.Type.RESTARTING)).isEqualTo(3);
    }

    @Test
    void unknownProcess() {
        Supervisor supervisor = supervisor(Duration.ofSeconds(5));
        supervisor.run();
        assertThatThrownBy(() -> supervisor.status("non-existent"))
                .isInstanceOf(NoSuchElementException.class).hasMessage("process \"non-existent\" not found");
        assertThatThrownBy(() -> supervisor.snapshot("non-existent")).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> supervisor.restart("non-existent")).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> supervisor.stop("non-existent")).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> supervisor.start("non-existent")).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> supervisor.resetRestartCount("non-existent"))
                .isInstanceOf(NoSuchElementException.class);
        assertThat(supervisor.isRunning("non-existent")).isFalse();
    }

    @Test
    void gracefulShutdownCancelsTheProcess() {
        Supervisor supervisor = supervisor(Duration.ofSeconds(2));
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean sawCancellation = new AtomicBoolean();
        supervisor.register("graceful", ctx -> {
            running.countDown();
            ctx.awaitCancellation();
            sawCancellation.set(ctx.isCancelled());
        });
        supervisor.run();
        await().atMost(WAIT).until(() -> running.getCount() == 0);
        supervisor.shutdown();
        assertThat(sawCancellation).isTrue();
        assertThat(supervisor.status("graceful")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(supervisor.isTerminated()).isTrue();
        events.awaitTerminated();
        assertThat(events.types("graceful")).containsExactly(SupervisorEvent.Type.REGISTERED,
                SupervisorEvent.Type.STATUS_CHANGED, SupervisorEvent.Type.STARTED, SupervisorEvent.Type.STOPPED);
        assertThat(events.await("graceful", SupervisorEvent.Type.STOPPED).reason()).isEqualTo(ExitReason.SHUTDOWN);
    }

    @Test
    void shutdownWithAProcessThatIgnoresCancellationReturnsWithinTheTimeoutAndReportsIt() {
        Duration timeout = Duration.ofMillis(300);
        Supervisor supervisor = supervisor(timeout);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        supervisor.register("stubborn", ctx -> {
            running.countDown();
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    // this process ignores cancellation on purpose
                }
            }
        });
        supervisor.run();
        await().atMost(WAIT).until(() -> running.getCount() == 0);

        long start = System.nanoTime();
        supervisor.shutdown();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        release.countDown();

        assertThat(took).isGreaterThanOrEqualTo(timeout).isLessThan(timeout.plusSeconds(2));
        SupervisorEvent report = events.await("stubborn", SupervisorEvent.Type.SHUTDOWN_TIMEOUT);
        assertThat(report.error()).isInstanceOf(ProcessNotStoppedException.class)
                .hasMessageContaining("stubborn");
        assertThat(report.error().getStackTrace()).isNotEmpty();
        assertThat(supervisor.status("stubborn")).isEqualTo(ProcessStatus.STOPPED);
    }

    @Test
    void concurrentRegistrationAndQueries() throws Exception {
        Supervisor supervisor = supervisor(Duration.ofSeconds(5));
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<?>> registrations = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String name = "concurrent-" + i;
                registrations.add(pool.submit(() -> supervisor.register(name, blocking())));
            }
            for (Future<?> f : registrations) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertThat(supervisor.processCount()).isEqualTo(10);
            supervisor.run();
            List<Future<ProcessStatus>> queries = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String name = "concurrent-" + i;
                queries.add(pool.submit(() -> {
                    await().atMost(WAIT).until(() -> supervisor.isRunning(name));
                    return supervisor.status(name);
                }));
            }
            for (Future<ProcessStatus> q : queries) {
                assertThat(q.get(20, TimeUnit.SECONDS)).isEqualTo(ProcessStatus.RUNNING);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentShutdownCallsAllReturnAfterTheShutdown() throws Exception {
        Supervisor supervisor = supervisor(Duration.ofSeconds(2));
        supervisor.register("p", blocking());
        supervisor.run();
        await().atMost(WAIT).until(() -> supervisor.isRunning("p"));
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            List<Future<Boolean>> calls = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < 5; i++) {
                calls.add(pool.submit(() -> {
                    go.await();
                    supervisor.shutdown();
                    return supervisor.isTerminated();
                }));
            }
            go.countDown();
            for (Future<Boolean> call : calls) {
                assertThat(call.get(10, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        events.awaitTerminated();
        assertThat(events.count("p", SupervisorEvent.Type.STOPPED)).isEqualTo(1);
    }

    @Test
    void statusTransitionsThroughRestartingBackToRunning() {
        Supervisor supervisor = supervisor(Duration.ofSeconds(5));
        CountDownLatch firstRunMayFail = new CountDownLatch(1);
        FirstRunFails process = new FirstRunFails(firstRunMayFail, () -> new Exception("first execution fails"));
        supervisor.register("transitions", process,
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ofMillis(50)));
        assertThat(supervisor.status("transitions")).isEqualTo(ProcessStatus.STOPPED);
        supervisor.run();
        await().atMost(WAIT).until(() -> supervisor.status("transitions") == ProcessStatus.RUNNING);
        firstRunMayFail.countDown();
        SupervisorEvent restarting = events.await("transitions", SupervisorEvent.Type.RESTARTING);
        assertThat(restarting.snapshot().status()).isEqualTo(ProcessStatus.RESTARTING);
        assertThat(restarting.delay()).isEqualTo(Duration.ofMillis(50));
        SupervisorEvent restarted = events.awaitCount("transitions", SupervisorEvent.Type.STARTED, 2).get(1);
        assertThat(restarted.restart()).isTrue();
        assertThat(restarted.previousStatus()).isEqualTo(ProcessStatus.RESTARTING);
        assertThat(supervisor.status("transitions")).isEqualTo(ProcessStatus.RUNNING);
        // STARTED is published as the run is handed to its thread: the body may not have begun yet
        await().atMost(WAIT).until(() -> process.runs() >= 2);
        assertThat(process.runs()).isEqualTo(2);
    }

    @Test
    void restartOptionDefaults() {
        ProcessSpec defaults = ProcessSpec.of();
        assertThat(defaults.policy).isEqualTo(RestartPolicy.NEVER);
        assertThat(defaults.maxRestarts).isEqualTo(3);
        assertThat(defaults.restartDelay).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.healthyDuration).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.maxRestartDelay).isEqualTo(defaults.restartDelay);
        assertThat(defaults.restartWindow).isNull();
        assertThat(defaults.watchdog).isNull();

        ProcessSpec given = ProcessSpec.of(
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 5, Duration.ofSeconds(2)));
        assertThat(given.policy).isEqualTo(RestartPolicy.ON_FAILURE);
        assertThat(given.maxRestarts).isEqualTo(5);
        assertThat(given.restartDelay).isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("restartDelay must not be negative, was PT-1S");
    }

    @Test
    void isRunningFollowsTheRun() {
        Supervisor supervisor = supervisor(Duration.ofSeconds(2));
        assertThat(supervisor.isRunning("non-existent")).isFalse();
        supervisor.register("test-process", blocking());
        assertThat(supervisor.isRunning("test-process")).isFalse();
        supervisor.run();
        await().atMost(WAIT).until(() -> supervisor.isRunning("test-process"));
        supervisor.stop("test-process");
        await().atMost(WAIT).until(() -> !supervisor.isRunning("test-process"));
        assertThat(supervisor.status("test-process")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(events.await("test-process", SupervisorEvent.Type.STOPPED).reason()).isEqualTo(ExitReason.MANUAL);
    }
}
