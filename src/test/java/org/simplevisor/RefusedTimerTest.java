package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.ProcessOption.inGroup;
import static org.simplevisor.ProcessOption.singleton;
import static org.simplevisor.ProcessOption.withRestart;
import static org.simplevisor.ProcessOption.withWatchdog;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.cluster.H2Database;
import org.simplevisor.cluster.JdbcLeaseStore;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ScriptedProcess;

/**
 * A scheduler the user passed in and shut down while the supervisor still runs refuses the timers of the processes:
 * as a run the executor refuses, a process whose restart's delay, watchdog or group start cannot be scheduled is
 * {@code FAILED} with the refusal as its last failure, told by a {@code STATUS_CHANGED} event and an ERROR line,
 * rather than left {@code RESTARTING}, or {@code RUNNING} with no body.
 */
class RefusedTimerTest {

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final RecordingListener events = new RecordingListener();
    private final CapturedLogs logs = CapturedLogs.attach();
    private Supervisor supervisor = builder().build();

    private Supervisor.Builder builder() {
        return Supervisor.builder().name("refused-timer").scheduler(scheduler).shutdownTimeout(Duration.ofSeconds(5))
                .listener(events);
    }

    @AfterEach
    void cleanUp() {
        supervisor.shutdown();
        scheduler.shutdownNow();
        logs.close();
    }

    @Test
    void aRestartWhoseDelayTheSchedulerRefusesFailsTheProcess() {
        ScriptedProcess process = new ScriptedProcess();
        supervisor.register("worker", process, withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofSeconds(1)));
        supervisor.run();
        process.awaitRun(1);
        scheduler.shutdown(); // the user's, while the supervisor runs

        process.fail();

        assertFailedByTheRefusal("worker");
        assertThat(events.types("worker")).endsWith(SupervisorEvent.Type.FAILED, SupervisorEvent.Type.RESTARTING,
                SupervisorEvent.Type.STATUS_CHANGED);
        assertThat(process.runs()).isEqualTo(1);
    }

    @Test
    void aRunWhoseWatchdogTheSchedulerRefusesDoesNotBeginAndTheProcessFails() {
        supervisor.run();
        scheduler.shutdown();
        AtomicBoolean bodyRan = new AtomicBoolean();

        supervisor.register("watched", ctx -> bodyRan.set(true), withWatchdog(Duration.ofSeconds(30)));

        assertFailedByTheRefusal("watched");
        assertThat(events.types("watched")).doesNotContain(SupervisorEvent.Type.STARTED);
        assertThat(supervisor.snapshot("watched").totalStarts()).isZero();
        assertThat(bodyRan).isFalse();
    }

    /**
     * The scheduler refuses both the check that the member the group cancelled ends in time (the group then waits
     * for it without a limit, and says so) and the group restart's delay: every member it would start fails.
     */
    @Test
    void aGroupRestartWhoseDelayTheSchedulerRefusesFailsEveryMemberItWouldStart() {
        supervisor = builder().group("pair", GroupStrategy.ONE_FOR_ALL).build();
        ScriptedProcess trigger = new ScriptedProcess();
        supervisor.register("trigger", trigger, inGroup("pair"),
                withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofSeconds(1)));
        supervisor.register("partner", ProcessContext::awaitCancellation, inGroup("pair"),
                withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofSeconds(1)));
        supervisor.run();
        trigger.awaitRun(1);
        events.await("partner", SupervisorEvent.Type.STARTED);
        scheduler.shutdown();

        trigger.fail();

        assertFailedByTheRefusal("trigger");
        assertFailedByTheRefusal("partner");
        assertThat(logs.at(Level.ERROR)).anySatisfy(line -> {
            assertThat(line.message()).isEqualTo("Group \"pair\": the scheduler refused the check that process"
                    + " \"partner\" ends in time; the group waits for its run without a limit");
            assertThat(line.process()).isEqualTo("partner");
        });
    }

    /**
     * A check that finds the run alive cannot put the next one on a scheduler shut down since: the run goes on,
     * unwatched, and the log says so (the process cannot fail under a run in progress). The ticker stands still, so
     * the check always finds a silence of zero.
     */
    @Test
    void aRunWhoseNextWatchdogCheckTheSchedulerRefusesGoesOnUnwatched() {
        supervisor = builder().ticker(() -> 0).build();
        supervisor.register("watched", ProcessContext::awaitCancellation, withWatchdog(Duration.ofMillis(50)));
        supervisor.run();
        events.await("watched", SupervisorEvent.Type.STARTED);
        scheduler.shutdown(); // the first check, already scheduled, still runs

        await().untilAsserted(() -> assertThat(logs.at(Level.ERROR)).anySatisfy(line -> {
            assertThat(line.message()).isEqualTo("Process \"watched\": the scheduler refused the watchdog's next"
                    + " check; the run goes on unwatched");
            assertThat(line.process()).isEqualTo("watched");
            assertThat(line.thrown()).isInstanceOf(RejectedExecutionException.class);
        }));
        assertThat(supervisor.status("watched")).isEqualTo(ProcessStatus.RUNNING);
    }

    /** Without a delay the group restart needs no timer but the check: waiting without a limit, it restarts all. */
    @Test
    void aGroupWhoseStopCheckTheSchedulerRefusesStillRestartsItsMembers() {
        supervisor = builder().group("pair", GroupStrategy.ONE_FOR_ALL).build();
        ScriptedProcess trigger = new ScriptedProcess();
        supervisor.register("trigger", trigger, inGroup("pair"),
                withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO));
        supervisor.register("partner", ProcessContext::awaitCancellation, inGroup("pair"),
                withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO));
        supervisor.run();
        trigger.awaitRun(1);
        events.await("partner", SupervisorEvent.Type.STARTED);
        scheduler.shutdown();

        trigger.fail();

        trigger.awaitRun(2);
        events.awaitCount("partner", SupervisorEvent.Type.STARTED, 2);
        await().until(() -> supervisor.isRunning("trigger") && supervisor.isRunning("partner"));
        assertThat(supervisor.snapshot("partner").totalRestarts()).isEqualTo(1);
    }

    private Supervisor withLeaseStore() {
        return builder().nodeId("node-a").leaseStore(JdbcLeaseStore.builder(H2Database.embedded().dataSource()).build())
                .build();
    }

    /**
     * A lease keeper whose deadline check is refused can neither stop a run whose lease expires nor keep one: the
     * singleton running is stopped and fails, so does the one waiting for its lease, and the log says why once.
     */
    @Test
    void singletonsWhoseLeaseTimerTheSchedulerRefusesStopAndFail() {
        supervisor = withLeaseStore();
        supervisor.register("relay", ProcessContext::awaitCancellation, singleton());
        supervisor.run();
        events.await("relay", SupervisorEvent.Type.STARTED);
        scheduler.shutdown();

        supervisor.register("mailer", ProcessContext::awaitCancellation, singleton()); // its acquisition's check

        assertFailedByTheRefusal("mailer");
        assertFailedByTheRefusal("relay");
        assertThat(events.await("relay", SupervisorEvent.Type.STOPPED).reason()).isEqualTo(ExitReason.LEASE_LOST);
        assertThat(logs.at(Level.ERROR)).filteredOn(line -> line.message().contains("lease keeper")).singleElement()
                .satisfies(line -> assertThat(line.thrown()).isInstanceOf(RejectedExecutionException.class));
    }

    /** A scheduler shut down before the supervisor starts: the start goes on, its singletons fail. */
    @Test
    void singletonsOfASupervisorStartedOnARefusingSchedulerFail() {
        supervisor = withLeaseStore();
        supervisor.register("relay", ProcessContext::awaitCancellation, singleton());
        scheduler.shutdown();

        supervisor.run();

        assertFailedByTheRefusal("relay");
        assertThat(events.types("relay")).doesNotContain(SupervisorEvent.Type.STARTED);
    }

    private void assertFailedByTheRefusal(String name) {
        await().until(() -> supervisor.status(name) == ProcessStatus.FAILED);
        ProcessSnapshot failed = supervisor.snapshot(name);
        assertThat(failed.lastFailure()).isInstanceOf(RejectedExecutionException.class);
        SupervisorEvent told = await().until(() -> events.events().stream().filter(e -> name.equals(e.processName())
                && e.type() == SupervisorEvent.Type.STATUS_CHANGED && e.snapshot().status() == ProcessStatus.FAILED)
                .findFirst(), Optional::isPresent).orElseThrow();
        assertThat(told.error()).isSameAs(failed.lastFailure());
        await().untilAsserted(() -> assertThat(logs.at(Level.ERROR)).anySatisfy(line -> {
            assertThat(line.message()).isEqualTo("Process \"" + name + "\" is now FAILED");
            assertThat(line.thrown()).isSameAs(failed.lastFailure());
        }));
    }
}
