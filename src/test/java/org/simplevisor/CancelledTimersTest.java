package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.ProcessOption.withRestart;
import static org.simplevisor.ProcessOption.withWatchdog;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.testing.ScriptedProcess;

/**
 * A timer the supervisor cancels leaves the scheduler's queue at once, also on a {@link ScheduledThreadPoolExecutor}
 * the user passed in with the JDK's default policy, which keeps a cancelled task queued until it falls due: the
 * watchdog's check and the executor's take-check of every run of a crash loop, an operator's stop during a restart's
 * delay, would otherwise pile up there for as long as the watchdog's timeout or the take-check's 30 s.
 */
class CancelledTimersTest {

    private static final int RESTARTS = 50;

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1); // keeps cancelled tasks
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Supervisor supervisor = Supervisor.builder().name("cancelled-timers").scheduler(scheduler)
            .executor(executor).shutdownTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void cleanUp() {
        supervisor.shutdown();
        scheduler.shutdownNow();
        executor.shutdownNow();
    }

    @Test
    void theChecksOfTheRunsOfACrashLoopLeaveTheUsersScheduler() {
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("looping", ctx -> {
            runs.incrementAndGet();
            throw new IllegalStateException("crash");
        }, withRestart(RestartPolicy.ALWAYS, RESTARTS, Duration.ZERO), withWatchdog(Duration.ofHours(1)));

        supervisor.run();

        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.status("looping") == ProcessStatus.FAILED);
        assertThat(runs).hasValue(RESTARTS + 1);
        assertThat(scheduler.getQueue()).as("the scheduler's queue after %s runs", RESTARTS + 1).isEmpty();
    }

    @Test
    void aRestartDelayAnOperatorsStopCancelsLeavesTheUsersScheduler() {
        ScriptedProcess process = new ScriptedProcess();
        supervisor.register("delayed", process, withRestart(RestartPolicy.ALWAYS, 0, Duration.ofHours(1)));
        supervisor.run();
        process.awaitRun(1);

        process.fail();
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.status("delayed") == ProcessStatus.RESTARTING);
        supervisor.stop("delayed");

        assertThat(supervisor.status("delayed")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(scheduler.getQueue()).as("the scheduler's queue once the delay is cancelled").isEmpty();
    }
}
