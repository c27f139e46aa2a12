package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.testing.ClockLeaseStore;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;

/**
 * An operator's stop and start of a STANDBY singleton between the keeper's acquisition and its hand-over to the
 * process: the stop releases the acquisition the keeper just made and the start makes the process wait again. The
 * released lease must not be handed over then, or the process would run under a lease nobody renews, which another
 * node takes.
 */
class LeaseHandOverRaceTest {

    private static final LeaseTiming TIMING = LeaseTiming.DEFAULT;

    private final ManualClock manual = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(manual);
    private final ClockLeaseStore rows = new ClockLeaseStore(manual, TIMING);
    private final HandOverGate.GatedAcquisition aStore = new HandOverGate.GatedAcquisition(rows.connect(), () -> { });
    private final HandOverGate.GatedClock aClock = new HandOverGate.GatedClock(manual);
    private final Supervisor a = Supervisor.builder().name("app").nodeId("node-a").clock(aClock)
            .scheduler(scheduler).leaseStore(aStore).build();
    private final Supervisor b = Supervisor.builder().name("app").nodeId("node-b").clock(manual)
            .scheduler(scheduler).leaseStore(rows.connect()).build();
    private final List<Long> aTokens = new CopyOnWriteArrayList<>();
    private final List<Long> bTokens = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutDown() {
        a.shutdown();
        b.shutdown();
    }

    private void awaitIdle() {
        LeaseRounds.awaitDone(scheduler, a, b);
    }

    @Test
    void aStopAndStartDuringTheHandOverDoesNotLetTheProcessRunUnderAReleasedLease() throws Exception {
        a.register("relay", ctx -> {
            aTokens.add(ctx.fencingToken());
            ctx.awaitCancellation();
        }, ProcessOption.singleton());
        b.register("relay", ctx -> {
            bTokens.add(ctx.fencingToken());
            ctx.awaitCancellation();
        }, ProcessOption.singleton());

        a.run(); // the keeper's first round waits in tryAcquire
        assertThat(aStore.entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread worker = HandOverGate.leaseWorker("app");

        CountDownLatch holdingLock = new CountDownLatch(1);
        aClock.hook = () -> {
            holdingLock.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> HandOverGate.waitsInLeaseAcquired(worker));
            // the operator stops and starts the STANDBY singleton while the worker waits to hand the lease over
            a.stop("relay");
            a.start("relay");
        };
        Thread operator = new Thread(() -> a.resetRestartCount("relay"), "operator");
        aClock.gated = operator;
        operator.start();
        assertThat(holdingLock.await(10, TimeUnit.SECONDS)).isTrue();
        aStore.proceed.countDown();
        operator.join(10_000);

        awaitIdle();
        b.run();
        awaitIdle();
        for (int i = 0; i < 3; i++) {
            scheduler.advance(TIMING.renewInterval());
            awaitIdle();
        }

        ProcessStatus aStatus = a.status("relay");
        ProcessStatus bStatus = b.status("relay");
        assertThat(List.of(aStatus, bStatus)).as("node-a ran tokens %s, node-b ran tokens %s; store holder %s, "
                + "node-a's snapshot lease %s", aTokens, bTokens, rows.holder("app/relay"),
                a.snapshot("relay").lease()).containsOnlyOnce(ProcessStatus.RUNNING);
    }
}
