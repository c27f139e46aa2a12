package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.ProcessOption.withRestart;
import static org.simplevisor.ProcessOption.withWatchdog;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.testing.ClockLeaseStore;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ShutDownAfterEach;

/**
 * How a run's end is accounted when its causes overlap (an operator's stop after a lost lease, the watchdog after a
 * crash), how long a hung run was healthy, and a timed wait for cancellation longer than a long can count.
 */
class RunEndAccountingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RecordingListener events = new RecordingListener();
    @RegisterExtension
    final ShutDownAfterEach shutDown = new ShutDownAfterEach();

    private final CountDownLatch inCleanup = new CountDownLatch(1);
    private final CountDownLatch finishCleanup = new CountDownLatch(1);
    private final List<ProcessContext> runs = new CopyOnWriteArrayList<>();
    /** Lets a hung run beat again as it winds down. */
    private final Semaphore beatAgain = new Semaphore(0);

    /** Waits for its cancellation, then cleans up until the test lets it finish. */
    private final SupervisedProcess slowCleanup = ctx -> {
        runs.add(ctx);
        ctx.awaitCancellation();
        inCleanup.countDown();
        finishCleanup.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    };

    @AfterEach
    void release() {
        finishCleanup.countDown();
        beatAgain.release(Integer.MAX_VALUE / 2);
    }

    @Test
    void anOperatorStopOfASingletonWhoseLeaseWasLostKeepsItStopped() throws Exception {
        ClockLeaseStore rows = new ClockLeaseStore(clock, LeaseTiming.DEFAULT);
        ClockLeaseStore.Connection store = rows.connect();
        Supervisor supervisor = shutDown.supervisor(Supervisor.builder().name("app").nodeId("node-a").clock(clock)
                .scheduler(scheduler).leaseStore(store).shutdownTimeout(WAIT).listener(events).build());
        supervisor.register("relay", slowCleanup, ProcessOption.singleton());
        supervisor.run();
        awaitRoundsDone(supervisor);
        await().atMost(WAIT).until(() -> supervisor.status("relay") == ProcessStatus.RUNNING);

        rows.takeOver("app/relay", "node-z"); // its lease expired and another node took it
        scheduler.advance(LeaseTiming.DEFAULT.renewInterval());
        awaitRoundsDone(supervisor);
        assertThat(inCleanup.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("cancelled: lease lost").isTrue();

        supervisor.stop("relay"); // the operator stops it while it winds down
        finishCleanup.countDown();

        SupervisorEvent end = events.await("relay", SupervisorEvent.Type.STOPPED);
        assertThat(end.snapshot().status()).as("a stopped singleton does not compete again until started")
                .isEqualTo(ProcessStatus.STOPPED);
    }

    @Test
    void theWatchdogDoesNotReplaceTheCrashOfARunWhoseBodyHasEnded() throws Exception {
        Supervisor supervisor = shutDown.supervisor(Supervisor.builder().clock(clock).scheduler(scheduler)
                .shutdownTimeout(WAIT).listener(events).build());
        IllegalStateException crash = new IllegalStateException("boom");
        CountDownLatch inRecover = new CountDownLatch(1);
        supervisor.register("p", ctx -> {
            runs.add(ctx);
            throw crash;
        }, withRestart(RestartPolicy.NEVER, 3, Duration.ofSeconds(1)), withWatchdog(Duration.ofSeconds(5)),
                ProcessOption.withRecover(thrown -> {
                    inRecover.countDown();
                    while (true) {
                        try {
                            if (finishCleanup.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                                return;
                            }
                        } catch (InterruptedException e) {
                            // the watchdog's cancellation: keep going
                        }
                    }
                }));
        supervisor.run();
        assertThat(inRecover.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue(); // the body has crashed

        scheduler.advance(Duration.ofSeconds(5));
        finishCleanup.countDown();

        SupervisorEvent crashed = events.await("p", SupervisorEvent.Type.CRASHED);
        assertThat(crashed.error()).as("the CRASHED event carries what the run threw").isSameAs(crash);
        assertThat(supervisor.snapshot("p").lastFailure()).isSameAs(crash);
    }

    @Test
    void aTimedAwaitCancellationAcceptsAVeryLongTimeout() throws Exception {
        Supervisor supervisor = shutDown.supervisor(Supervisor.builder().clock(clock).scheduler(scheduler)
                .shutdownTimeout(WAIT).listener(events).build());
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        supervisor.register("p", ctx -> {
            try {
                outcome.complete(ctx.awaitCancellation(ChronoUnit.FOREVER.getDuration()));
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        supervisor.run();
        await().atMost(WAIT).until(() -> supervisor.status("p") == ProcessStatus.RUNNING || outcome.isDone());
        supervisor.stop("p");
        assertThat(outcome.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(Boolean.TRUE);
    }

    /** A hung run was healthy until its last heartbeat, however long the watchdog waited before declaring it hung. */
    @Test
    void aRunThatIsAlwaysHungReachesItsRestartLimitWhenTheWatchdogExceedsTheHealthyDuration() throws Exception {
        Supervisor supervisor = shutDown.supervisor(Supervisor.builder().clock(clock).scheduler(scheduler)
                .shutdownTimeout(WAIT).listener(events).build());
        supervisor.register("silent", ctx -> {
            runs.add(ctx);
            ctx.awaitCancellation();
        }, withRestart(RestartPolicy.ON_FAILURE, 1, Duration.ofSeconds(1)), withWatchdog(Duration.ofSeconds(60)));
        supervisor.run();
        hangEveryRun(supervisor, "silent", () -> scheduler.advance(Duration.ofSeconds(60)));
        assertThat(supervisor.status("silent")).as("a process that never sends a heartbeat exceeds a limit of 1 "
                + "restart").isEqualTo(ProcessStatus.FAILED);
        assertThat(runs).hasSize(2);
    }

    /**
     * A heartbeat the hung run sends as it winds down (its loop beats again once the call it was stuck in returns)
     * comes after the hang: the run was healthy only until its last heartbeat before it, so a process that hangs in
     * every run still reaches its limit.
     */
    @Test
    void aHeartbeatAfterTheWatchdogCancelledTheRunDoesNotMakeTheHungRunHealthy() throws Exception {
        Supervisor supervisor = shutDown.supervisor(Supervisor.builder().clock(clock).scheduler(scheduler)
                .shutdownTimeout(WAIT).listener(events).build());
        Semaphore woundDown = new Semaphore(0);
        supervisor.register("stuck", ctx -> {
            runs.add(ctx);
            ctx.awaitCancellation(); // the watchdog's
            woundDown.release();
            beatAgain.acquire();
            ctx.heartbeat();
        }, withRestart(RestartPolicy.ON_FAILURE, 1, Duration.ofSeconds(1)), withWatchdog(Duration.ofSeconds(5)));
        supervisor.run();
        hangEveryRun(supervisor, "stuck", () -> {
            scheduler.advance(Duration.ofSeconds(5)); // hung
            assertThat(woundDown.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            clock.advance(Duration.ofMinutes(1)); // longer than the healthy duration of 30 s
            beatAgain.release();
        });
        assertThat(supervisor.status("stuck")).as("a process that hangs in every run exceeds a limit of 1 restart")
                .isEqualTo(ProcessStatus.FAILED);
        assertThat(runs).hasSize(2);
    }

    /** A run's hang, as a test drives it: the watchdog's check, and what the run does after it. */
    private interface Hang {
        void drive() throws Exception;
    }

    /**
     * Makes each run of {@code process} (restart delay 1 s) hang, and restarts it, up to three runs, until it is no
     * longer restarted; then waits for its RESTART_LIMIT_EXCEEDED, if any (delivered after the last FAILED).
     */
    private void hangEveryRun(Supervisor supervisor, String process, Hang hang) throws Exception {
        for (int n = 1; n <= 3; n++) {
            int run = n;
            await().atMost(WAIT).until(() -> runs.size() == run && supervisor.status(process) == ProcessStatus.RUNNING);
            hang.drive();
            events.awaitCount(process, SupervisorEvent.Type.FAILED, run);
            if (supervisor.status(process) != ProcessStatus.RESTARTING) {
                break;
            }
            await().atMost(WAIT).until(() -> scheduler.pendingTasks() == 1);
            scheduler.advance(Duration.ofSeconds(1));
        }
        events.awaitCount(process, SupervisorEvent.Type.RESTART_LIMIT_EXCEEDED, 1);
    }

    private void awaitRoundsDone(Supervisor supervisor) {
        LeaseRounds.awaitDone(scheduler, supervisor);
    }
}
