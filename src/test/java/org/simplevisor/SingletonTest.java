package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.SupervisorEvent.Type.LEASE_ACQUIRED;
import static org.simplevisor.SupervisorEvent.Type.LEASE_LOST;
import static org.simplevisor.SupervisorEvent.Type.STARTED;
import static org.simplevisor.SupervisorEvent.Type.STOPPED;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.ClockLeaseStore;
import org.simplevisor.testing.DeafProcess;
import org.simplevisor.testing.DelegatingLeaseStore;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.RecordingListener;

/**
 * Singletons on several nodes of one lease store, with time driven by a {@link ManualClock}: the store's time, the
 * scheduler's and the lease deadlines are all that clock. Lease 30 s: renewals every 5 s, runs stopped at 20 s.
 */
class SingletonTest {

    private static final Duration RENEW = LeaseTiming.DEFAULT.renewInterval();

    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ClockLeaseStore rows = new ClockLeaseStore(clock, LeaseTiming.DEFAULT);
    private final List<Node> nodes = new ArrayList<>();

    /** One node: a supervisor, its connection to the lease rows, its events, and what its runs saw. */
    private final class Node {
        final String id;
        final ClockLeaseStore.Connection store = rows.connect();
        final RecordingListener events = new RecordingListener();
        final Supervisor supervisor;
        /** Per process: the fencing tokens of its runs, in order. */
        final Map<String, List<Long>> tokens = new ConcurrentHashMap<>();
        /** Per process: when its runs began and ended, by the clock. */
        final List<Instant[]> runs = new CopyOnWriteArrayList<>();

        Node(String id) {
            this(id, UnaryOperator.identity());
        }

        /** @param way what the node's connection to the rows is seen through: a slow store, say */
        Node(String id, UnaryOperator<LeaseStore> way) {
            this.id = id;
            supervisor = Supervisor.builder().name("app").nodeId(id).clock(clock).scheduler(scheduler)
                    .leaseStore(way.apply(store)).listener(events).build();
        }

        /** Registers a singleton that runs until cancelled, noting its token and times. */
        Node singleton(String name, ProcessOption... options) {
            List<ProcessOption> all = new ArrayList<>(List.of(options));
            all.add(ProcessOption.singleton());
            supervisor.register(name, ctx -> {
                Instant[] run = {clock.instant(), null};
                runs.add(run);
                tokens.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(ctx.fencingToken());
                try {
                    ctx.awaitCancellation();
                } finally {
                    run[1] = clock.instant();
                }
            }, all.toArray(ProcessOption[]::new));
            return this;
        }

        ProcessStatus status(String name) {
            return supervisor.status(name);
        }

        LeaseState lease(String name) {
            return supervisor.snapshot(name).lease();
        }
    }

    /** {@return node-b, standing by for the singleton "relay" that {@code a}, run first, runs} */
    private Node standbyOf(Node a) {
        Node b = node("node-b").singleton("relay");
        run(a);
        run(b);
        awaitStatus(a, "relay", ProcessStatus.RUNNING);
        return b;
    }

    /**
     * Registers on {@code node} the singleton "relay" that crashes at every run, restarted after {@code delay}.
     *
     * @return the fencing tokens its runs saw
     */
    private static List<Long> crashingRelay(Node node, Duration delay) {
        List<Long> tokens = new CopyOnWriteArrayList<>();
        node.supervisor.register("relay", ctx -> {
            tokens.add(ctx.fencingToken());
            throw new IllegalStateException("crash " + tokens.size());
        }, ProcessOption.singleton(), ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, delay));
        return tokens;
    }

    private Node node(String id) {
        Node node = new Node(id);
        nodes.add(node);
        return node;
    }

    @AfterEach
    void shutDown() {
        nodes.forEach(node -> node.supervisor.shutdown());
    }

    /** Moves time on by one renewal interval at a time, letting every node's lease round finish at each step. */
    private void advance(Duration duration) {
        Duration left = duration;
        while (!left.isZero()) {
            Duration step = left.compareTo(RENEW) < 0 ? left : RENEW;
            scheduler.advance(step);
            left = left.minus(step);
            awaitRoundsDone();
        }
    }

    private void awaitRoundsDone() {
        LeaseRounds.awaitDone(scheduler, nodes.stream().map(node -> node.supervisor).toArray(Supervisor[]::new));
    }

    private void run(Node node) {
        node.supervisor.run();
        awaitRoundsDone();
    }

    private static void awaitStatus(Node node, String name, ProcessStatus status) {
        await().atMost(Duration.ofSeconds(10)).until(() -> node.status(name) == status);
    }

    /**
     * Waits until {@code runs} runs of the process on {@code node} have noted their tokens: RUNNING is set as a run
     * is handed to its thread, so after {@link #awaitStatus} its body may not have begun yet.
     */
    private static void awaitTokensNoted(Node node, String name, int runs) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> node.tokens.getOrDefault(name, List.of()).size() >= runs);
    }

    // ---------------------------------------------------------------- one node of several

    @Test
    void oneNodeRunsASingletonAndTheOthersStandBy() {
        Node a = node("node-a").singleton("relay");
        Node b = node("node-b").singleton("relay");
        Node c = node("node-c").singleton("relay");

        run(a);
        run(b);
        run(c);

        awaitStatus(a, "relay", ProcessStatus.RUNNING);
        awaitTokensNoted(a, "relay", 1); // the body notes its token after RUNNING
        assertThat(a.lease("relay")).isEqualTo(new LeaseState("node-a", 1, null));
        for (Node standby : List.of(b, c)) {
            assertThat(standby.status("relay")).isEqualTo(ProcessStatus.STANDBY);
            assertThat(standby.lease("relay")).isEqualTo(new LeaseState("node-a", 0, null));
            assertThat(standby.supervisor.isRunning("relay")).isFalse();
        }
        assertThat(a.tokens.get("relay")).containsExactly(1L);
        assertThat(a.events.await("relay", LEASE_ACQUIRED).snapshot().lease().fencingToken()).isEqualTo(1);
        assertThat(rows.holder("app/relay")).contains(new Lease("app/relay", "node-a", 1));

        advance(Duration.ofMinutes(5));

        assertThat(a.status("relay")).isEqualTo(ProcessStatus.RUNNING);
        assertThat(List.of(b.status("relay"), c.status("relay"))).containsOnly(ProcessStatus.STANDBY);
        assertThat(a.tokens.get("relay")).as("the same run all along").containsExactly(1L);
    }

    @Test
    void aSingletonIsLeasedUnderTheSupervisorsNameSoApplicationsNeverCollide() {
        Node a = node("node-a").singleton("relay");
        Supervisor other = Supervisor.builder().name("other-app").nodeId("node-b").clock(clock).scheduler(scheduler)
                .leaseStore(rows.connect()).build();
        try {
            other.register("relay", ProcessContext::awaitCancellation, ProcessOption.singleton());
            run(a);
            other.run();

            await().until(() -> other.status("relay") == ProcessStatus.RUNNING);
            awaitStatus(a, "relay", ProcessStatus.RUNNING);
            assertThat(rows.holder("other-app/relay")).map(Lease::owner).contains("node-b");
        } finally {
            other.shutdown();
        }
    }

    @Test
    void everyRoundIsOneRenewalForAllHeldLeasesAndOneReadForAllWanted() {
        Node a = node("node-a");
        Node b = node("node-b");
        for (int i = 0; i < 20; i++) {
            a.singleton("singleton-" + i);
            b.singleton("singleton-" + i);
        }
        run(a);
        run(b);
        await().until(() -> a.supervisor.snapshots().stream().allMatch(ProcessSnapshot::running));
        a.store.takeCalls();
        b.store.takeCalls();

        advance(RENEW.multipliedBy(6));

        assertThat(a.store.takeCalls()).as("calls by the holder of 20 leases in 6 rounds").isEqualTo(6);
        assertThat(b.store.takeCalls()).as("calls by the node waiting for 20 leases in 6 rounds").isEqualTo(6);
    }

    @Test
    void oneWorkerThreadKeepsTheLeasesOfEverySingleton() {
        Node a = node("node-a");
        for (int i = 0; i < 50; i++) {
            a.singleton("singleton-" + i);
        }
        run(a);
        await().until(() -> a.supervisor.snapshots().stream().allMatch(ProcessSnapshot::running));

        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("simplevisor-app-lease-"))).hasSize(1);
    }

    @Test
    void aRunSeesItsFencingTokenAndAnOrdinaryProcessSeesZero() {
        Node a = node("node-a").singleton("relay");
        List<Long> ordinary = new CopyOnWriteArrayList<>();
        a.supervisor.register("ordinary", ctx -> {
            ordinary.add(ctx.fencingToken());
            ctx.awaitCancellation();
        });
        rows.takeOver("app/relay", "long-gone");
        clock.advance(LeaseTiming.DEFAULT.leaseTime());

        run(a);

        awaitStatus(a, "relay", ProcessStatus.RUNNING);
        await().until(() -> !ordinary.isEmpty());
        awaitTokensNoted(a, "relay", 1); // the body notes its token after RUNNING
        assertThat(a.tokens.get("relay")).containsExactly(2L);
        assertThat(ordinary).containsExactly(0L);
        assertThat(a.supervisor.snapshot("ordinary").lease()).isNull();
        assertThat(a.supervisor.snapshot("ordinary").singleton()).isFalse();
    }

    @Test
    void acquisitionsOnASlowStoreDoNotHoldBackTheRenewalOfTheLeasesHeld() {
        // Each acquisition takes 2 s, within the half renewal interval (2.5 s) a store may take per call, and the
        // twelve take 24 s, longer than the renewal deadline; the scheduler's tasks due meanwhile (ticks, deadline
        // checks) run during them, as they would on the supervisor's timer.
        Node a = new Node("node-a", store -> new DelegatingLeaseStore(store) {
            @Override
            public Optional<Lease> tryAcquire(String name, String owner) throws LeaseStoreException {
                scheduler.advance(Duration.ofSeconds(2));
                return super.tryAcquire(name, owner);
            }
        });
        nodes.add(a);
        a.singleton("held");
        for (int i = 1; i <= 12; i++) {
            a.singleton("freed-" + i);
            rows.takeOver("app/freed-" + i, "node-z"); // node-z dies: all twelve expire at once
        }
        run(a);
        awaitStatus(a, "held", ProcessStatus.RUNNING);
        awaitTokensNoted(a, "held", 1); // the body notes its token after RUNNING

        advance(LeaseTiming.DEFAULT.leaseTime().plus(RENEW.multipliedBy(3)));

        await().atMost(Duration.ofSeconds(10)).until(() -> a.supervisor.snapshots().stream()
                .allMatch(ProcessSnapshot::running));
        assertThat(a.events.types("held")).as("held all along, renewed while twelve leases were acquired")
                .doesNotContain(LEASE_LOST);
        assertThat(a.tokens.get("held")).containsExactly(1L);
    }

    @Test
    void anAcquisitionThatReturnsOnlyAfterItsRoundWasAbandonedIsGivenBackUnused() {
        CountDownLatch returns = new CountDownLatch(1);
        AtomicInteger hanging = new AtomicInteger();
        Node a = new Node("node-a", store -> new DelegatingLeaseStore(store) {
            @Override
            public Optional<Lease> tryAcquire(String name, String owner) throws LeaseStoreException {
                Optional<Lease> acquired = super.tryAcquire(name, owner);
                if (hanging.getAndIncrement() == 0) { // the first answer never comes back, until the test says so
                    DeafProcess.awaitIgnoringInterrupts(returns);
                }
                return acquired;
            }
        });
        nodes.add(a);
        a.singleton("relay");
        a.supervisor.run();
        await().atMost(Duration.ofSeconds(10)).until(() -> hanging.get() == 1);

        scheduler.advance(LeaseTiming.DEFAULT.renewDeadline()); // the round has lasted the renewal deadline
        awaitRoundsDone();
        assertThat(a.status("relay")).as("the lease is taken, by the hanging acquisition").isEqualTo(
                ProcessStatus.STANDBY);
        returns.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> rows.holder("app/relay").isEmpty());
        advance(RENEW);

        awaitStatus(a, "relay", ProcessStatus.RUNNING);
        awaitTokensNoted(a, "relay", 1); // the body notes its token after RUNNING
        assertThat(a.tokens.get("relay")).as("the late acquisition, given back, never ran").containsExactly(2L);
        a.events.await("relay", STARTED); // RUNNING is read before the listeners get the run's events
        assertThat(a.events.count("relay", LEASE_ACQUIRED)).isEqualTo(1);
    }

    @Test
    void anAcquisitionThatComesBackAfterItsDeadlineStartsNoRun() {
        AtomicInteger answers = new AtomicInteger();
        Node a = new Node("node-a", store -> new DelegatingLeaseStore(store) {
            @Override
            public Optional<Lease> tryAcquire(String name, String owner) throws LeaseStoreException {
                Optional<Lease> acquired = super.tryAcquire(name, owner);
                if (answers.getAndIncrement() == 0) {
                    // The answer comes back a lease time later (a stalled network, a pool that hangs on the return of
                    // the connection): the lease has expired in the store meanwhile, and node-b has taken it.
                    clock.advance(LeaseTiming.DEFAULT.leaseTime());
                    rows.takeOver(name, "node-b");
                }
                return acquired;
            }
        });
        nodes.add(a);
        a.singleton("relay");

        run(a);

        assertThat(answers).hasValue(1);
        assertThat(a.tokens.get("relay")).as("no run under a lease node-b holds").isNull();
        assertThat(a.events.types("relay")).doesNotContain(LEASE_ACQUIRED);
        assertThat(a.status("relay")).isEqualTo(ProcessStatus.STANDBY);
        assertThat(rows.holder("app/relay")).map(Lease::owner).contains("node-b");
    }

    /**
     * An Error from the store (a JDBC driver whose class cannot be loaded, say) ends that round only: the next round
     * comes at the next tick, and the log says why. It used to end the worker thread with the round still marked as
     * running, so no round ran until a tick, a renewal deadline later, took the dead thread for a hanging one.
     */
    @Test
    void anErrorFromTheStoreEndsOnlyItsRoundAndIsLogged() {
        AtomicInteger reads = new AtomicInteger();
        Node a = new Node("node-a", store -> new DelegatingLeaseStore(store) {
            @Override
            public Map<String, Lease> holders(Collection<String> names) throws LeaseStoreException {
                if (reads.getAndIncrement() == 0) {
                    throw new NoClassDefFoundError("org/example/jdbc/Driver");
                }
                return super.holders(names);
            }
        });
        nodes.add(a);
        a.singleton("relay");
        try (CapturedLogs logs = CapturedLogs.attach()) {
            a.supervisor.run();
            await().atMost(Duration.ofSeconds(10)).until(() -> reads.get() == 1);

            scheduler.advance(RENEW); // the next tick, a quarter of the renewal deadline later

            awaitStatus(a, "relay", ProcessStatus.RUNNING);
            awaitTokensNoted(a, "relay", 1); // the body notes its token after RUNNING
            assertThat(a.tokens.get("relay")).containsExactly(1L);
            assertThat(logs.at(Level.ERROR)).anySatisfy(line -> assertThat(line.thrown())
                    .isInstanceOf(NoClassDefFoundError.class));
        }
    }

    /**
     * A JVM out of threads: the scheduler cannot take the keeper's next tick, nor can a thread be made to stop the
     * singletons. Without ticks no lease is renewed, so, as when the scheduler refuses a timer, the run under a lease
     * is stopped at once (on the keeper's worker thread, which exists already) and the singleton FAILED with the
     * error, logged. The error ended the ticks silently, and the run went on under a lease nobody renewed.
     */
    @Test
    void anErrorSchedulingTheKeepersNextTickStopsItsSingletonsAsARefusedTimerDoes() {
        OutOfMemoryError noThread = new OutOfMemoryError("unable to create native thread: possibly out of memory or"
                + " process/resource limits reached");
        AtomicBoolean outOfThreads = new AtomicBoolean();
        Supervisor a = Supervisor.builder().name("app").nodeId("node-a").clock(clock).scheduler(scheduler)
                .leaseStore(rows.connect()).leaseThreads(owned -> task -> {
                    if (outOfThreads.get()) {
                        throw noThread;
                    }
                    return owned.newThread(task);
                }).build();
        try (CapturedLogs logs = CapturedLogs.attach()) {
            a.register("relay", ProcessContext::awaitCancellation, ProcessOption.singleton());
            a.run();
            LeaseRounds.awaitDone(scheduler, a);
            await().atMost(Duration.ofSeconds(10)).until(() -> a.status("relay") == ProcessStatus.RUNNING);

            outOfThreads.set(true);
            scheduler.failSchedules(noThread);
            scheduler.advance(RENEW); // the tick: its round runs on the worker's thread, its next tick is not taken

            await().atMost(Duration.ofSeconds(10)).until(() -> a.status("relay") == ProcessStatus.FAILED);
            assertThat(a.snapshot("relay").lastFailure()).isSameAs(noThread);
            assertThat(a.snapshot("relay").lease().lastLoss()).isEqualTo(LeaseLoss.RENEWAL_FAILED);
            assertThat(logs.at(Level.FATAL)).anySatisfy(line -> {
                assertThat(line.message()).contains("lease keeper");
                assertThat(line.thrown()).isSameAs(noThread);
            });
        } finally {
            scheduler.failSchedules(null); // JUnit ends the whole run at an OutOfMemoryError that reaches it
            outOfThreads.set(false);
            a.shutdown();
        }
    }

    // ---------------------------------------------------------------- handover and failover

    @Test
    void aNodeThatShutsDownHandsItsSingletonOverWithinOnePollInterval() {
        Node a = node("node-a").singleton("relay");
        Node b = standbyOf(a);

        a.supervisor.shutdown();
        nodes.remove(a);
        assertThat(a.events.types("relay")).containsSubsequence(STOPPED, LEASE_LOST);
        assertThat(a.lease("relay").lastLoss()).isEqualTo(LeaseLoss.RELEASED);
        assertThat(rows.holder("app/relay")).as("released at shutdown").isEmpty();

        advance(RENEW);

        awaitStatus(b, "relay", ProcessStatus.RUNNING);
        awaitTokensNoted(b, "relay", 1); // the body notes its token after RUNNING
        assertThat(b.tokens.get("relay")).containsExactly(2L);
    }

    @Test
    void aNodeThatDiesLeavesItsLeaseToExpireAndStopsItsRunBeforeThen() {
        Node a = node("node-a").singleton("relay");
        Node b = standbyOf(a);
        Instant acquired = clock.instant();

        a.store.reachable(false); // paused, partitioned, or its database connection is gone
        advance(LeaseTiming.DEFAULT.renewDeadline());

        awaitStatus(a, "relay", ProcessStatus.STANDBY);
        assertThat(a.events.await("relay", STOPPED).reason()).isEqualTo(ExitReason.LEASE_LOST);
        assertThat(a.lease("relay")).isEqualTo(new LeaseState("", 0, LeaseLoss.RENEWAL_FAILED));
        assertThat(a.runs.get(0)[1]).as("the run was stopped at the deadline")
                .isEqualTo(acquired.plus(LeaseTiming.DEFAULT.renewDeadline()));
        assertThat(b.status("relay")).as("the lease has not expired yet").isEqualTo(ProcessStatus.STANDBY);

        advance(LeaseTiming.DEFAULT.leaseTime().minus(LeaseTiming.DEFAULT.renewDeadline()));

        awaitStatus(b, "relay", ProcessStatus.RUNNING);
        awaitTokensNoted(b, "relay", 1); // the body notes its token after RUNNING
        assertThat(b.tokens.get("relay")).containsExactly(2L);
        assertThat(b.runs.get(0)[0]).as("b began after a had ended, and within leaseTime + renewInterval")
                .isAfterOrEqualTo(a.runs.get(0)[1])
                .isBeforeOrEqualTo(acquired.plus(LeaseTiming.DEFAULT.leaseTime()).plus(RENEW));
        assertThat(a.status("relay")).isEqualTo(ProcessStatus.STANDBY);
    }

    /**
     * One failed renewal under the default timing costs nothing: the next attempt comes before the renewal deadline
     * and renews the lease. With renewals every third of the lease time, the next attempt after the one that failed
     * came at the deadline itself, and the run was stopped (LEASE_LOST, renewal failed) and handed over.
     */
    @Test
    void aSingleFailedRenewalUnderTheDefaultTimingKeepsTheRunGoing() {
        AtomicInteger renewals = new AtomicInteger();
        List<Instant> renewed = new CopyOnWriteArrayList<>();
        Node a = new Node("node-a", store -> new FirstRenewalFails(store, store.timing(), renewals, renewed));
        nodes.add(a);
        a.singleton("relay");
        Node b = standbyOf(a);
        awaitTokensNoted(a, "relay", 1); // the body notes its token after RUNNING
        Instant acquired = clock.instant();

        advance(LeaseTiming.DEFAULT.renewDeadline());

        assertThat(a.events.types("relay")).as("not stopped at the deadline").doesNotContain(LEASE_LOST);
        assertThat(renewals.get()).as("the failed renewal and those after it, before the deadline").isGreaterThan(1);
        assertThat(renewed).as("renewed by the attempt after the one that failed").isNotEmpty().first()
                .isEqualTo(acquired.plus(RENEW.multipliedBy(2)));
        assertThat(a.status("relay")).isEqualTo(ProcessStatus.RUNNING);

        advance(LeaseTiming.DEFAULT.leaseTime()); // well past the expiry the acquisition alone would have had

        assertThat(a.status("relay")).isEqualTo(ProcessStatus.RUNNING);
        assertThat(a.events.types("relay")).doesNotContain(LEASE_LOST);
        assertThat(a.lease("relay")).isEqualTo(new LeaseState("node-a", 1, null));
        assertThat(a.tokens.get("relay")).as("the same run all along").containsExactly(1L);
        assertThat(a.runs.get(0)[1]).as("the run has not ended").isNull();
        assertThat(rows.holder("app/relay")).contains(new Lease("app/relay", "node-a", 1));
        assertThat(b.status("relay")).isEqualTo(ProcessStatus.STANDBY);
        assertThat(b.tokens).isEmpty();
    }

    /**
     * A timing of one's own whose deadline is only two renewal intervals (renewals every 10 s, runs stopped at 20 s)
     * outlasts a failed renewal too: it is tried again halfway to the deadline. The next interval comes at the
     * deadline itself, too late: the run was stopped (LEASE_LOST, renewal failed) at one failed renewal.
     */
    @Test
    void aFailedRenewalIsTriedAgainBeforeTheDeadlineWhenTheNextIntervalWouldComeTooLate() {
        LeaseTiming twoIntervals = new LeaseTiming(LeaseTiming.DEFAULT.leaseTime(), Duration.ofSeconds(20),
                Duration.ofSeconds(10));
        List<Instant> renewed = new CopyOnWriteArrayList<>();
        // the rows' lease time is the same 30 s
        Node a = new Node("node-a", store -> new FirstRenewalFails(store, twoIntervals, new AtomicInteger(), renewed));
        nodes.add(a);
        a.singleton("relay");
        run(a);
        awaitStatus(a, "relay", ProcessStatus.RUNNING);
        awaitTokensNoted(a, "relay", 1); // the body notes its token after RUNNING
        Instant acquired = clock.instant();

        advance(twoIntervals.renewDeadline());

        assertThat(a.events.types("relay")).as("not stopped at the deadline").doesNotContain(LEASE_LOST);
        assertThat(renewed).as("renewed by the attempt halfway from the failed one to the deadline").isNotEmpty()
                .first().isEqualTo(acquired.plus(Duration.ofSeconds(15)));

        advance(twoIntervals.leaseTime()); // well past the expiry the acquisition alone would have had

        assertThat(a.status("relay")).isEqualTo(ProcessStatus.RUNNING);
        assertThat(a.events.types("relay")).doesNotContain(LEASE_LOST);
        assertThat(a.tokens.get("relay")).as("the same run all along").containsExactly(1L);
        assertThat(rows.holder("app/relay")).contains(new Lease("app/relay", "node-a", 1));
    }

    /** A store whose first renewal after the acquisition fails; it counts the renewals and notes the successful. */
    private final class FirstRenewalFails extends DelegatingLeaseStore {
        private final LeaseTiming timing;
        private final AtomicInteger renewals;
        private final List<Instant> renewed;

        FirstRenewalFails(LeaseStore store, LeaseTiming timing, AtomicInteger renewals, List<Instant> renewed) {
            super(store);
            this.timing = timing;
            this.renewals = renewals;
            this.renewed = renewed;
        }

        @Override
        public LeaseTiming timing() {
            return timing;
        }

        @Override
        public Set<Lease> renew(Collection<Lease> held) throws LeaseStoreException {
            if (renewals.getAndIncrement() == 0) {
                throw new LeaseStoreUnavailableException("the lease rows cannot be reached", null);
            }
            Set<Lease> answer = super.renew(held);
            if (!answer.isEmpty()) {
                renewed.add(clock.instant());
            }
            return answer;
        }
    }

    @Test
    void aLeaseTheStoreNoLongerHasAsOursStopsTheRunAtTheNextRenewal() {
        Node a = node("node-a").singleton("relay");
        run(a);
        awaitStatus(a, "relay", ProcessStatus.RUNNING);

        rows.takeOver("app/relay", "node-z"); // as if a's lease had expired and node-z had taken it
        advance(RENEW);

        awaitStatus(a, "relay", ProcessStatus.STANDBY);
        assertThat(a.lease("relay")).isEqualTo(new LeaseState("node-z", 0, LeaseLoss.EXPIRED));
        assertThat(rows.holder("app/relay")).map(Lease::owner).as("nothing released node-z's lease")
                .contains("node-z");
    }

    @Test
    void aNodeThatLostItsLeaseCompetesAgainOnceItsRunHasEnded() {
        Node a = node("node-a").singleton("relay");
        run(a);
        awaitStatus(a, "relay", ProcessStatus.RUNNING);
        a.store.reachable(false);
        advance(LeaseTiming.DEFAULT.renewDeadline());
        awaitStatus(a, "relay", ProcessStatus.STANDBY);

        a.store.reachable(true);
        advance(LeaseTiming.DEFAULT.leaseTime().minus(LeaseTiming.DEFAULT.renewDeadline())); // to the lease's expiry

        awaitStatus(a, "relay", ProcessStatus.RUNNING);
        awaitTokensNoted(a, "relay", 2); // the body notes its token after RUNNING
        assertThat(a.tokens.get("relay")).as("released, then acquired anew: the next token")
                .containsExactly(1L, 2L);
        a.events.awaitCount("relay", STARTED, 2); // RUNNING is read before the listeners get the run's events
        assertThat(a.events.types("relay")).containsSubsequence(LEASE_ACQUIRED, STARTED, LEASE_LOST, STOPPED,
                STARTED);
    }

    // ---------------------------------------------------------------- rest, restarts and operators

    @Test
    void aStoppedSingletonReleasesItsLeaseAndCompetesAgainOnlyWhenStarted() {
        Node a = node("node-a").singleton("relay");
        Node b = standbyOf(a);

        a.supervisor.stop("relay");
        awaitStatus(a, "relay", ProcessStatus.STOPPED);
        awaitRoundsDone();
        assertThat(a.lease("relay").lastLoss()).isEqualTo(LeaseLoss.RELEASED);
        advance(RENEW);
        awaitStatus(b, "relay", ProcessStatus.RUNNING);

        a.supervisor.start("relay");
        awaitRoundsDone();

        assertThat(a.status("relay")).isEqualTo(ProcessStatus.STANDBY);
        assertThat(a.lease("relay").holder()).isEqualTo("node-b");
        a.supervisor.stop("relay");
        assertThat(a.status("relay")).isEqualTo(ProcessStatus.STOPPED);
        advance(RENEW);
        assertThat(a.status("relay")).as("a stopped singleton does not compete").isEqualTo(ProcessStatus.STOPPED);
    }

    @Test
    void aFailedSingletonReleasesItsLease() {
        Node a = node("node-a");
        a.supervisor.register("relay", ctx -> {
            throw new java.io.IOException("broken");
        }, ProcessOption.singleton());
        Node b = node("node-b").singleton("relay");
        run(a);
        run(b);

        awaitStatus(a, "relay", ProcessStatus.FAILED);
        awaitRoundsDone();
        advance(RENEW);

        awaitStatus(b, "relay", ProcessStatus.RUNNING);
        awaitTokensNoted(b, "relay", 1); // the body notes its token after RUNNING
        assertThat(b.tokens.get("relay")).containsExactly(2L);
    }

    @Test
    void aSingletonKeepsItsLeaseThroughItsRestartDelays() {
        Node a = node("node-a");
        List<Long> tokens = crashingRelay(a, Duration.ofSeconds(25));
        Node b = node("node-b").singleton("relay");
        run(a);
        run(b);
        await().until(() -> tokens.size() == 1);
        awaitStatus(a, "relay", ProcessStatus.RESTARTING);

        advance(Duration.ofSeconds(25));

        await().until(() -> tokens.size() == 2);
        assertThat(tokens).containsExactly(1L, 1L);
        assertThat(a.lease("relay").held()).isTrue();
        assertThat(b.status("relay")).isEqualTo(ProcessStatus.STANDBY);
    }

    @Test
    void aLeaseLostDuringARestartDelayDropsTheRestart() {
        Node a = node("node-a");
        List<Long> tokens = crashingRelay(a, Duration.ofMinutes(1));
        run(a);
        awaitStatus(a, "relay", ProcessStatus.RESTARTING);

        a.store.reachable(false);
        advance(LeaseTiming.DEFAULT.renewDeadline());

        assertThat(a.status("relay")).isEqualTo(ProcessStatus.STANDBY);
        assertThat(a.lease("relay").lastLoss()).isEqualTo(LeaseLoss.RENEWAL_FAILED);
        advance(Duration.ofMinutes(1));
        assertThat(tokens).as("no restart without the lease").containsExactly(1L);
    }

    // ---------------------------------------------------------------- the store at start

    @Test
    void aStoreDownAtStartLeavesSingletonsInStandbyAndSaysSoOnce() {
        try (CapturedLogs logs = CapturedLogs.attach()) {
            Node a = node("node-a").singleton("relay");
            a.store.reachable(false);

            run(a);
            advance(RENEW.multipliedBy(5));

            assertThat(a.status("relay")).isEqualTo(ProcessStatus.STANDBY);
            assertThat(logs.at(Level.WARN).stream().map(CapturedLogs.Line::message)
                    .filter(m -> m.contains("unavailable")).collect(Collectors.toList())).hasSize(1);

            a.store.reachable(true);
            advance(RENEW);

            awaitStatus(a, "relay", ProcessStatus.RUNNING);
            assertThat(logs.at(Level.INFO).stream().map(CapturedLogs.Line::message))
                    .anyMatch(m -> m.contains("answers again"));
        }
    }

    @Test
    void aMisconfiguredStoreFailsRunBeforeAnythingStarts() {
        ClockLeaseStore.Connection refusing = rows.connect();
        refusing.misconfigured("lease table simplevisor_lease lacks column(s) token");
        Supervisor supervisor = Supervisor.builder().name("app").leaseStore(refusing).build();
        List<String> ran = new CopyOnWriteArrayList<>();
        supervisor.register("plain", ctx -> ran.add("plain"));
        supervisor.register("relay", ctx -> ran.add("relay"), ProcessOption.singleton());
        try {
            assertThatThrownBy(supervisor::run).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Supervisor \"app\" cannot use its lease store: lease table simplevisor_lease lacks "
                            + "column(s) token");
            assertThat(supervisor.isStarted()).isFalse();
            assertThat(ran).isEmpty();
        } finally {
            supervisor.shutdown();
        }
    }

    /**
     * A driver that cannot be loaded is a misconfiguration too: run() fails at once, as for a missing column, instead
     * of waiting the renewal deadline for an answer that never comes (here that wait would never end: the clock does
     * not move) and then leaving the singletons in STANDBY.
     */
    @Test
    void aDriverThatCannotBeLoadedFailsRunAtOnce() {
        NoClassDefFoundError missing = new NoClassDefFoundError("org/example/jdbc/Driver");
        Node a = new Node("node-a", store -> new DelegatingLeaseStore(store) {
            @Override
            public void prepare() {
                throw missing;
            }
        });
        nodes.add(a);
        a.singleton("relay");

        CompletableFuture<Void> run = CompletableFuture.runAsync(a.supervisor::run);
        await().atMost(Duration.ofSeconds(10)).until(run::isDone);
        assertThatThrownBy(run::join).hasCauseInstanceOf(IllegalStateException.class)
                .cause().hasMessage("Supervisor \"app\" cannot use its lease store: " + missing).hasCause(missing);
        assertThat(a.supervisor.isStarted()).isFalse();
        assertThat(a.tokens).isEmpty();
    }

    /**
     * Two run() calls at once, on a supervisor with singletons, both return once the store is prepared. The second
     * one's wait for the store took the place of the first one's, which only its timeout ended, a renewal deadline
     * later (here never: the clock does not move).
     */
    @Test
    void twoRunsAtOnceBothReturnOnceTheStoreIsPrepared() throws InterruptedException {
        CountDownLatch preparing = new CountDownLatch(1);
        CountDownLatch prepareReturns = new CountDownLatch(1);
        Node a = new Node("node-a", store -> new DelegatingLeaseStore(store) {
            @Override
            public void prepare() throws LeaseStoreException {
                preparing.countDown();
                DeafProcess.awaitIgnoringInterrupts(prepareReturns);
                super.prepare();
            }
        });
        nodes.add(a);
        a.singleton("relay");
        CompletableFuture<Void> first = CompletableFuture.runAsync(a.supervisor::run);
        assertThat(preparing.await(10, TimeUnit.SECONDS)).as("the first run's round prepares the store").isTrue();
        Thread second = new Thread(a.supervisor::run, "second-run");
        second.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> waitsForTheStoreAtStart(second));

        prepareReturns.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> first.isDone() && !second.isAlive());
        first.join();
        awaitStatus(a, "relay", ProcessStatus.RUNNING);
    }

    private static boolean waitsForTheStoreAtStart(Thread thread) {
        return thread.getState() == Thread.State.WAITING && Arrays.stream(thread.getStackTrace())
                .anyMatch(f -> f.getClassName().equals(LeaseKeeper.class.getName())
                        && f.getMethodName().equals("start"));
    }

    @Test
    void aLeaseNameOrANodeIdLongerThanALeaseStoreAcceptsIsRefusedAtOnce() {
        assertThatThrownBy(() -> Supervisor.builder().nodeId("n".repeat(LeaseStore.MAX_NAME_LENGTH + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("nodeId must have at most 255");
        Supervisor supervisor = Supervisor.builder().name("app").leaseStore(rows.connect()).build();
        try {
            String longest = "p".repeat(LeaseStore.MAX_NAME_LENGTH - "app/".length());
            supervisor.register(longest, ctx -> { }, ProcessOption.singleton());
            // else every round's read of the holders would fail, and no singleton of the supervisor would run
            assertThatThrownBy(() -> supervisor.register(longest + "q", ctx -> { }, ProcessOption.singleton()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageEndingWith("is longer than the 255 characters a lease store accepts");
        } finally {
            supervisor.shutdown();
        }
    }

    /** By the rule of every process name, which also keeps a lease name from ending with a space. */
    @Test
    void aSingletonWhoseNameEndsWithASpaceIsRefusedAsMariaDbWouldGiveItTheLeaseOfTheNameWithout() {
        Supervisor supervisor = Supervisor.builder().name("app").leaseStore(rows.connect()).build();
        try {
            supervisor.register("relay", ctx -> { }, ProcessOption.singleton());
            String refusal = "process name \"relay \" must not begin or end with whitespace, which would make it look "
                    + "like \"relay\"";
            assertThatThrownBy(() -> supervisor.register("relay ", ctx -> { }, ProcessOption.singleton()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(refusal);
            assertThatThrownBy(() -> Supervisor.validateSingleton("app", "relay "))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(refusal);
        } finally {
            supervisor.shutdown();
        }
    }

    @Test
    void aSupervisorWhoseNameHoldsASlashHasNoSingleton() {
        // "a/b" + "c" and "a" + "b/c" would both hold the lease "a/b/c": two supervisors, one lease
        Supervisor supervisor = Supervisor.builder().name("a/b").leaseStore(rows.connect()).build();
        try {
            assertThatThrownBy(() -> supervisor.register("c", ctx -> { }, ProcessOption.singleton()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("process \"c\" is a singleton of supervisor \"a/b\", whose name holds a '/': its "
                            + "lease name \"a/b/c\" (supervisor/process) could be another supervisor's");
            supervisor.register("ordinary", ctx -> { }); // only its singletons need an unambiguous lease name
        } finally {
            supervisor.shutdown();
        }
    }

    @Test
    void aSingletonNeedsALeaseStore() {
        Supervisor supervisor = new Supervisor(Duration.ofSeconds(1));
        try {
            assertThatThrownBy(() -> supervisor.register("relay", ctx -> { }, ProcessOption.singleton()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("process \"relay\" is a singleton, which needs a lease store: "
                            + "Supervisor.builder().leaseStore(...)");
        } finally {
            supervisor.shutdown();
        }
    }

    @Test
    void theDefaultNodeIdNamesHostPidAndSupervisorAndDiffersPerSupervisor() {
        Supervisor one = Supervisor.builder().name("app").build();
        Supervisor two = Supervisor.builder().name("app").build();
        try {
            assertThat(one.nodeId()).contains(":" + ProcessHandle.current().pid() + ":app:");
            assertThat(one.nodeId()).isNotEqualTo(two.nodeId());
        } finally {
            one.shutdown();
            two.shutdown();
        }
    }
}
