package org.simplevisor.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.ProcessOption.inGroup;
import static org.simplevisor.ProcessOption.withRestart;
import static org.simplevisor.fault.FaultHarness.Outcome.ended;
import static org.simplevisor.fault.FaultHarness.Outcome.stuck;
import static org.simplevisor.fault.FaultHarness.waiting;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.management.Notification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.GroupStrategy;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.ProcessStatus;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.SupervisorEvent.Type;
import org.simplevisor.jmx.SupervisorJmx;
import org.simplevisor.testing.DeafProcess;
import org.simplevisor.testing.FirstRunFails;

/**
 * The invariants of {@link FaultHarness} for process groups, on real threads and the real clock: no member ever
 * runs twice at once, {@code starts == exits + running}, every event one notification without gaps, the events of
 * each process an unbroken chain, shutdown within its timeout and no thread left.
 */
class GroupFaultTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final String GROUP = "pipeline";
    private static final List<String> MEMBERS = List.of("reader", "processor", "writer");

    private final List<FaultHarness> harnesses = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeHarnesses() {
        harnesses.forEach(FaultHarness::close);
    }

    private FaultHarness harness(String label, GroupStrategy strategy) {
        FaultHarness harness = new FaultHarness(label, TIMEOUT, builder -> builder.group(GROUP, strategy));
        harnesses.add(harness);
        return harness;
    }

    @Test
    void aCrashLoopRestartsTheGroupUntilTheTriggerExceedsItsLimit() {
        FaultHarness harness = harness("group-crash-loop", GroupStrategy.ONE_FOR_ALL);
        harness.register("reader", ctx -> {
            throw new IllegalStateException("feed unavailable");
        }, inGroup(GROUP), withRestart(RestartPolicy.ON_FAILURE, 20, Duration.ZERO));
        harness.register("processor", ProcessContext::awaitCancellation, inGroup(GROUP),
                withRestart(RestartPolicy.ALWAYS, 1, Duration.ZERO));
        harness.register("writer", ProcessContext::awaitCancellation, inGroup(GROUP),
                withRestart(RestartPolicy.NEVER, 1, Duration.ZERO));
        harness.run();
        harness.awaitEvent("reader", Type.RESTART_LIMIT_EXCEEDED);
        harness.awaitStatus("processor", ProcessStatus.FAILED);

        assertThat(harness.supervisor().snapshot("reader").totalStarts()).isEqualTo(21);
        assertThat(harness.supervisor().snapshot("processor").restartCount()).as("not against its own limit")
                .isZero();
        // Restarted with each group restart whose run began before the next crash cancelled it: with zero delays on a
        // busy machine possibly none, never more than the group restarts, and each one announced.
        long processorRestarts = harness.supervisor().snapshot("processor").totalRestarts();
        assertThat(processorRestarts).isLessThanOrEqualTo(20);
        await().until(() -> caughtUp(harness, "processor"));
        assertThat(harness.events().events()).filteredOn(e -> "processor".equals(e.processName())
                && e.type() == Type.STARTED && e.restart()).hasSize((int) processorRestarts);
        assertThat(harness.supervisor().snapshot("writer").totalStarts()).as("NEVER: not restarted").isEqualTo(1);
        List<Notification> groupNotifications = harness.notifications().from(harness.jmx().supervisorObjectName());
        assertThat(groupNotifications).extracting(Notification::getType)
                .containsOnly(SupervisorJmx.GROUP_RESTARTING).hasSize(20);
        assertThat(groupNotifications).extracting(Notification::getSequenceNumber)
                .containsExactlyElementsOf(FaultHarness.sequence(1, 20));
        harness.shutdownAndVerify(ended("reader", ProcessStatus.FAILED), ended("processor", ProcessStatus.FAILED),
                ended("writer", ProcessStatus.STOPPED));
    }

    @Test
    void aMemberThatIgnoresItsGroupsCancellationIsReportedOnceAndNeverRunsTwice() {
        FaultHarness harness = harness("group-stuck-member", GroupStrategy.REST_FOR_ONE);
        CountDownLatch release = harness.latchOpenedAfterShutdown();
        CountDownLatch processorBegan = new CountDownLatch(1);
        harness.register("reader", new FirstRunFails(processorBegan, () -> new java.io.IOException("connection reset")),
                inGroup(GROUP), withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO));
        harness.register("processor", ctx -> {
            processorBegan.countDown();
            DeafProcess.awaitIgnoringInterrupts(release);
        }, inGroup(GROUP), withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        harness.register("writer", ProcessContext::awaitCancellation, inGroup(GROUP),
                withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        harness.run();
        harness.awaitEvent("processor", Type.SHUTDOWN_TIMEOUT);
        harness.awaitStatus("reader", ProcessStatus.FAILED);
        harness.awaitStatus("writer", ProcessStatus.FAILED);

        // An operator's start waits for the stuck run: still one run of the processor.
        harness.supervisor().start("processor");
        assertThat(harness.runs("processor")).isEqualTo(1);
        harness.shutdownAndVerify(ended("reader", ProcessStatus.FAILED),
                stuck("processor", "awaitIgnoringInterrupts", ProcessStatus.FAILED),
                ended("writer", ProcessStatus.FAILED));
    }

    /** {@return whether the listeners have received the event that announced the process's current state} */
    private static boolean caughtUp(FaultHarness harness, String process) {
        List<SupervisorEvent> own = harness.events().events().stream()
                .filter(e -> process.equals(e.processName())).collect(Collectors.toList());
        if (own.isEmpty()) {
            return false; // events reach the listeners on the event thread: none of this process's may have yet
        }
        ProcessSnapshot announced = own.get(own.size() - 1).snapshot();
        ProcessSnapshot now = harness.supervisor().snapshot(process);
        return announced.status() == now.status() && announced.totalStarts() == now.totalStarts()
                && announced.totalExits() == now.totalExits();
    }

    @Test
    void operatorsRacingGroupRestartsKeepEveryInvariant() throws Exception {
        for (GroupStrategy strategy : List.of(GroupStrategy.ONE_FOR_ALL, GroupStrategy.REST_FOR_ONE)) {
            FaultHarness harness = harness("group-operators-" + strategy, strategy);
            AtomicInteger crashesLeft = new AtomicInteger(40);
            harness.register("reader", ctx -> {
                if (crashesLeft.decrementAndGet() >= 0) {
                    throw new IllegalStateException("malformed record");
                }
                ctx.awaitCancellation();
            }, inGroup(GROUP), withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
            for (String member : MEMBERS.subList(1, MEMBERS.size())) {
                harness.register(member, ProcessContext::awaitCancellation, inGroup(GROUP),
                        withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO));
            }
            harness.run();
            Supervisor supervisor = harness.supervisor();
            Thread operator = new Thread(() -> {
                Random random = new Random(42);
                for (int i = 0; i < 300; i++) {
                    String member = MEMBERS.get(random.nextInt(MEMBERS.size()));
                    switch (random.nextInt(4)) {
                        case 0 -> supervisor.stop(member);
                        case 1 -> supervisor.restart(member);
                        case 2 -> supervisor.start(member);
                        default -> supervisor.restartGroup(GROUP);
                    }
                }
            }, "group-operator");
            operator.start();
            operator.join();
            MEMBERS.forEach(supervisor::start);
            waiting().until(() -> crashesLeft.get() < 0);
            MEMBERS.forEach(supervisor::start);
            MEMBERS.forEach(member -> harness.awaitStatus(member, ProcessStatus.RUNNING));
            // Listeners catch up with the storm's events before the short shutdown timeout begins.
            waiting().until(() -> MEMBERS.stream().allMatch(member -> caughtUp(harness, member)));
            harness.verifyEventChains(false);
            harness.shutdownAndVerify(MEMBERS.stream().map(m -> ended(m, ProcessStatus.STOPPED))
                    .toArray(FaultHarness.Outcome[]::new));
        }
    }
}
