package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.ProcessOption.inGroup;
import static org.simplevisor.ProcessOption.withRestart;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.testing.ClockLeaseStore;
import org.simplevisor.testing.DeafProcess;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;

/**
 * A singleton member that does not end within the stop timeout after its group cancelled it is abandoned by the
 * group while its thread still runs (the run stays the process's own until its thread ends). Its lease stays renewed
 * meanwhile, so that no other node runs the singleton alongside the abandoned run, and is given back when the run
 * ends.
 */
class GroupAbandonedSingletonTest {

    private static final Duration RENEW = LeaseTiming.DEFAULT.renewInterval();

    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ClockLeaseStore rows = new ClockLeaseStore(clock, LeaseTiming.DEFAULT);
    private final Supervisor a = Supervisor.builder().name("app").nodeId("node-a").clock(clock).scheduler(scheduler)
            .leaseStore(rows.connect()).group("pipeline", GroupStrategy.ONE_FOR_ALL).build();
    private final Supervisor b = Supervisor.builder().name("app").nodeId("node-b").clock(clock).scheduler(scheduler)
            .leaseStore(rows.connect()).group("pipeline", GroupStrategy.ONE_FOR_ALL).build();
    private final LinkedBlockingQueue<Exception> readerFailures = new LinkedBlockingQueue<>();
    private final CountDownLatch deafRelease = new CountDownLatch(1);
    private final AtomicBoolean aWriterExecuting = new AtomicBoolean();
    private final AtomicBoolean bWriterExecuting = new AtomicBoolean();

    @AfterEach
    void shutDown() {
        deafRelease.countDown();
        a.shutdown();
        b.shutdown();
    }

    private void awaitIdle() {
        LeaseRounds.awaitDone(scheduler, a, b);
    }

    @Test
    void anAbandonedSingletonRunKeepsItsLeaseUntilItsThreadEndsThenGivesItBack() {
        a.register("reader", ctx -> {
            throw readerFailures.take();
        }, inGroup("pipeline"), withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO));
        a.register("writer", ctx -> {
            aWriterExecuting.set(true);
            try {
                DeafProcess.awaitIgnoringInterrupts(deafRelease); // slow to stop: beyond the stop timeout
            } finally {
                aWriterExecuting.set(false);
            }
        }, inGroup("pipeline"), ProcessOption.singleton(), withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        b.register("writer", ctx -> {
            bWriterExecuting.set(true);
            try {
                ctx.awaitCancellation();
            } finally {
                bWriterExecuting.set(false);
            }
        }, ProcessOption.singleton());
        a.run();
        awaitIdle();
        await().until(aWriterExecuting::get);
        b.run();
        awaitIdle();

        readerFailures.add(new Exception("feed closed")); // the group cancels the writer, which does not end
        await().until(() -> a.snapshot("reader").totalExits() == 1);
        // 90 s: the group's stop timeout, then the lease time, pass
        for (Duration passed = Duration.ZERO; passed.compareTo(Duration.ofSeconds(90)) < 0;
                passed = passed.plus(RENEW)) {
            scheduler.advance(RENEW);
            awaitIdle();
        }

        assertThat(aWriterExecuting).as("node-a's abandoned writer run still executes").isTrue();
        assertThat(bWriterExecuting.get())
                .as("node-b must not run the singleton while node-a's run of it still executes (lease %s)",
                        rows.holder("app/writer"))
                .isFalse();

        deafRelease.countDown(); // the abandoned run ends at last: its lease is given back, node-b takes it
        await().until(() -> !aWriterExecuting.get());
        await().until(() -> !a.snapshot("writer").lease().held());
        awaitIdle();
        scheduler.advance(RENEW);
        awaitIdle();
        await().until(bWriterExecuting::get);
        assertThat(rows.holder("app/writer")).map(Lease::owner).contains("node-b");
    }
}
