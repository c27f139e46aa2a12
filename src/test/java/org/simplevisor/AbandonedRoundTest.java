package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.ClockLeaseStore;
import org.simplevisor.testing.DeafProcess;
import org.simplevisor.testing.DelegatingLeaseStore;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;

/**
 * Rounds abandoned in a store call that does not return: what they took on for the rounds after them is not lost, and
 * the outage is logged once however the hangs follow one another. Leases in a {@link ClockLeaseStore} on the node's
 * {@link ManualClock}: 30 s, renewed every 5 s, runs stopped at 20 s.
 */
class AbandonedRoundTest {

    private static final LeaseTiming TIMING = LeaseTiming.DEFAULT;
    private static final String LEASE = LeaseKeeper.leaseName("app", "relay");
    private static final OutOfMemoryError NO_THREAD = new OutOfMemoryError("unable to create native thread: possibly"
            + " out of memory or process/resource limits reached");

    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ClockLeaseStore rows = new ClockLeaseStore(clock, TIMING);
    private final CountDownLatch hangingCallsReturn = new CountDownLatch(1);
    private final AtomicBoolean hangNextRelease = new AtomicBoolean();
    private final AtomicBoolean hangNextHolders = new AtomicBoolean();
    private final AtomicBoolean hangNextPrepare = new AtomicBoolean();
    private final AtomicInteger hanging = new AtomicInteger();
    private final AtomicBoolean outOfThreads = new AtomicBoolean();
    private final Supervisor node = Supervisor.builder().name("app").nodeId("node-a").clock(clock)
            .scheduler(scheduler).leaseThreads(owned -> task -> {
                if (outOfThreads.get()) {
                    throw NO_THREAD;
                }
                return owned.newThread(task);
            }).leaseStore(new DelegatingLeaseStore(rows.connect()) {
                @Override
                public void prepare() throws LeaseStoreException {
                    hangIf(hangNextPrepare);
                    super.prepare();
                }

                @Override
                public boolean release(Lease lease) throws LeaseStoreException {
                    hangIf(hangNextRelease);
                    return super.release(lease);
                }

                @Override
                public java.util.Map<String, Lease> holders(java.util.Collection<String> names)
                        throws LeaseStoreException {
                    hangIf(hangNextHolders);
                    return super.holders(names);
                }
            }).build();
    private final CapturedLogs logs = CapturedLogs.attach();

    private void hangIf(AtomicBoolean told) {
        if (told.compareAndSet(true, false)) {
            hanging.incrementAndGet();
            DeafProcess.awaitIgnoringInterrupts(hangingCallsReturn);
        }
    }

    @AfterEach
    void shutDown() {
        hangingCallsReturn.countDown();
        outOfThreads.set(false); // JUnit ends the whole run at an OutOfMemoryError that reaches it
        node.shutdown();
        logs.close();
    }

    private void registerRelay() {
        node.register("relay", ProcessContext::awaitCancellation, ProcessOption.singleton());
    }

    /**
     * A stopped singleton's lease is given back by the round after the one abandoned while giving it back: the other
     * nodes take it over within a poll, not only once it has expired.
     */
    @Test
    void aReleaseTakenOnByARoundThatIsAbandonedIsGivenBackByTheNextRounds() {
        registerRelay();
        node.run();
        LeaseRounds.awaitDone(scheduler, node);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.status("relay") == ProcessStatus.RUNNING);

        hangNextRelease.set(true);
        node.stop("relay");
        await().atMost(Duration.ofSeconds(10)).until(() -> hanging.get() == 1);
        scheduler.advance(TIMING.renewDeadline()); // the releasing round has lasted the renewal deadline: abandoned
        LeaseRounds.awaitDone(scheduler, node);

        assertThat(hanging.get()).as("the abandoned release still hangs").isEqualTo(1);
        assertThat(rows.holder(LEASE)).as("given back, %s before it would expire",
                TIMING.leaseTime().minus(TIMING.renewDeadline())).isEqualTo(Optional.empty());
    }

    /**
     * No thread can be made for the rounds after an abandoned one (a JVM at its thread limit): the tick logs it and
     * the ticks go on, so that the rounds resume at the first tick that gets a thread (meanwhile, as while renewals
     * fail, the deadline check stops a run whose lease is not renewed). The error ended the ticks silently: no round
     * ever ran again, and nothing was logged.
     */
    @Test
    void noThreadForTheRoundsAfterAnAbandonedOneIsLoggedAndTheTicksGoOn() {
        registerRelay();
        hangNextHolders.set(true);
        node.run(); // the first round prepares, then hangs reading who holds the lease
        await().atMost(Duration.ofSeconds(10)).until(() -> hanging.get() == 1);

        outOfThreads.set(true);
        scheduler.advance(TIMING.renewDeadline()); // abandoned, but no thread for the rounds that go on
        LeaseRounds.awaitDone(scheduler, node);

        assertThat(logs.at(Level.FATAL)).anySatisfy(line -> {
            assertThat(line.message()).contains("lease round");
            assertThat(line.thrown()).isSameAs(NO_THREAD);
        });
        outOfThreads.set(false);
        scheduler.advance(TIMING.renewInterval()); // the next tick gets one
        LeaseRounds.awaitDone(scheduler, node);

        await().atMost(Duration.ofSeconds(10)).until(() -> node.status("relay") == ProcessStatus.RUNNING);
        assertThat(rows.holder(LEASE)).map(Lease::owner).contains("node-a");
    }

    /**
     * A round that hangs while the last abandoned one still hangs cannot be abandoned too (one abandoned thread at a
     * time): the outage it is part of is still logged, once, though the store had answered since the first hang.
     */
    @Test
    void aHangWhileTheAbandonedRoundStillHangsIsLoggedOnce() {
        registerRelay();
        hangNextHolders.set(true);
        node.run(); // the first round prepares, then hangs reading who holds the lease
        await().atMost(Duration.ofSeconds(10)).until(() -> hanging.get() == 1);
        scheduler.advance(TIMING.renewDeadline()); // abandoned: the rounds go on on a new thread, and answer
        LeaseRounds.awaitDone(scheduler, node);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.status("relay") == ProcessStatus.RUNNING);
        assertThat(warnings()).hasSize(1);
        node.stop("relay");
        await().atMost(Duration.ofSeconds(10)).until(() -> rows.holder(LEASE).isEmpty()); // given back
        LeaseRounds.awaitDone(scheduler, node);

        hangNextHolders.set(true);
        node.start("relay"); // the next round hangs too, while the first still does
        await().atMost(Duration.ofSeconds(10)).until(() -> hanging.get() == 2);
        scheduler.advance(TIMING.renewDeadline().multipliedBy(2)); // twice as long as an abandoned round hangs

        assertThat(warnings()).as("the first hang, then the second, each logged when it began an outage")
                .hasSize(2);
    }

    /**
     * A shutdown of a node whose store has never answered calls no store: nothing was acquired, so nothing is to be
     * given back. Its last round used to prepare the store all the same, and a store that did not answer held the
     * shutdown back until its deadline, which then warned of leases left to expire.
     */
    @Test
    void aShutdownBeforeTheStoreWasEverPreparedCallsNoStore() {
        ClockLeaseStore.Connection down = rows.connect();
        down.reachable(false);
        AtomicBoolean shuttingDown = new AtomicBoolean();
        AtomicInteger preparesAtShutdown = new AtomicInteger();
        Supervisor standby = Supervisor.builder().name("standby").nodeId("node-b").clock(clock).scheduler(scheduler)
                .shutdownTimeout(Duration.ofSeconds(1)).leaseStore(new DelegatingLeaseStore(down) {
                    @Override
                    public void prepare() throws LeaseStoreException {
                        if (shuttingDown.get()) {
                            preparesAtShutdown.incrementAndGet();
                            DeafProcess.awaitIgnoringInterrupts(hangingCallsReturn); // a host that does not answer
                        }
                        super.prepare();
                    }
                }).build();
        standby.register("relay", ProcessContext::awaitCancellation, ProcessOption.singleton());
        standby.run(); // the store is down: the singleton waits in STANDBY
        LeaseRounds.awaitDone(scheduler, standby);
        assertThat(standby.status("relay")).isEqualTo(ProcessStatus.STANDBY);

        shuttingDown.set(true);
        standby.shutdown();

        assertThat(preparesAtShutdown).as("no store to prepare for a shutdown with nothing to give back").hasValue(0);
        assertThat(logs.at(Level.WARN)).noneMatch(line -> line.message().contains("shutdown deadline"));
    }

    private List<CapturedLogs.Line> warnings() {
        return logs.at(Level.WARN).stream().filter(line -> line.message().contains("unavailable")).toList();
    }

    /** A shutdown while the start waits for the store ends the start, which then reports no outage: there is none. */
    @Test
    void aShutdownDuringAStartThatWaitsForTheStoreLogsNoOutage() throws Exception {
        registerRelay();
        hangNextPrepare.set(true);
        CompletableFuture<Void> starting = CompletableFuture.runAsync(node::run);
        await().atMost(Duration.ofSeconds(10)).until(() -> hanging.get() == 1);

        node.shutdown();

        assertThat(starting).as("run() refuses a supervisor shut down meanwhile")
                .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(IllegalStateException.class);
        assertThat(warnings()).as("no store outage logged after the shutdown").isEmpty();
    }

    /** A start that comes after the shutdown (run() racing shutdown()) does not wait for a store nobody asks. */
    @Test
    void aStartAfterTheKeeperClosedDoesNotWait() {
        registerRelay();
        LeaseKeeper keeper = node.leaseKeeper();
        keeper.close(OwnedThreads.deadlineAfter(0), new DeferredInterrupts());

        CompletableFuture<Void> starting = CompletableFuture.runAsync(keeper::start);

        assertThat(starting).as("returns without the renewal deadline passing").succeedsWithin(Duration.ofSeconds(10));
        assertThat(logs.at(Level.ERROR)).isEmpty();
    }
}
