package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ShutDownAfterEach;

/** Where a folded loop ends: what an operator does to the process, or to another member, is told in full. */
class LoggingLoopEndsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String REPEATED = "connection refused";

    @RegisterExtension
    final ShutDownAfterEach shutDown = new ShutDownAfterEach();
    private final CapturedLogs logs = shutDown.closeable(CapturedLogs.attach());

    private List<CapturedLogs.Line> linesOf(String process) {
        return logs.lines().stream().filter(line -> process.equals(line.process())).toList();
    }

    /**
     * An operator's restart starts the process afresh (a fresh restart count), as a stop and a start do: the loop
     * before it is told, and the same failure after it is logged in full, not counted into the loop.
     */
    @Test
    void anOperatorsRestartEndsTheLoopAndTheNextFailureIsLoggedInFull() {
        ManualClock clock = new ManualClock(); // never advances: everything within one window
        RecordingListener events = new RecordingListener();
        Supervisor supervisor = Supervisor.builder().name("operator-restart").clock(clock).listener(events).build();
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("flaky", ctx -> {
            int run = runs.incrementAndGet();
            if (run == 3 || run > 4) {
                ctx.awaitCancellation(); // the third waits for the operator's restart
                return;
            }
            throw new IllegalStateException(REPEATED);
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        try {
            supervisor.run();
            events.awaitCount("flaky", SupervisorEvent.Type.STARTED, 3);
            supervisor.restart("flaky");
            events.awaitCount("flaky", SupervisorEvent.Type.STARTED, 5);
        } finally {
            supervisor.shutdown();
        }
        events.awaitTerminated();

        List<CapturedLogs.Line> lines = linesOf("flaky");
        assertThat(lines).filteredOn(l -> l.thrown() != null && REPEATED.equals(l.thrown().getMessage()))
                .as("the failure in full before the operator's restart and after it").hasSize(2);
        List<String> messages = lines.stream().map(CapturedLogs.Line::message).toList();
        int told = messages.indexOf(messages.stream().filter(m -> m.contains("1 more of the same failure"))
                .findFirst().orElseThrow());
        int restartedByOperator = messages.indexOf("Process \"flaky\" started");
        assertThat(told).as("the loop is told once, before the operator's start")
                .isLessThan(messages.lastIndexOf("Process \"flaky\" started")).isGreaterThan(restartedByOperator);
        assertThat(messages).filteredOn(m -> m.contains("more of the same")).hasSize(1);
    }

    private long stoppedLines(String process) {
        return linesOf(process).stream().filter(l -> l.message().startsWith("Process \"" + process + "\" stopped"))
                .count();
    }

    /**
     * A member that does not restart (policy NEVER) is stopped for good by a group restart that another member's
     * folded loop triggers: it comes to rest, and its line says so; it is no part of the loop's summary.
     */
    @Test
    void aMemberStoppedForGoodByAFoldedLoopsGroupRestartLogsItsStop() throws Exception {
        ManualClock clock = new ManualClock(); // never advances: the loop's window lasts
        RecordingListener events = new RecordingListener();
        Supervisor supervisor = Supervisor.builder().name("never-member").clock(clock).listener(events)
                .group("pipeline", GroupStrategy.ONE_FOR_ALL).build();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch failAgain = new CountDownLatch(1);
        supervisor.register("reader", ctx -> {
            int run = runs.incrementAndGet();
            if (run == 2) {
                failAgain.await();
            }
            if (run <= 2) {
                throw new IllegalStateException(REPEATED);
            }
            ctx.awaitCancellation();
        }, ProcessOption.inGroup("pipeline"), ProcessOption.withPriority(1),
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        supervisor.register("oneshot", ProcessContext::awaitCancellation, ProcessOption.inGroup("pipeline"),
                ProcessOption.withPriority(2), ProcessOption.withRestart(RestartPolicy.NEVER, 0, Duration.ZERO));
        try {
            supervisor.run();
            await().atMost(WAIT).until(() -> runs.get() == 2 && supervisor.isRunning("reader"));
            supervisor.start("oneshot"); // running again while reader waits to fail the same way
            await().atMost(WAIT).until(() -> supervisor.isRunning("oneshot"));
            int stops = (int) events.count("oneshot", SupervisorEvent.Type.STOPPED);
            long linesBefore = stoppedLines("oneshot");

            failAgain.countDown(); // the repeat is counted, and its group restart stops oneshot for good
            events.awaitCount("oneshot", SupervisorEvent.Type.STOPPED, stops + 1);
            await().atMost(WAIT).until(() -> runs.get() == 3 && supervisor.isRunning("reader"));
            assertThat(supervisor.status("oneshot")).isEqualTo(ProcessStatus.STOPPED);
            assertThat(stoppedLines("oneshot")).as("oneshot's 'stopped (group)' line: it does not run again")
                    .isEqualTo(linesBefore + 1);
        } finally {
            supervisor.shutdown();
        }
    }

    /**
     * In a ONE_FOR_ONE group a loop triggers no group restart: an operator's restartGroup while the looping member
     * waits out its restart delay is no part of the loop, and the other members' lines of it are logged.
     */
    @Test
    void anOperatorsGroupRestartDuringTheRestartDelayOfALoopInAOneForOneGroupLogsTheMembersStop() {
        ManualClock clock = new ManualClock();
        ManualScheduler scheduler = new ManualScheduler(clock);
        RecordingListener events = new RecordingListener();
        Supervisor supervisor = Supervisor.builder().name("one-for-one-loop").clock(clock).scheduler(scheduler)
                .listener(events).group("pipeline", GroupStrategy.ONE_FOR_ONE).build();
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("reader", ctx -> {
            if (runs.incrementAndGet() <= 2) {
                throw new IllegalStateException(REPEATED);
            }
            ctx.awaitCancellation();
        }, ProcessOption.inGroup("pipeline"), ProcessOption.withPriority(1),
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ofSeconds(1)));
        supervisor.register("processor", ProcessContext::awaitCancellation, ProcessOption.inGroup("pipeline"),
                ProcessOption.withPriority(2), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        try {
            supervisor.run();
            events.awaitCount("processor", SupervisorEvent.Type.STARTED, 1);
            events.awaitCount("reader", SupervisorEvent.Type.RESTARTING, 1);
            await().atMost(WAIT).until(() -> scheduler.pendingTasks() == 1);
            scheduler.advance(Duration.ofSeconds(1)); // the second run fails the same way: counted, in its delay now
            events.awaitCount("reader", SupervisorEvent.Type.RESTARTING, 2);
            await().atMost(WAIT).until(() -> scheduler.pendingTasks() == 1);
            long stoppedBefore = stoppedLines("processor");

            supervisor.restartGroup("pipeline");
            events.awaitCount("processor", SupervisorEvent.Type.STARTED, 2);
            assertThat(stoppedLines("processor")).as("processor's 'stopped (group)' line of the operator's"
                    + " restartGroup").isEqualTo(stoppedBefore + 1);
        } finally {
            supervisor.shutdown();
        }
    }
}
