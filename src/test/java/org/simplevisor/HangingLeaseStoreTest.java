package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.simplevisor.cluster.H2Database;
import org.simplevisor.cluster.HangingDataSource;
import org.simplevisor.cluster.JdbcLeaseStore;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.RecordingListener;

/**
 * A holder whose lease store hangs in {@code DataSource.getConnection()}, as a borrow from an exhausted pool without a
 * borrow timeout does: the lease table is real (embedded H2, whose own clock keeps the 30 s lease alive throughout),
 * the node's time is a {@link ManualClock}. Renewals every 5 s, runs stopped at 20 s.
 */
@Tag("database")
class HangingLeaseStoreTest {

    private static final LeaseTiming TIMING = LeaseTiming.DEFAULT;
    private static final Duration RENEW = TIMING.renewInterval();

    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final H2Database h2 = H2Database.embedded();
    private final HangingDataSource dataSource = new HangingDataSource(h2.dataSource());
    private final RecordingListener events = new RecordingListener();
    private final List<Long> tokens = new CopyOnWriteArrayList<>();
    private final List<Instant> runEnds = new CopyOnWriteArrayList<>();
    private final Supervisor node = Supervisor.builder().name("app").nodeId("node-a").clock(clock)
            .scheduler(scheduler).leaseStore(JdbcLeaseStore.builder(dataSource).build()).listener(events).build();

    @AfterEach
    void shutDown() {
        dataSource.release(); // the hanging borrow, if it still hangs
        node.shutdown();
    }

    /** {@return when the singleton "relay" was acquired, having started it and awaited its run} */
    private Instant runningRelay() {
        node.register("relay", ctx -> {
            tokens.add(ctx.fencingToken());
            try {
                ctx.awaitCancellation();
            } finally {
                runEnds.add(clock.instant());
            }
        }, ProcessOption.singleton());
        Instant acquired = clock.instant();
        node.run();
        LeaseRounds.awaitDone(scheduler, node);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.status("relay") == ProcessStatus.RUNNING);
        return acquired;
    }

    /** The renewal due next hangs in getConnection; {@return once it does} */
    private void hangTheNextRenewal() {
        dataSource.hangNextBorrow();
        scheduler.advance(RENEW);
        await().atMost(Duration.ofSeconds(10)).until(() -> dataSource.hanging() == 1);
    }

    /**
     * A store that hangs when the supervisor starts is a store that is down at deploy: the start goes on after the
     * renewal deadline at most (not for ever, as Tomcat's start thread would), the singleton waits in STANDBY, and the
     * rounds, on a new thread, prepare the store and acquire the lease once it answers.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aStoreThatHangsAtStartDoesNotHoldTheStartBackBeyondTheRenewalDeadline() throws Exception {
        node.register("relay", ctx -> {
            tokens.add(ctx.fencingToken());
            ctx.awaitCancellation();
        }, ProcessOption.singleton());
        dataSource.hangNextBorrow(); // the preparation's

        CompletableFuture<Void> starting = CompletableFuture.runAsync(node::run);
        await().atMost(Duration.ofSeconds(10)).until(() -> dataSource.hanging() == 1);
        assertThat(starting).as("waiting for the store, while it may still answer").isNotDone();
        scheduler.advance(TIMING.renewDeadline());

        starting.get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.status("relay") == ProcessStatus.RUNNING);
        // RUNNING is set as the run is handed to its thread: the body may not have noted its token yet
        await().atMost(Duration.ofSeconds(10)).until(() -> !tokens.isEmpty());
        assertThat(tokens).containsExactly(1L);
        assertThat(dataSource.hanging()).as("the first preparation, left to its thread").isEqualTo(1);
    }

    @Test
    void aHolderWhoseRenewalHangsStopsItsRunAtItsOwnDeadline() {
        Instant acquired = runningRelay();
        hangTheNextRenewal();

        scheduler.advance(TIMING.renewDeadline().minus(RENEW));

        await().atMost(Duration.ofSeconds(10)).until(() -> node.status("relay") == ProcessStatus.STANDBY);
        assertThat(events.await("relay", SupervisorEvent.Type.STOPPED).reason()).isEqualTo(ExitReason.LEASE_LOST);
        assertThat(node.snapshot("relay").lease().lastLoss()).isEqualTo(LeaseLoss.RENEWAL_FAILED);
        assertThat(runEnds).as("stopped at the deadline, a third of the lease before it can expire")
                .containsExactly(acquired.plus(TIMING.renewDeadline()));
        assertThat(dataSource.hanging()).as("while the renewal still hangs").isEqualTo(1);
    }

    @Test
    void aStoreCallThatNeverReturnsDoesNotStopTheKeeperForGood() {
        runningRelay();
        hangTheNextRenewal(); // and never returns: later borrows answer
        scheduler.advance(TIMING.renewDeadline().minus(RENEW));
        await().atMost(Duration.ofSeconds(10)).until(() -> node.status("relay") == ProcessStatus.STANDBY);

        scheduler.advance(RENEW); // the hanging round has now lasted the renewal deadline

        await().atMost(Duration.ofSeconds(10)).until(() -> node.status("relay") == ProcessStatus.RUNNING);
        // RUNNING is set as the run is handed to its thread: the body may not have noted its token yet
        await().atMost(Duration.ofSeconds(10)).until(() -> tokens.size() >= 2);
        assertThat(tokens).as("its lease released, then acquired anew by rounds on another thread")
                .containsExactly(1L, 2L);
        assertThat(dataSource.hanging()).as("the first round still hangs").isEqualTo(1);
    }
}
