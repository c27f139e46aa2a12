package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.ProcessOption.inGroup;
import static org.simplevisor.ProcessOption.withRestart;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.SupervisorEvent.Type;
import org.simplevisor.testing.ClockLeaseStore;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.RecordingListener;

/**
 * A cluster singleton in a {@code ONE_FOR_ALL} group: restarted with its group under the lease it holds, left alone
 * while it waits for the lease on another node, and giving its lease back when the group gives up.
 */
class GroupSingletonTest {

    private static final String GROUP = "pipeline";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ClockLeaseStore rows = new ClockLeaseStore(clock, LeaseTiming.DEFAULT);
    private final RecordingListener events = new RecordingListener();
    private final Supervisor supervisor = Supervisor.builder().name("app").nodeId("node-a").clock(clock)
            .scheduler(scheduler).leaseStore(rows.connect()).listener(events).group(GROUP, GroupStrategy.ONE_FOR_ALL)
            .build();
    /** The reader's scripted failures: each run takes the next, or waits for its cancellation. */
    private final LinkedBlockingQueue<Exception> readerFailures = new LinkedBlockingQueue<>();
    /** The fencing tokens of the writer's runs. */
    private final List<Long> writerTokens = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutDown() {
        supervisor.shutdown();
    }

    private void register(int readerMaxRestarts) {
        supervisor.register("reader", ctx -> {
            throw readerFailures.take();
        }, inGroup(GROUP), withRestart(RestartPolicy.ON_FAILURE, readerMaxRestarts, Duration.ZERO));
        supervisor.register("writer", ctx -> {
            writerTokens.add(ctx.fencingToken());
            ctx.awaitCancellation();
        }, inGroup(GROUP), ProcessOption.singleton(), withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
    }

    /** Registers the group with this restart limit, runs it, and waits until the writer runs under its lease. */
    private void runUntilTheWriterRunsUnderItsLease(int maxRestarts) {
        register(maxRestarts);
        supervisor.run();
        awaitLeaseRoundsDone();
        await().atMost(WAIT).until(() -> writerTokens.size() == 1 && supervisor.isRunning("reader"));
    }

    private void awaitLeaseRoundsDone() {
        await().atMost(WAIT).until(() -> supervisor.leaseKeeper().isIdle());
    }

    @Test
    void aSingletonRestartsWithItsGroupUnderTheLeaseItHolds() {
        runUntilTheWriterRunsUnderItsLease(3);

        readerFailures.add(new Exception("feed closed"));
        await().atMost(WAIT).until(() -> writerTokens.size() == 2);
        assertThat(writerTokens).as("the same lease across the group restart").containsExactly(1L, 1L);
        assertThat(supervisor.snapshot("writer").totalRestarts()).isEqualTo(1);
        assertThat(events.await("writer", Type.STOPPED).reason()).isEqualTo(ExitReason.GROUP);
        assertThat(rows.holder("app/writer")).map(Lease::owner).contains("node-a");
    }

    @Test
    void aSingletonWaitingForItsLeaseIsLeftAloneByItsGroup() {
        rows.takeOver("app/writer", "node-b");
        register(3);
        supervisor.run();
        awaitLeaseRoundsDone();
        await().atMost(WAIT).until(() -> supervisor.status("writer") == ProcessStatus.STANDBY
                && supervisor.isRunning("reader"));

        readerFailures.add(new Exception("feed closed"));
        await().atMost(WAIT).until(() -> supervisor.snapshot("reader").totalStarts() == 2
                && supervisor.isRunning("reader"));
        assertThat(supervisor.status("writer")).isEqualTo(ProcessStatus.STANDBY);
        assertThat(writerTokens).isEmpty();
        await().atMost(WAIT).until(() -> events.events().stream().anyMatch(e -> e.type() == Type.GROUP_RESTARTING));
        assertThat(events.events()).filteredOn(e -> e.type() == Type.GROUP_RESTARTING)
                .extracting(SupervisorEvent::members).containsExactly(List.of("reader"));
    }

    @Test
    void aSingletonTheGroupGivesUpOnGivesItsLeaseBack() {
        runUntilTheWriterRunsUnderItsLease(1);

        readerFailures.add(new Exception("feed closed"));
        await().atMost(WAIT).until(() -> writerTokens.size() == 2 && supervisor.isRunning("reader"));
        readerFailures.add(new Exception("feed closed again"));

        await().atMost(WAIT).until(() -> supervisor.status("writer") == ProcessStatus.FAILED);
        assertThat(supervisor.status("reader")).isEqualTo(ProcessStatus.FAILED);
        await().atMost(WAIT).until(() -> rows.holder("app/writer").isEmpty()); // released for another node
        assertThat(supervisor.snapshot("writer").lease().held()).isFalse();
    }
}
