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
 * What happens between the lease keeper's acquisition and its hand-over to the process. The interleaving is forced:
 * another thread holds the process's lock (resetRestartCount) while the keeper's worker waits for it in
 * leaseAcquired, and the race runs then.
 */
class LeaseHandOverRaceTest {

    private static final LeaseTiming TIMING = LeaseTiming.DEFAULT;

    private final ManualClock manual = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(manual);
    private final ClockLeaseStore rows = new ClockLeaseStore(manual, TIMING);
    private final ClockLeaseStore.Connection aRows = rows.connect();
    private final HandOverGate.GatedAcquisition aStore = new HandOverGate.GatedAcquisition(aRows);
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

    /**
     * Registers the singleton on both nodes, runs node a, and runs {@code race} while a's keeper has acquired the
     * lease and waits to hand it to the process; then lets the hand-over go on.
     */
    private void raceTheHandOver(Runnable race) throws Exception {
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
            race.run();
        };
        Thread operator = new Thread(() -> a.resetRestartCount("relay"), "operator");
        aClock.gated = operator;
        operator.start();
        assertThat(holdingLock.await(10, TimeUnit.SECONDS)).isTrue();
        aStore.proceed.countDown();
        operator.join(10_000);
    }

    private void runNodeB() {
        awaitIdle();
        b.run();
        awaitIdle();
    }

    /** Moves time on by a lease time, one renewal interval at a time, letting the rounds finish at each step. */
    private void advanceALeaseTime() {
        for (Duration passed = Duration.ZERO; passed.compareTo(TIMING.leaseTime()) < 0;
                passed = passed.plus(TIMING.renewInterval())) {
            scheduler.advance(TIMING.renewInterval());
            awaitIdle();
        }
    }

    /**
     * The deadline of an acquisition may pass while the worker waits to hand it to the process (here, for the
     * process's lock), and the deadline check run on the scheduler before the hand-over, finding the process without a
     * lease yet: the process must still be told once it has the lease, or it would run with no deadline check and no
     * loss notice ever again, and keep running when its renewals fail and the lease goes to another node. (An
     * acquisition that comes back after its deadline is not handed over at all: SingletonTest.)
     */
    @Test
    void aDeadlineThatPassesDuringTheHandOverStillStopsTheRun() throws Exception {
        // the scheduler thread runs the deadline check, at the deadline, before that moment's tick (whose round would
        // renew the lease, late)
        raceTheHandOver(() -> scheduler.advance(TIMING.renewDeadline()));

        // told, its run (begun or not) ended, and the process, in STANDBY, acquired the lease anew at once
        await().atMost(Duration.ofSeconds(10)).until(() -> a.snapshot("relay").lease().fencingToken() == 2);
        assertThat(a.snapshot("relay").lease().lastLoss()).isEqualTo(LeaseLoss.RENEWAL_FAILED);
        runNodeB();
        advanceALeaseTime(); // long enough for a lease nobody renews to expire, and node-b to take it
        assertThat(List.of(a.status("relay"), b.status("relay"))).containsOnlyOnce(ProcessStatus.RUNNING);
    }

    /**
     * An operator's stop and start of a STANDBY singleton during the hand-over: the stop releases the acquisition the
     * keeper just made and the start makes the process wait again. The released lease must not be handed over then,
     * or the process would run under a lease nobody renews, which another node takes.
     */
    @Test
    void aStopAndStartDuringTheHandOverDoesNotLetTheProcessRunUnderAReleasedLease() throws Exception {
        raceTheHandOver(() -> {
            a.stop("relay");
            a.start("relay");
        });
        runNodeB();
        advanceALeaseTime(); // long enough for a lease nobody renews to expire, and node-b to take it

        ProcessStatus aStatus = a.status("relay");
        ProcessStatus bStatus = b.status("relay");
        assertThat(List.of(aStatus, bStatus)).as("node-a ran tokens %s, node-b ran tokens %s; store holder %s, "
                + "node-a's snapshot lease %s", aTokens, bTokens, rows.holder("app/relay"),
                a.snapshot("relay").lease()).containsOnlyOnce(ProcessStatus.RUNNING);
    }
}
