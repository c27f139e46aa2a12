package org.simplevisor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.simplevisor.metrics.MeterValues.awaitMeters;
import static org.simplevisor.metrics.MeterValues.stops;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.simplevisor.ExitReason;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessStatus;
import org.simplevisor.RestartPolicy;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.testing.DeafProcess;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.RecordingListener;

/** Meter values after every path a process can take: the policy matrix, limits, stop, shutdown, timeouts. */
class SupervisorMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Supervisor supervisor = supervisor(Duration.ofSeconds(5));
    private SupervisorMetrics metrics = SupervisorMetrics.monitor(registry, supervisor, Tags.empty());

    private static Supervisor supervisor(Duration shutdownTimeout) {
        return Supervisor.builder().name("metrics-test").shutdownTimeout(shutdownTimeout).build();
    }

    @AfterEach
    void tearDown() {
        supervisor.shutdown();
        metrics.close();
    }

    /** What the first run does; later runs wait for cancellation, so that a restarted process stays running. */
    enum Outcome {
        COMPLETES(ExitReason.COMPLETED),
        FAILS(ExitReason.FAILED),
        CRASHES(ExitReason.CRASHED);

        final ExitReason reason;

        Outcome(ExitReason reason) {
            this.reason = reason;
        }

        void act() throws Exception {
            if (this == FAILS) {
                throw new Exception("fails");
            } else if (this == CRASHES) {
                throw new IllegalStateException("crashes");
            }
        }
    }

    private static SupervisedProcess firstRun(Outcome outcome) {
        AtomicInteger runs = new AtomicInteger();
        return ctx -> {
            if (runs.incrementAndGet() == 1) {
                outcome.act();
            } else {
                ctx.awaitCancellation();
            }
        };
    }

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({
        "NEVER, COMPLETES, false", "NEVER, FAILS, false", "NEVER, CRASHES, false",
        "ALWAYS, COMPLETES, true", "ALWAYS, FAILS, true", "ALWAYS, CRASHES, true",
        "ON_FAILURE, COMPLETES, false", "ON_FAILURE, FAILS, true", "ON_FAILURE, CRASHES, true"})
    void policyMatrix(RestartPolicy policy, Outcome outcome, boolean restarts) {
        supervisor.register("p", firstRun(outcome), ProcessOption.withRestart(policy, 3, Duration.ZERO));
        supervisor.run();
        MeterValues p = new MeterValues(registry, "p", SupervisorMetrics.TAG_RESTART_POLICY,
                policy.name().toLowerCase());
        MeterValues any = new MeterValues(registry, "p");
        double panics = outcome == Outcome.CRASHES ? 1 : 0;

        if (restarts) {
            awaitMeters(WAIT).untilAsserted(() -> {
                assertThat(p.started()).isEqualTo(2);
                assertThat(p.restarted()).isEqualTo(1);
                assertThat(p.running()).isEqualTo(1);
                assertThat(any.status()).isEqualTo(1);
                assertThat(any.restartCount()).isEqualTo(1);
                assertThat(any.stopped()).isEqualTo(stops(outcome.reason, 1));
                assertThat(any.panics()).isEqualTo(panics);
            });
        } else {
            double atRest = outcome == Outcome.COMPLETES ? 0 : -2; // completed: STOPPED; failure: FAILED
            awaitMeters(WAIT).untilAsserted(() -> {
                assertThat(p.started()).isEqualTo(1);
                assertThat(any.stopped()).isEqualTo(stops(outcome.reason, 1));
                assertThat(any.status()).isEqualTo(atRest);
            });
            assertThat(p.restarted()).isZero();
            assertThat(p.running()).isZero();
            assertThat(any.restartCount()).isZero();
            assertThat(any.panics()).isEqualTo(panics);
        }
        assertThat(any.limitExceeded()).isZero();

        supervisor.shutdown(); // returns once listeners have had every event

        assertThat(p.running()).isZero();
        assertThat(any.shutdownTimeouts()).isZero();
        if (restarts) {
            assertThat(any.stopped()).isEqualTo(stops(outcome.reason, 1, ExitReason.SHUTDOWN, 1));
            assertThat(any.status()).isZero();
            assertThat(any.restartCount()).isEqualTo(1);
            assertThat(p.started()).isEqualTo(2);
        } else {
            assertThat(any.stopped()).isEqualTo(stops(outcome.reason, 1));
            assertThat(any.status()).isEqualTo(outcome == Outcome.COMPLETES ? 0 : -2);
        }
    }

    @Test
    void crashLoopUpToTheLimit() {
        supervisor.register("looper", ctx -> {
            throw new IllegalStateException("always");
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO));
        supervisor.run();
        MeterValues looper = new MeterValues(registry, "looper");

        awaitMeters(WAIT).untilAsserted(() -> {
            assertThat(looper.limitExceeded()).isEqualTo(1);
            assertThat(looper.status()).isEqualTo(-2);
        });
        assertThat(looper.started()).isEqualTo(4); // 3 restarts: 4 runs
        assertThat(looper.restarted()).isEqualTo(3);
        assertThat(looper.stopped()).isEqualTo(stops(ExitReason.CRASHED, 4));
        assertThat(looper.panics()).isEqualTo(4);
        assertThat(looper.restartCount()).isEqualTo(3);
        assertThat(looper.running()).isZero();
        assertThat(registry.get(SupervisorMetrics.RESTART_LIMIT_EXCEEDED)
                .tags(SupervisorMetrics.TAG_PROCESS_NAME, "looper", SupervisorMetrics.TAG_MAX_RESTARTS, "3")
                .counter().count()).isEqualTo(1);

        supervisor.shutdown();
        assertThat(looper.status()).isEqualTo(-2); // FAILED stays FAILED after shutdown
        assertThat(looper.stopped()).isEqualTo(stops(ExitReason.CRASHED, 4));
    }

    @Test
    void manualStop() {
        supervisor.register("worker", ProcessContext::awaitCancellation);
        supervisor.run();
        MeterValues worker = new MeterValues(registry, "worker");
        awaitMeters(WAIT).untilAsserted(() -> assertThat(worker.running()).isEqualTo(1));
        assertThat(worker.status()).isEqualTo(1);

        supervisor.stop("worker");

        awaitMeters(WAIT).untilAsserted(() -> assertThat(worker.stopped()).isEqualTo(stops(ExitReason.MANUAL, 1)));
        assertThat(worker.status()).isZero();
        assertThat(worker.running()).isZero();
        assertThat(worker.started()).isEqualTo(1);
        assertThat(worker.restarted()).isZero();
    }

    @Test
    void manualRestartIsNotARestartByPolicy() {
        supervisor.register("worker", ProcessContext::awaitCancellation,
                ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        supervisor.run();
        MeterValues worker = new MeterValues(registry, "worker");
        awaitMeters(WAIT).untilAsserted(() -> assertThat(worker.started()).isEqualTo(1));

        supervisor.restart("worker");

        awaitMeters(WAIT).untilAsserted(() -> {
            assertThat(worker.started()).isEqualTo(2);
            assertThat(worker.running()).isEqualTo(1);
        });
        assertThat(worker.stopped()).isEqualTo(stops(ExitReason.MANUAL, 1));
        assertThat(worker.restarted()).isZero();
        assertThat(worker.restartCount()).isZero();
    }

    @Test
    void shutdown() {
        supervisor.register("a", ProcessContext::awaitCancellation);
        supervisor.register("b", ProcessContext::awaitCancellation,
                ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        supervisor.run();
        MeterValues a = new MeterValues(registry, "a");
        MeterValues b = new MeterValues(registry, "b");
        awaitMeters(WAIT).untilAsserted(() -> {
            assertThat(a.running()).isEqualTo(1);
            assertThat(b.running()).isEqualTo(1);
        });

        supervisor.shutdown();

        for (MeterValues process : new MeterValues[] {a, b}) {
            assertThat(process.stopped()).isEqualTo(stops(ExitReason.SHUTDOWN, 1));
            assertThat(process.status()).isZero();
            assertThat(process.running()).isZero();
            assertThat(process.restarted()).isZero(); // not restarted after shutdown (docs/go-port.md, defect 2)
            assertThat(process.limitExceeded()).isZero();
            assertThat(process.shutdownTimeouts()).isZero();
        }
    }

    @Test
    void shutdownTimeoutOfAProcessThatIgnoresCancellation() throws InterruptedException {
        tearDown();
        supervisor = supervisor(Duration.ofMillis(300));
        metrics = SupervisorMetrics.monitor(registry, supervisor, Tags.empty());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch exited = new CountDownLatch(1);
        supervisor.register("stubborn", ctx -> {
            try {
                DeafProcess.awaitIgnoringInterrupts(release);
            } finally {
                exited.countDown();
            }
        });
        supervisor.run();
        MeterValues stubborn = new MeterValues(registry, "stubborn");
        awaitMeters(WAIT).untilAsserted(() -> assertThat(stubborn.running()).isEqualTo(1));

        supervisor.shutdown();

        awaitMeters(WAIT).untilAsserted(() -> {
            assertThat(stubborn.shutdownTimeouts()).isEqualTo(1);
            assertThat(stubborn.stopped()).isEqualTo(stops(ExitReason.SHUTDOWN, 1));
        });
        assertThat(stubborn.status()).isZero();
        assertThat(stubborn.running()).isZero();

        release.countDown();
        assertThat(exited.await(10, TimeUnit.SECONDS)).isTrue();
        // the late exit changes no status or metric (docs/go-port.md, defect 5)
        assertThat(stubborn.status()).isZero();
        assertThat(stubborn.running()).isZero();
        assertThat(stubborn.stopped()).isEqualTo(stops(ExitReason.SHUTDOWN, 1));
        assertThat(stubborn.started()).isEqualTo(1);
    }

    /**
     * With a restart window, the restart count is the restarts within the window as time passes, not as of the last
     * transition: a run that goes on after a burst of restarts shows 0 once they have all left the window, as the
     * limit's next check counts them.
     */
    @Test
    void theRestartCountForgetsTheRestartsThatLeftTheWindowWhileARunGoesOn() {
        tearDown();
        ManualClock clock = new ManualClock(); // the window is measured on the supervisor's clock when it is given
        supervisor = Supervisor.builder().name("metrics-test").clock(clock).build();
        metrics = SupervisorMetrics.monitor(registry, supervisor, Tags.empty());
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("bursty", ctx -> {
            if (runs.incrementAndGet() <= 2) {
                throw new IllegalStateException("burst");
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO),
                ProcessOption.withRestartWindow(Duration.ofSeconds(10)));
        supervisor.run();
        MeterValues bursty = new MeterValues(registry, "bursty");
        awaitMeters(WAIT).untilAsserted(() -> {
            assertThat(bursty.running()).isEqualTo(1);
            assertThat(bursty.restartCount()).isEqualTo(2);
        });

        clock.advance(Duration.ofSeconds(10).plusNanos(1)); // both restarts are now older than the window

        assertThat(supervisor.snapshot("bursty").restartCount()).as("the snapshot, as of now").isZero();
        assertThat(bursty.restartCount()).as("the gauge").isZero();
        assertThat(supervisor.snapshot("bursty").totalRestarts()).as("never forgotten").isEqualTo(2);
    }

    @Test
    void aRestartThatShutdownCancelsDuringItsDelayIsNotCounted() {
        RecordingListener events = new RecordingListener();
        supervisor.addListener(events);
        supervisor.register("delayed", firstRun(Outcome.FAILS),
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofHours(1)));
        supervisor.run();
        MeterValues delayed = new MeterValues(registry, "delayed");
        events.await("delayed", SupervisorEvent.Type.RESTARTING); // the metrics listener came first: counted

        assertThat(delayed.status()).isEqualTo(-1);
        assertThat(delayed.running()).isZero();
        assertThat(delayed.stopped()).isEqualTo(stops(ExitReason.FAILED, 1));
        assertThat(delayed.restarted()).isZero(); // Go counted it here (docs/go-port.md, defect 4)
        assertThat(delayed.restartCount()).isZero();

        supervisor.shutdown();

        assertThat(delayed.restarted()).isZero();
        assertThat(delayed.started()).isEqualTo(1);
        assertThat(delayed.status()).isZero();
        assertThat(delayed.running()).isZero();
        assertThat(delayed.stopped()).isEqualTo(stops(ExitReason.FAILED, 1));
    }

    @Test
    void aProcessRegisteredAfterBindingGetsItsMeters() {
        supervisor.run();
        supervisor.register("late", ProcessContext::awaitCancellation);
        MeterValues late = new MeterValues(registry, "late");

        awaitMeters(WAIT).untilAsserted(() -> {
            assertThat(late.running()).isEqualTo(1);
            assertThat(late.started()).isEqualTo(1);
        });
    }

    @Test
    void bindingLateShowsTheCurrentStateAndCountsFromThenOn() {
        metrics.close();
        AtomicBoolean crash = new AtomicBoolean();
        supervisor.register("early", ctx -> {
            while (!crash.get()) {
                if (ctx.awaitCancellation(Duration.ofMillis(5))) {
                    return;
                }
            }
            crash.set(false);
            throw new IllegalStateException("crash");
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO));
        supervisor.run();
        awaitMeters(WAIT).until(() -> supervisor.isRunning("early"));

        metrics = SupervisorMetrics.monitor(registry, supervisor, Tags.empty());
        MeterValues early = new MeterValues(registry, "early");
        assertThat(early.running()).isEqualTo(1); // gauges are there at once, with the true value
        assertThat(early.started()).isZero();     // counters count from binding on

        crash.set(true);
        awaitMeters(WAIT).untilAsserted(() -> {
            assertThat(early.restarted()).isEqualTo(1);
            assertThat(early.panics()).isEqualTo(1);
        });
        assertThat(early.started()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(ProcessStatus.class)
    void statusGaugeValues(ProcessStatus status) {
        int expected;
        switch (status) {
            case RUNNING:
                expected = 1;
                break;
            case RESTARTING:
                expected = -1;
                break;
            case FAILED:
                expected = -2;
                break;
            default:
                expected = 0; // STOPPED, and STARTING: not running yet
        }
        assertThat(SupervisorMetrics.statusValue(status)).isEqualTo(expected);
    }
}
