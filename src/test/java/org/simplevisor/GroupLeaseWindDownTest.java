package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.ProcessOption.inGroup;
import static org.simplevisor.ProcessOption.withRestart;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.testing.ClockLeaseStore;
import org.simplevisor.testing.DelegatingLeaseStore;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.RecordingListener;

/**
 * A singleton in a ONE_FOR_ALL group loses its lease at its deadline while one renewal is slow; that renewal then
 * succeeds (the lease is kept while the cancelled run winds down, as designed). The group restarts while the run
 * winds down. When the run ends, the member must give the old acquisition back before it waits in STANDBY: else the
 * keeper renews it for ever, the lease is never free again, and the singleton runs nowhere.
 */
class GroupLeaseWindDownTest {

    private static final Duration RENEW = LeaseTiming.DEFAULT.renewInterval();

    private final RecordingListener events = new RecordingListener();
    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ClockLeaseStore rows = new ClockLeaseStore(clock, LeaseTiming.DEFAULT);
    private final SlowRenewals store = new SlowRenewals(rows.connect());
    private final Supervisor supervisor = Supervisor.builder().name("app").nodeId("node-a").clock(clock)
            .scheduler(scheduler).leaseStore(store).listener(events).group("pipeline", GroupStrategy.ONE_FOR_ALL)
            .build();
    private final LinkedBlockingQueue<Exception> readerFailures = new LinkedBlockingQueue<>();
    private final List<Long> writerTokens = new CopyOnWriteArrayList<>();
    private final CountDownLatch windDown = new CountDownLatch(1);

    /** Renewals that block, when armed, until the test lets them through: a slow database. */
    static final class SlowRenewals extends DelegatingLeaseStore {
        volatile CountDownLatch entered;
        volatile CountDownLatch proceed;
        volatile boolean armed;

        SlowRenewals(LeaseStore delegate) {
            super(delegate);
        }

        void arm() {
            entered = new CountDownLatch(1);
            proceed = new CountDownLatch(1);
            armed = true;
        }

        @Override
        public Set<Lease> renew(Collection<Lease> held) throws LeaseStoreException {
            CountDownLatch gate = proceed;
            if (armed) {
                armed = false;
                entered.countDown();
                try {
                    gate.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.renew(held);
        }
    }

    @AfterEach
    void shutDown() {
        windDown.countDown();
        supervisor.shutdown();
    }

    private void awaitIdle() {
        LeaseRounds.awaitDone(scheduler, supervisor);
    }

    @Test
    void aGroupRestartDuringTheWindDownOfALostLeaseGivesTheOldLeaseBackAndAcquiresANewOne() throws Exception {
        supervisor.register("reader", ctx -> {
            throw readerFailures.take();
        }, inGroup("pipeline"), withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO));
        supervisor.register("writer", ctx -> {
            writerTokens.add(ctx.fencingToken());
            ctx.awaitCancellation();
            windDown.await(); // a graceful stop that takes a moment
        }, inGroup("pipeline"), ProcessOption.singleton(), withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        supervisor.run();
        awaitIdle();
        await().until(() -> writerTokens.size() == 1 && supervisor.isRunning("reader"));

        store.arm();
        scheduler.advance(RENEW); // the renewal at 5 s hangs in the database
        assertThat(store.entered.await(10, TimeUnit.SECONDS)).isTrue();
        // 20 s: the deadline passes, the run is cancelled
        scheduler.advance(LeaseTiming.DEFAULT.renewDeadline().minus(RENEW));
        await().until(() -> supervisor.snapshot("writer").lease().lastLoss() == LeaseLoss.RENEWAL_FAILED);
        store.proceed.countDown(); // the slow renewal succeeds after all: kept while the run winds down
        awaitIdle();

        readerFailures.add(new Exception("feed closed")); // the group restarts meanwhile
        await().until(() -> events.events().stream().anyMatch(e -> e.type() == SupervisorEvent.Type.GROUP_RESTARTING));
        await().until(() -> supervisor.status("reader") == ProcessStatus.RESTARTING);
        windDown.countDown(); // the writer's run ends
        await().until(() -> events.count("writer", SupervisorEvent.Type.STOPPED) == 1);
        awaitIdle();

        for (Duration passed = Duration.ZERO; passed.compareTo(Duration.ofMinutes(5)) < 0;
                passed = passed.plus(RENEW)) {
            scheduler.advance(RENEW);
            awaitIdle();
        }

        assertThat(supervisor.status("writer") + " " + rows.holder("app/writer"))
                .as("five minutes later: the writer runs under a new acquisition, not in STANDBY behind its old one")
                .isEqualTo("RUNNING Optional[Lease[name=app/writer, owner=node-a, token=2]]");
    }
}
