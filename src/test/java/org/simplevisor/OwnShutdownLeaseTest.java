package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.testing.ClockLeaseStore;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;

/**
 * A singleton's run that shuts its own supervisor down goes on after shutdown returns to it: its lease is left to
 * expire rather than given back under it; and nothing of the lease keeper is left on the scheduler.
 */
class OwnShutdownLeaseTest {

    private static final LeaseTiming TIMING = LeaseTiming.DEFAULT;

    private final ManualClock manual = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(manual);
    private final ClockLeaseStore rows = new ClockLeaseStore(manual, TIMING);
    private final Supervisor a = Supervisor.builder().name("app").nodeId("node-a").clock(manual)
            .scheduler(scheduler).leaseStore(rows.connect()).build();
    private final Supervisor b = Supervisor.builder().name("app").nodeId("node-b").clock(manual)
            .scheduler(scheduler).leaseStore(rows.connect()).build();

    @AfterEach
    void shutDown() {
        a.shutdown();
        b.shutdown();
    }

    @Test
    void noKeeperTaskIsLeftOnTheSchedulerAfterShutdown() {
        a.register("relay", ProcessContext::awaitCancellation, ProcessOption.singleton());
        a.run();
        LeaseRounds.awaitDone(scheduler, a);
        await().until(() -> a.status("relay") == ProcessStatus.RUNNING);
        scheduler.advance(TIMING.renewInterval());
        LeaseRounds.awaitDone(scheduler, a);
        a.shutdown();
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void aRunThatShutsItsSupervisorDownDoesNotHandItsLeaseOverWhileItIsStillRunning() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch shutdownReturned = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicBoolean aRunAlive = new AtomicBoolean();
        a.register("relay", ctx -> {
            aRunAlive.set(true);
            try {
                go.await(10, TimeUnit.SECONDS);
                a.shutdown();
                shutdownReturned.countDown();
                // the rest of the run's body, after shutdown() returned (its interrupt ignored: finishing its work)
                while (true) {
                    try {
                        if (finish.await(10, TimeUnit.SECONDS)) {
                            break;
                        }
                    } catch (InterruptedException ignored) {
                        // keeps finishing
                    }
                }
            } finally {
                aRunAlive.set(false);
            }
        }, ProcessOption.singleton());
        b.register("relay", ProcessContext::awaitCancellation, ProcessOption.singleton());
        a.run();
        LeaseRounds.awaitDone(scheduler, a);
        await().until(() -> a.status("relay") == ProcessStatus.RUNNING);
        b.run();
        LeaseRounds.awaitDone(scheduler, a, b);
        assertThat(b.status("relay")).isEqualTo(ProcessStatus.STANDBY);

        go.countDown();
        assertThat(shutdownReturned.await(10, TimeUnit.SECONDS)).isTrue();
        scheduler.advance(TIMING.renewInterval());
        LeaseRounds.awaitDone(scheduler, b);
        try {
            assertThat(aRunAlive).isTrue();
            assertThat(b.status("relay")).as("node-a's run is still in its body; store holder %s",
                    rows.holder("app/relay")).isNotEqualTo(ProcessStatus.RUNNING);
        } finally {
            finish.countDown();
        }
    }
}
