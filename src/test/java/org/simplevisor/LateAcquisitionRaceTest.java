package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.testing.ClockLeaseStore;
import org.simplevisor.testing.DelegatingLeaseStore;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;

/**
 * An acquisition that comes back after its own deadline (a pool that made the keeper wait for a connection, say)
 * schedules the deadline check at once. That check may run on the scheduler before the worker hands the lease to the
 * process, and find the process without a lease yet: the process must still be told once it has the lease, or it
 * would run with no deadline check and no loss notice ever again, and keep running when its renewals fail and the
 * lease goes to another node.
 *
 * <p>The interleaving is forced: another thread holds the process's lock (resetRestartCount) while the worker waits
 * for it in leaseAcquired, and the due deadline check runs then, as the scheduler thread may run it.
 */
class LateAcquisitionRaceTest {

    private static final LeaseTiming TIMING = LeaseTiming.DEFAULT;

    private final ManualClock manual = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(manual);
    private final ClockLeaseStore rows = new ClockLeaseStore(manual, TIMING);
    private final ClockLeaseStore.Connection aRows = rows.connect();
    private final SlowAcquisition aStore = new SlowAcquisition(aRows);
    private final GatedClock aClock = new GatedClock(manual);
    private final Supervisor a = Supervisor.builder().name("app").nodeId("node-a").clock(aClock)
            .scheduler(scheduler).leaseStore(aStore).build();
    private final Supervisor b = Supervisor.builder().name("app").nodeId("node-b").clock(manual)
            .scheduler(scheduler).leaseStore(rows.connect()).build();
    private final List<Long> aTokens = new CopyOnWriteArrayList<>();
    private final List<Long> bTokens = new CopyOnWriteArrayList<>();

    /** A clock that runs a hook at the first reading on one thread. */
    static final class GatedClock extends Clock {
        final Clock delegate;
        volatile Thread gated;
        volatile Runnable hook;

        GatedClock(Clock delegate) {
            this.delegate = delegate;
        }

        @Override
        public Instant instant() {
            if (Thread.currentThread() == gated && Arrays.stream(Thread.currentThread().getStackTrace())
                    .anyMatch(f -> f.getMethodName().equals("resetRestartCount")
                            && f.getClassName().equals(ManagedProcess.class.getName()))) {
                gated = null;
                hook.run();
            }
            return delegate.instant();
        }

        @Override
        public ZoneId getZone() {
            return delegate.getZone();
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** The first acquisition waits for the test, then takes longer than the renewal deadline. */
    final class SlowAcquisition extends DelegatingLeaseStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch proceed = new CountDownLatch(1);
        volatile boolean armed = true;

        SlowAcquisition(LeaseStore delegate) {
            super(delegate);
        }

        @Override
        public Optional<Lease> tryAcquire(String name, String owner) throws LeaseStoreException {
            if (armed) {
                armed = false;
                entered.countDown();
                try {
                    proceed.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                manual.advance(TIMING.renewDeadline().plusSeconds(1)); // waited that long for a connection
            }
            return super.tryAcquire(name, owner);
        }
    }

    @AfterEach
    void shutDown() {
        a.shutdown();
        b.shutdown();
    }

    private void awaitIdle() {
        LeaseRounds.awaitDone(scheduler, a, b);
    }

    private static boolean waitsInLeaseAcquired(Thread thread) {
        return thread.getState() == Thread.State.BLOCKED && Arrays.stream(thread.getStackTrace())
                .anyMatch(f -> f.getMethodName().equals("leaseAcquired"));
    }

    @Test
    void aDeadlineCheckBetweenALateAcquisitionAndItsHandOverStillStopsTheRun() throws Exception {
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
        Thread worker = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("simplevisor-app-lease-")).findFirst().orElseThrow();

        CountDownLatch holdingLock = new CountDownLatch(1);
        aClock.hook = () -> {
            holdingLock.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> waitsInLeaseAcquired(worker));
            scheduler.runDue(); // the scheduler thread runs the deadline check the late acquisition made due
        };
        Thread operator = new Thread(() -> a.resetRestartCount("relay"), "operator");
        aClock.gated = operator;
        operator.start();
        assertThat(holdingLock.await(10, TimeUnit.SECONDS)).isTrue();
        aStore.proceed.countDown();
        operator.join(10_000);

        await().until(() -> a.status("relay") == ProcessStatus.RUNNING);
        awaitIdle();
        b.run();
        awaitIdle();
        assertThat(b.status("relay")).isEqualTo(ProcessStatus.STANDBY);

        aRows.reachable(false); // a's renewals fail from now on
        for (int i = 0; i < 9; i++) { // 90 s: a's deadline and its lease's expiry pass
            scheduler.advance(TIMING.renewInterval());
            awaitIdle();
        }

        assertThat(b.status("relay")).as("node-b took the expired lease").isEqualTo(ProcessStatus.RUNNING);
        assertThat(a.status("relay")).as("node-a, whose renewals failed for 90 s, must have stopped its run")
                .isEqualTo(ProcessStatus.STANDBY);
    }
}
