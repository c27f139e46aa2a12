package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.simplevisor.GroupBench.SHUTDOWN_TIMEOUT;
import static org.simplevisor.GroupBench.waiting;
import static org.simplevisor.ProcessOption.inGroup;
import static org.simplevisor.ProcessOption.withPriority;
import static org.simplevisor.ProcessOption.withRestart;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.simplevisor.SupervisorEvent.Type;

/**
 * Process groups beyond the matrix of {@link GroupMatrixTest}: the declaration, a trigger that exceeds its restart
 * limit, a member that ignores its cancellation, an operator's stop, restart and restartGroup during a group
 * restart, registration into a running group, and shutdown during a group restart. On virtual time (see
 * {@link GroupBench}); no test sleeps.
 */
class GroupRestartTest {

    private static final Duration DELAY = Duration.ofSeconds(1);
    private static final Duration TICK = Duration.ofMillis(1);

    /**
     * A member whose first run ignores its cancellation: it ends only when the test releases it. Later runs end when
     * cancelled. It counts the runs in progress, to show that two never overlap.
     */
    private static final class Stubborn implements SupervisedProcess {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger active = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();

        @Override
        public void run(ProcessContext ctx) throws InterruptedException {
            mostAtOnce.accumulateAndGet(active.incrementAndGet(), Math::max);
            try {
                if (runs.incrementAndGet() == 1) {
                    ignoreCancellation();
                } else {
                    ctx.awaitCancellation();
                }
            } finally {
                active.decrementAndGet();
            }
        }

        private void ignoreCancellation() {
            while (true) {
                try {
                    release.await();
                    return;
                } catch (InterruptedException ignored) {
                    // the cancellation's interrupt, and the second one of the report: both ignored
                }
            }
        }

        void awaitRuns(int n) {
            waiting().until(() -> runs.get() >= n);
        }
    }

    /** Three members a, b, c in start order, each restarted by policy ALWAYS after {@link #DELAY}. */
    private static GroupBench threeMembers(GroupStrategy strategy) {
        GroupBench bench = new GroupBench(strategy);
        for (String name : List.of("a", "b", "c")) {
            bench.register(name, withRestart(RestartPolicy.ALWAYS, 3, DELAY));
        }
        return bench;
    }

    // ============================================================ declaration

    @Test
    void aGroupMustBeDeclaredBeforeAProcessJoinsIt() {
        try (Supervisor supervisor = Supervisor.builder().group("pipeline", GroupStrategy.ONE_FOR_ALL)
                .group("pipeline", GroupStrategy.ONE_FOR_ALL).group("pollers", GroupStrategy.REST_FOR_ONE).build()) {
            assertThatThrownBy(() -> supervisor.register("reader", ProcessContext::awaitCancellation,
                    inGroup("pipelines"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"reader\"").hasMessageContaining("group \"pipelines\" is not declared");
            assertThat(supervisor.processNames()).isEmpty();

            supervisor.register("reader", ProcessContext::awaitCancellation, inGroup("pipeline"));
            assertThat(supervisor.snapshot("reader").group()).isEqualTo("pipeline");
            assertThat(supervisor.groups()).containsExactly(Map.entry("pipeline", GroupStrategy.ONE_FOR_ALL),
                    Map.entry("pollers", GroupStrategy.REST_FOR_ONE));
            assertThatThrownBy(() -> supervisor.groups().put("x", GroupStrategy.ONE_FOR_ONE))
                    .isInstanceOf(UnsupportedOperationException.class);

            assertThatThrownBy(() -> supervisor.restartGroup("pipeline")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not running");
            supervisor.run();
            assertThatThrownBy(() -> supervisor.restartGroup("nope"))
                    .isInstanceOf(java.util.NoSuchElementException.class)
                    .hasMessageContaining("group \"nope\" not found");
        }
        assertThatThrownBy(() -> Supervisor.builder().group("g", GroupStrategy.ONE_FOR_ALL)
                .group("g", GroupStrategy.REST_FOR_ONE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group \"g\" is already declared ONE_FOR_ALL");
        assertThatThrownBy(() -> Supervisor.builder().group("", GroupStrategy.ONE_FOR_ALL))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> inGroup("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group");
    }

    // ============================================================ the restart limit

    @ParameterizedTest
    @EnumSource(GroupStrategy.class)
    void aTriggerThatExceedsItsLimitMakesTheGroupGiveUp(GroupStrategy strategy) {
        try (GroupBench bench = new GroupBench(strategy)) {
            bench.register("a", withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member b = bench.register("b", withRestart(RestartPolicy.ON_FAILURE, 1, DELAY));
            bench.register("c", withRestart(RestartPolicy.ON_FAILURE, 3, DELAY));
            bench.runAll();

            List<String> givenUp = switch (strategy) {
                case ONE_FOR_ALL -> List.of("a", "c");
                case REST_FOR_ONE -> List.of("c");
                default -> List.of();
            };
            b.fail();
            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            b.awaitRun(2);
            givenUp.forEach(m -> bench.member(m).awaitRun(2)); // restarted with b
            b.fail();
            bench.awaitEvents("b", Type.RESTART_LIMIT_EXCEEDED, 1);

            assertThat(bench.snapshot("b").status()).isEqualTo(ProcessStatus.FAILED);
            for (String member : List.of("a", "c")) {
                if (givenUp.contains(member)) { // cancelled twice: for the restart, then for good
                    SupervisorEvent stopped = bench.awaitEvents(member, Type.STOPPED, 2).get(1);
                    assertThat(stopped.reason()).isEqualTo(ExitReason.GROUP);
                    assertThat(stopped.snapshot().status()).as("%s given up", member).isEqualTo(ProcessStatus.FAILED);
                    assertThat(bench.snapshot(member).restartCount()).as("%s's own count", member).isZero();
                } else {
                    assertThat(bench.snapshot(member).status()).as("%s kept", member).isEqualTo(ProcessStatus.RUNNING);
                }
            }
            // Giving up is not a restart: one group event, for the first failure (none under ONE_FOR_ONE).
            assertThat(bench.groupRestarts()).hasSize(strategy == GroupStrategy.ONE_FOR_ONE ? 0 : 1);
            waiting().until(() -> bench.scheduler.pendingTasks() == 0); // nothing left to restart or to check
            bench.shutdownAndVerify();
            assertThat(bench.snapshot("b").status()).isEqualTo(ProcessStatus.FAILED);
            givenUp.forEach(m -> assertThat(bench.snapshot(m).status()).isEqualTo(ProcessStatus.FAILED));
        }
    }

    // ============================================================ a member that ignores its cancellation

    @ParameterizedTest
    @EnumSource(value = GroupStrategy.class, names = {"ONE_FOR_ALL", "REST_FOR_ONE"})
    void aMemberThatDoesNotStopIsReportedAndTheGroupGivesUpInsteadOfRunningItTwice(GroupStrategy strategy) {
        try (GroupBench bench = new GroupBench(strategy)) {
            bench.register("a", withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member b = bench.register("b", withRestart(RestartPolicy.ON_FAILURE, 3, DELAY));
            Stubborn c = new Stubborn();
            bench.register("c", c, withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();
            c.awaitRuns(1);

            b.fail();
            // Before its announcement, a's check alone (ONE_FOR_ALL, a cancelled before c) could pass for c's.
            bench.awaitAnnouncedGroupRestarts(1);
            if (strategy == GroupStrategy.ONE_FOR_ALL) {
                bench.awaitEvents("a", Type.RESTARTING, 1);
            }
            waiting().until(() -> bench.scheduler.pendingTasks() == 1); // the check of c's end, no restart yet
            bench.scheduler.advance(SHUTDOWN_TIMEOUT.minus(TICK));
            assertThat(bench.events.count("c", Type.SHUTDOWN_TIMEOUT)).isZero();
            bench.scheduler.advance(TICK);

            SupervisorEvent report = bench.awaitEvents("c", Type.SHUTDOWN_TIMEOUT, 1).get(0);
            assertThat(report.reason()).as("abandoned by its group, not by a shutdown").isEqualTo(ExitReason.GROUP);
            assertThat(report.error()).isInstanceOf(ProcessNotStoppedException.class)
                    .hasMessageContaining("\"c\"").hasMessageContaining("10000 ms");
            assertThat(report.error().getStackTrace()).as("where c is stuck")
                    .anyMatch(frame -> frame.getMethodName().equals("ignoreCancellation"));
            assertThat(bench.awaitEvents("c", Type.STOPPED, 1).get(0).reason()).isEqualTo(ExitReason.GROUP);
            ProcessSnapshot stuck = bench.snapshot("c");
            assertThat(stuck.status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(stuck.totalExits()).isEqualTo(stuck.totalStarts());
            waiting().until(() -> bench.snapshot("b").status() == ProcessStatus.FAILED);
            assertThat(bench.snapshot("a").status()).isEqualTo(strategy == GroupStrategy.ONE_FOR_ALL
                    ? ProcessStatus.FAILED : ProcessStatus.RUNNING);
            assertThat(bench.scheduler.pendingTasks()).as("no restart around the stuck member").isZero();

            // An operator's start waits for the stuck run to end: never two runs of c at once.
            bench.supervisor.start("c");
            assertThat(bench.snapshot("c").status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(c.runs.get()).isEqualTo(1);
            long eventsBefore = bench.events.events().size();
            c.release.countDown();
            c.awaitRuns(2);
            bench.awaitEvents("c", Type.STARTED, 2);
            assertThat(c.mostAtOnce.get()).isEqualTo(1);
            assertThat(bench.events.events().subList((int) eventsBefore, bench.events.events().size()))
                    .filteredOn(e -> "c".equals(e.processName())).extracting(SupervisorEvent::type)
                    .as("the late end is not counted again").containsExactly(Type.STATUS_CHANGED, Type.STARTED);
            bench.shutdownAndVerify();
        }
    }

    /**
     * Registers members a and b (a {@link Stubborn}), runs them, and fails a: its group cancels b, which does not end.
     * {@return b, stuck in its first run, the group's check of its end scheduled}
     */
    private static Stubborn cancelledByItsGroup(GroupBench bench) {
        GroupBench.Member a = bench.register("a", withRestart(RestartPolicy.ON_FAILURE, 3, DELAY));
        Stubborn b = new Stubborn();
        bench.register("b", b, withRestart(RestartPolicy.ALWAYS, 3, DELAY));
        bench.runAll();
        b.awaitRuns(1);
        a.fail();
        waiting().until(() -> bench.scheduler.pendingTasks() == 1); // the check of b's end
        return b;
    }

    /**
     * As {@link #cancelledByItsGroup}, then the stop timeout passes: the group gives up on a and b.
     * {@return b, still stuck in its first run}
     */
    private static Stubborn abandonedByItsGroup(GroupBench bench) {
        Stubborn b = cancelledByItsGroup(bench);
        bench.scheduler.advance(SHUTDOWN_TIMEOUT);
        bench.awaitEvents("b", Type.SHUTDOWN_TIMEOUT, 1);
        waiting().until(() -> bench.snapshot("a").status() == ProcessStatus.FAILED);
        return b;
    }

    @Test
    void restartGroupStartsAStuckMemberOnceItsAbandonedRunEnds() {
        try (GroupBench bench = new GroupBench(GroupStrategy.ONE_FOR_ALL)) {
            Stubborn b = abandonedByItsGroup(bench);

            bench.supervisor.restartGroup(GroupBench.GROUP);
            waiting().until(() -> bench.snapshot("a").status() == ProcessStatus.RUNNING);
            assertThat(b.runs.get()).as("no second run of b beside its stuck one").isEqualTo(1);

            b.release.countDown(); // the operator asked for every member: b starts as soon as it can
            b.awaitRuns(2);
            waiting().until(() -> bench.snapshot("b").status() == ProcessStatus.RUNNING);
            assertThat(b.mostAtOnce.get()).isEqualTo(1);
            assertThat(bench.snapshot("b").restartCount()).as("a fresh start").isZero();
            bench.shutdownAndVerify();
        }
    }

    /**
     * The event of an operator's restartGroup names every member that will start, the stuck one included: it starts
     * too, once its abandoned run has ended (docs/contract.md, Process groups: "members() (those that will start)").
     */
    @Test
    void restartGroupAnnouncesAStuckMemberAmongThoseThatWillStart() {
        try (GroupBench bench = new GroupBench(GroupStrategy.ONE_FOR_ALL)) {
            Stubborn b = abandonedByItsGroup(bench);

            bench.supervisor.restartGroup(GroupBench.GROUP);
            bench.awaitAnnouncedGroupRestarts(2); // a's failure, then the operator's
            SupervisorEvent announced = bench.events.events().stream()
                    .filter(e -> e.type() == Type.GROUP_RESTARTING).skip(1).findFirst().orElseThrow();
            assertThat(announced.trigger()).isNull();
            assertThat(announced.members()).containsExactly("a", "b");

            b.release.countDown();
            b.awaitRuns(2);
            bench.shutdownAndVerify();
        }
    }

    /**
     * An operator's restartGroup racing the end of a trigger's run, in every order the threads take: the operator's
     * restart takes the trigger's over, so everyone starts afresh at once, never after the trigger's delay.
     */
    @Test
    void restartGroupRacingATriggersEndStartsEveryoneAfreshAtOnce() {
        for (int round = 0; round < 100; round++) {
            try (GroupBench bench = new GroupBench(GroupStrategy.ONE_FOR_ALL)) {
                GroupBench.Member a = bench.register("a", withRestart(RestartPolicy.ALWAYS, 5, DELAY));
                GroupBench.Member b = bench.register("b", withRestart(RestartPolicy.ALWAYS, 5, DELAY));
                bench.runAll();
                a.fail();
                bench.supervisor.restartGroup(GroupBench.GROUP);
                waiting().until(() -> a.runs() == 2 && b.runs() == 2);
                assertThat(bench.snapshot("a").restartCount()).as("round %d: a fresh start", round).isZero();
                bench.shutdownAndVerify();
            }
        }
    }

    @Test
    void aStuckMemberIsNotWaitedForAgainAtShutdown() {
        try (GroupBench bench = new GroupBench(GroupStrategy.ONE_FOR_ALL)) {
            Stubborn b = abandonedByItsGroup(bench);

            long start = System.nanoTime();
            bench.supervisor.shutdown();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("shutdown does not wait for it again")
                    .isLessThan(SHUTDOWN_TIMEOUT);
            assertThat(bench.events.count("b", Type.SHUTDOWN_TIMEOUT)).isEqualTo(1);
            assertThat(bench.snapshot("b").status()).isEqualTo(ProcessStatus.FAILED);
            b.release.countDown();
            bench.shutdownAndVerify();
        }
    }

    /**
     * docs/contract.md, Process groups: giving up fails "every member a waiting group restart would have started", a
     * stuck one whose start waits for its abandoned run to end included; an operator's start after the giving up is
     * honoured. ONE_FOR_ALL a, b, c: b abandoned, then the operator starts a and c, and b, which waits for its stuck
     * run; a fails beyond its limit before that run has ended. b stays FAILED, as c does, until the operator's start.
     */
    @Test
    void givingUpDropsAStartWaitingForTheRunTheGroupAbandoned() {
        try (GroupBench bench = new GroupBench(GroupStrategy.ONE_FOR_ALL)) {
            GroupBench.Member a = bench.register("a", withRestart(RestartPolicy.ON_FAILURE, 1, DELAY));
            Stubborn b = new Stubborn();
            bench.register("b", b, withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member c = bench.register("c", withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();
            b.awaitRuns(1);
            a.fail();                               // b and c cancelled: c ends at once, b does not
            bench.awaitEvents("c", Type.STOPPED, 1);
            bench.awaitOnlyTimer(SHUTDOWN_TIMEOUT); // the check of b's end; c's end has reached the group
            bench.scheduler.advance(SHUTDOWN_TIMEOUT); // b is abandoned, the group gives up
            bench.awaitEvents("b", Type.SHUTDOWN_TIMEOUT, 1);
            waiting().until(() -> bench.snapshot("c").status() == ProcessStatus.FAILED);

            bench.supervisor.start("a");
            bench.supervisor.start("c");
            a.awaitRun(2);
            c.awaitRun(2);
            a.fail();                               // c restarts with a; b, FAILED, is at rest
            bench.awaitEvents("c", Type.STOPPED, 2);
            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            a.awaitRun(3);
            c.awaitRun(3);

            bench.supervisor.start("b");            // waits for b's stuck run to end
            a.fail();                               // beyond a's limit: the group gives up on b, then on c
            SupervisorEvent stopped = bench.awaitEvents("c", Type.STOPPED, 3).get(2);
            assertThat(stopped.snapshot().status()).isEqualTo(ProcessStatus.FAILED);
            b.release.countDown();
            waiting().until(() -> bench.unfinishedRuns() == 0 || b.runs.get() > 1);
            assertThat(b.runs.get()).as("b not started by itself once the group gave up").isEqualTo(1);
            assertThat(bench.snapshot("b").status()).isEqualTo(ProcessStatus.FAILED);

            bench.supervisor.start("b");            // after the giving up: honoured
            b.awaitRuns(2);
            waiting().until(() -> bench.snapshot("b").status() == ProcessStatus.RUNNING);
            assertThat(b.mostAtOnce.get()).isEqualTo(1);
            bench.shutdownAndVerify();
        }
    }

    // ============================================================ operators during a group restart

    @Test
    void anOperatorsStopNeverTriggersTheGroupAndRestartRestartsOneMemberAlone() {
        try (GroupBench bench = threeMembers(GroupStrategy.ONE_FOR_ALL)) {
            bench.runAll();
            bench.supervisor.stop("a");
            assertThat(bench.awaitEvents("a", Type.STOPPED, 1).get(0).reason()).isEqualTo(ExitReason.MANUAL);
            bench.supervisor.restart("b");
            bench.member("b").awaitRun(2);

            assertThat(bench.snapshot("a").status()).isEqualTo(ProcessStatus.STOPPED);
            assertThat(bench.snapshot("c").totalStarts()).as("c untouched").isEqualTo(1);
            assertThat(bench.member("c").awaitRun(1).isCancelled()).isFalse();
            assertThat(bench.groupRestarts()).isEmpty();
            assertThat(bench.scheduler.pendingTasks()).isZero();
            bench.shutdownAndVerify();
        }
    }

    @Test
    void aStopDuringAGroupRestartKeepsThatMemberStopped() {
        try (GroupBench bench = new GroupBench(GroupStrategy.ONE_FOR_ALL)) {
            GroupBench.Member a = bench.register("a", withRestart(RestartPolicy.ON_FAILURE, 3, DELAY));
            Stubborn slow = new Stubborn();
            bench.register("b", slow, withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.register("c", withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();
            slow.awaitRuns(1);

            a.fail();
            bench.awaitEvents("c", Type.RESTARTING, 1);
            bench.supervisor.stop("b"); // while its cancelled run is still ending
            slow.release.countDown();
            bench.awaitEvents("b", Type.STOPPED, 1);
            assertThat(bench.snapshot("b").status()).isEqualTo(ProcessStatus.STOPPED);
            bench.awaitOnlyTimer(DELAY);
            bench.supervisor.stop("a"); // while it waits for the group's start
            assertThat(bench.snapshot("a").status()).isEqualTo(ProcessStatus.STOPPED);

            int mark = bench.submissions();
            bench.scheduler.advance(DELAY);
            bench.member("c").awaitRun(2);
            assertThat(bench.startedSince(mark)).containsExactly("c");
            assertThat(bench.snapshot("a").status()).isEqualTo(ProcessStatus.STOPPED);
            assertThat(bench.snapshot("b").status()).isEqualTo(ProcessStatus.STOPPED);
            assertThat(slow.runs.get()).isEqualTo(1);
            bench.shutdownAndVerify();
        }
    }

    @Test
    void aRestartDuringAGroupRestartStartsThatMemberAtOnceAndOnlyOnce() {
        try (GroupBench bench = threeMembers(GroupStrategy.ONE_FOR_ALL)) {
            bench.runAll();
            bench.member("a").fail();
            bench.awaitOnlyTimer(DELAY);

            bench.supervisor.restart("c");
            bench.member("c").awaitRun(2);
            SupervisorEvent started = bench.awaitEvents("c", Type.STARTED, 2).get(1);
            assertThat(started.restart()).as("the operator's start is not a restart").isFalse();

            int mark = bench.submissions();
            bench.scheduler.advance(DELAY);
            bench.member("b").awaitRun(2);
            bench.member("a").awaitRun(2);
            assertThat(bench.startedSince(mark)).containsExactly("a", "b");
            assertThat(bench.member("c").runs()).as("c is not started by the group as well").isEqualTo(2);
            assertThat(bench.member("c").awaitRun(2).isCancelled()).isFalse();
            bench.shutdownAndVerify();
        }
    }

    /**
     * docs/contract.md, Process groups: an operator's start of a member during a group restart "restarts that member
     * alone ...; the group does not start it again", and giving up fails "every member a waiting group restart would
     * have started". REST_FOR_ONE a, c, b: a fails, c ends at once, b does not; the operator starts c; b outlives
     * the stop timeout and the group gives up. c is no member that restart would have started: its run goes on.
     */
    @Test
    void givingUpLeavesAMemberAnOperatorStartedDuringTheGroupRestartRunning() {
        try (GroupBench bench = new GroupBench(GroupStrategy.REST_FOR_ONE)) {
            GroupBench.Member a = bench.register("a", withPriority(0), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member c = bench.register("c", withPriority(1), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            Stubborn b = new Stubborn();
            bench.register("b", b, withPriority(2), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();
            b.awaitRuns(1);
            a.crash();                      // c and b cancelled: c ends at once, b does not
            bench.awaitEvents("c", Type.STOPPED, 1);
            bench.awaitOnlyTimer(SHUTDOWN_TIMEOUT); // the check of b's end; c's end has reached the group

            bench.supervisor.start("c");    // c alone, at once
            c.awaitRun(2);
            bench.scheduler.advance(SHUTDOWN_TIMEOUT); // b is reported, the group gives up
            bench.awaitEvents("b", Type.SHUTDOWN_TIMEOUT, 1);
            waiting().until(() -> bench.snapshot("a").status() == ProcessStatus.FAILED);

            assertThat(c.run(2).isCancelled()).as("the run the operator started").isFalse();
            assertThat(bench.snapshot("c").status()).isEqualTo(ProcessStatus.RUNNING);
            b.release.countDown();
            bench.shutdownAndVerify();
        }
    }

    /**
     * As above, with the operator's restart coming while the member's cancelled run is still ending: restart(name),
     * like start(name), replaces what the group ordered (docs/contract.md, Process groups, Operators: "the group does
     * not start it again"), so a giving up leaves it to start alone once that run has ended. ONE_FOR_ALL a, b, x, c:
     * a fails, b does not end; the operator starts x and c; c fails, cancelling x, whose run is slow to end; the
     * operator restarts x; b outlives the stop timeout and the group gives up.
     */
    @Test
    void givingUpLeavesAMemberAnOperatorRestartedWhileItsCancelledRunEndedToStartAlone() {
        try (GroupBench bench = new GroupBench(GroupStrategy.ONE_FOR_ALL)) {
            GroupBench.Member a = bench.register("a", withPriority(0), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            Stubborn b = new Stubborn();
            bench.register("b", b, withPriority(1), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupSecondTriggerTest.Stubborn x = new GroupSecondTriggerTest.Stubborn(2);
            bench.register("x", x, withPriority(2), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member c = bench.register("c", withPriority(3), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();
            b.awaitRuns(1);
            waiting().until(() -> x.runs.get() == 1);

            a.crash();                      // b, x and c cancelled: x and c end at once, b does not
            bench.awaitEvents("x", Type.STOPPED, 1);
            bench.awaitEvents("c", Type.STOPPED, 1);
            bench.awaitOnlyTimer(SHUTDOWN_TIMEOUT); // the check of b's end
            bench.scheduler.advance(TICK);  // x's check, set below, falls due after b's
            bench.supervisor.start("x");
            bench.supervisor.start("c");
            waiting().until(() -> x.firstRunning.getCount() == 0);
            c.awaitRun(2);
            c.crash();                      // a second trigger: x cancelled again, its run ignores it
            bench.awaitAnnouncedGroupRestarts(2);
            waiting().until(() -> x.first.isCancelled());
            bench.supervisor.restart("x");  // x alone, once its run has ended

            bench.scheduler.advance(SHUTDOWN_TIMEOUT.minus(TICK)); // b is reported, the group gives up
            bench.awaitEvents("b", Type.SHUTDOWN_TIMEOUT, 1);
            waiting().until(() -> bench.snapshot("a").status() == ProcessStatus.FAILED);
            x.release.countDown();
            waiting().until(() -> x.runs.get() >= 3 || bench.snapshot("x").status() == ProcessStatus.FAILED);

            assertThat(bench.snapshot("x").status()).as("x, restarted by the operator")
                    .isEqualTo(ProcessStatus.RUNNING);
            assertThat(x.runs.get()).isEqualTo(3);
            b.release.countDown();
            bench.shutdownAndVerify();
        }
    }

    /**
     * docs/contract.md, Process groups, Giving up: "under REST_FOR_ONE every later one" fails; Never two runs: a run
     * the group was stopping for good when it gave up holds back no later group restart. REST_FOR_ONE e, t, m: t
     * exceeds its limit and the group gives up on m, whose run does not end; then e, before t, fails once, within its
     * limit. e's restart involves no one else: it must not wait for m's run, nor fail when m is reported.
     */
    @Test
    void aRunStoppedForGoodAsTheGroupGaveUpHoldsBackNoLaterRestart() {
        try (GroupBench bench = new GroupBench(GroupStrategy.REST_FOR_ONE)) {
            GroupBench.Member e = bench.register("e", withPriority(0), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member t = bench.register("t", withPriority(1), withRestart(RestartPolicy.ALWAYS, 1, DELAY));
            GroupSecondTriggerTest.Stubborn m = new GroupSecondTriggerTest.Stubborn(2);
            bench.register("m", m, withPriority(2), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.supervisor.run();
            e.awaitRun(1);
            t.awaitRun(1);
            waiting().until(() -> m.runs.get() == 1);
            t.crash();                      // t's one restart, with m
            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            t.awaitRun(2);
            waiting().until(() -> m.runs.get() == 2);
            t.crash();                      // t FAILED, the group gives up on m, whose run does not end
            bench.awaitEvents("t", Type.RESTART_LIMIT_EXCEEDED, 1);
            waiting().until(() -> m.first.isCancelled());

            e.crash();                      // e's own group restart: nobody after it is running
            bench.awaitAnnouncedGroupRestarts(2);
            waiting().until(() -> bench.unfinishedRuns() == 1); // e's end has reached its group; m's run goes on
            int mark = bench.submissions();
            bench.scheduler.advance(DELAY);
            assertThat(bench.submissions()).as("e restarted after its delay, not after m's run").isGreaterThan(mark);
            e.awaitRun(2);
            bench.scheduler.advance(SHUTDOWN_TIMEOUT); // m is reported
            bench.awaitEvents("m", Type.SHUTDOWN_TIMEOUT, 1);

            assertThat(bench.snapshot("m").status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(bench.snapshot("e").status()).isEqualTo(ProcessStatus.RUNNING);
            assertThat(e.run(2).isCancelled()).isFalse();
            assertThat(bench.snapshot("e").restartCount()).isEqualTo(1);
            m.release.countDown();
            bench.shutdownAndVerify();
        }
    }

    /**
     * The event of a trigger's group restart names the stuck member that restartGroup will start once its abandoned
     * run has ended, as restartGroup's own event does (docs/contract.md, Process groups: "members() (those that will
     * start)"). ONE_FOR_ALL a, b: b abandoned, restartGroup, then a fails before b's run has ended.
     */
    @Test
    void aTriggerAfterRestartGroupAnnouncesTheStuckMemberThatWillStart() {
        try (GroupBench bench = new GroupBench(GroupStrategy.ONE_FOR_ALL)) {
            Stubborn b = abandonedByItsGroup(bench);
            GroupBench.Member a = bench.member("a");
            bench.supervisor.restartGroup(GroupBench.GROUP);
            a.awaitRun(2);

            a.fail();
            bench.awaitAnnouncedGroupRestarts(3); // a's first failure, the operator's, a's second failure
            SupervisorEvent announced = bench.events.events().stream()
                    .filter(e -> e.type() == Type.GROUP_RESTARTING).skip(2).findFirst().orElseThrow();
            assertThat(announced.trigger()).isEqualTo("a");
            assertThat(announced.members()).as("b starts afresh once its run has ended").containsExactly("a", "b");

            b.release.countDown();
            b.awaitRuns(2);
            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            a.awaitRun(3);
            assertThat(b.mostAtOnce.get()).isEqualTo(1);
            bench.shutdownAndVerify();
        }
    }

    /**
     * docs/contract.md, Process groups: "A watchdog's hang counts, as it is a failure". REST_FOR_ONE a, b, c, d with a
     * watchdog on b: b hangs, and b, c and d restart with it, in start order; a, before b, does not.
     */
    @Test
    void aHungMemberRestartsTheMembersAfterItInStartOrder() {
        Duration watchdog = Duration.ofSeconds(5);
        try (GroupBench bench = new GroupBench(GroupStrategy.REST_FOR_ONE)) {
            GroupBench.Member a = bench.register("a", withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member b = bench.register("b", withRestart(RestartPolicy.ALWAYS, 3, DELAY),
                    ProcessOption.withWatchdog(watchdog));
            GroupBench.Member c = bench.register("c", withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member d = bench.register("d", withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();

            bench.scheduler.advance(watchdog); // b is hung, its run cancelled
            bench.awaitEvents("b", Type.HUNG, 1);
            bench.awaitAnnouncedGroupRestarts(1);
            bench.awaitOnlyTimer(DELAY);
            int mark = bench.submissions();
            bench.scheduler.advance(DELAY);
            b.awaitRun(2);
            c.awaitRun(2);
            d.awaitRun(2);

            SupervisorEvent restart = bench.groupRestarts().get(0);
            assertThat(restart.trigger()).isEqualTo("b");
            assertThat(restart.reason()).isEqualTo(ExitReason.FAILED);
            assertThat(restart.members()).containsExactly("b", "c", "d");
            assertThat(bench.startedSince(mark)).containsExactly("b", "c", "d");
            assertThat(a.runs()).isEqualTo(1);
            assertThat(bench.snapshot("b").restartCount()).isEqualTo(1);
            bench.shutdownAndVerify();
        }
    }

    @Test
    void restartGroupRestartsEveryMemberInStartOrderWithFreshCounts() {
        try (GroupBench bench = new GroupBench(GroupStrategy.REST_FOR_ONE)) {
            bench.register("c", withPriority(1), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.register("a", withRestart(RestartPolicy.ON_FAILURE, 3, DELAY));
            bench.register("b", withRestart(RestartPolicy.NEVER, 3, DELAY));
            bench.runAll();
            bench.member("b").complete(); // at rest: STOPPED, and still restarted by the operator
            bench.awaitEvents("b", Type.COMPLETED, 1);
            bench.member("a").fail();
            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            bench.member("a").awaitRun(2);
            bench.member("c").awaitRun(2);
            assertThat(bench.snapshot("a").restartCount()).isEqualTo(1);

            int mark = bench.submissions();
            bench.supervisor.restartGroup(GroupBench.GROUP);
            List.of("a", "b", "c").forEach(m -> bench.member(m).awaitRun(m.equals("b") ? 2 : 3));
            assertThat(bench.startedSince(mark)).containsExactly("a", "b", "c");
            SupervisorEvent event = bench.groupRestarts().get(1);
            assertThat(event.trigger()).isNull();
            assertThat(event.reason()).isNull();
            assertThat(event.members()).containsExactly("a", "b", "c");
            assertThat(event.delay()).isZero();
            for (String member : List.of("a", "b", "c")) {
                ProcessSnapshot s = bench.snapshot(member);
                assertThat(s.status()).isEqualTo(ProcessStatus.RUNNING);
                assertThat(s.restartCount()).as("%s starts afresh", member).isZero();
            }
            assertThat(bench.snapshot("a").totalRestarts()).as("the operator's start is not a restart").isEqualTo(1);
            assertThat(bench.awaitEvents("a", Type.STOPPED, 1).get(0).reason()).isEqualTo(ExitReason.GROUP);
            bench.shutdownAndVerify();
        }
    }

    /**
     * A member whose run restartGroup cancelled waits to start afresh with the group, whatever its policy, also when
     * a further trigger joins while that run still ends (docs/contract.md, Process groups, How): here a, which the
     * operator started alone meanwhile and which then fails.
     */
    @ParameterizedTest
    @EnumSource(value = RestartPolicy.class, names = {"NEVER", "ALWAYS"})
    void aMemberRestartGroupCancelledStillStartsAfreshWhenAFurtherTriggerJoins(RestartPolicy policy) {
        try (GroupBench bench = new GroupBench(GroupStrategy.ONE_FOR_ALL)) {
            GroupBench.Member a = bench.register("a", withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            Stubborn b = new Stubborn();
            bench.register("b", b, withRestart(policy, 3, DELAY));
            bench.runAll();
            b.awaitRuns(1);

            bench.supervisor.restartGroup(GroupBench.GROUP); // b's run ends only when released
            waiting().until(() -> bench.snapshot("a").status() == ProcessStatus.RESTARTING);
            bench.supervisor.start("a");
            a.awaitRun(2);
            bench.awaitEvents("a", Type.STARTED, 2);
            a.fail(); // a trigger, while the operator's group restart still waits for b's run
            bench.awaitAnnouncedGroupRestarts(2);
            b.release.countDown();
            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            a.awaitRun(3);
            b.awaitRuns(2);

            SupervisorEvent started = bench.awaitEvents("b", Type.STARTED, 2).get(1);
            assertThat(started.restart()).as("b's start is a first start, not a restart").isFalse();
            assertThat(bench.snapshot("b").totalRestarts()).isZero();
            assertThat(bench.events.count("b", Type.RESTARTING)).isZero();
            assertThat(bench.groupRestarts().get(1).members()).containsExactly("a", "b");
            bench.shutdownAndVerify();
        }
    }

    @Test
    void restartGroupDuringAGroupRestartStartsEveryoneAtOnce() {
        try (GroupBench bench = threeMembers(GroupStrategy.ONE_FOR_ALL)) {
            bench.runAll();
            bench.member("b").crash();
            bench.awaitOnlyTimer(DELAY);

            int mark = bench.submissions();
            bench.supervisor.restartGroup(GroupBench.GROUP);
            List.of("a", "b", "c").forEach(m -> bench.member(m).awaitRun(2));
            assertThat(bench.startedSince(mark)).containsExactly("a", "b", "c");
            assertThat(bench.scheduler.pendingTasks()).as("the delayed start is dropped").isZero();
            List.of("a", "b", "c").forEach(m -> assertThat(bench.snapshot(m).totalRestarts()).isZero());
            assertThat(bench.groupRestarts()).extracting(SupervisorEvent::trigger).containsExactly("b", null);
            bench.shutdownAndVerify();
        }
    }

    // ============================================================ registration into a running group

    @Test
    void aMemberRegisteredWhileTheGroupRunsStartsAtOnceAndThenRestartsWithIt() {
        try (GroupBench bench = new GroupBench(GroupStrategy.ONE_FOR_ALL)) {
            bench.register("a", withRestart(RestartPolicy.ON_FAILURE, 3, DELAY));
            bench.register("z", withPriority(1), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();
            GroupBench.Member late = bench.register("late", withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            late.awaitRun(1);

            bench.member("a").fail();
            bench.awaitOnlyTimer(DELAY);
            int mark = bench.submissions();
            bench.scheduler.advance(DELAY);
            late.awaitRun(2);
            bench.member("z").awaitRun(2);
            bench.member("a").awaitRun(2);
            assertThat(bench.startedSince(mark)).containsExactly("a", "late", "z");
            assertThat(bench.groupRestarts().get(0).members()).containsExactly("a", "late", "z");
            bench.shutdownAndVerify();
        }
    }

    @Test
    void aMemberRegisteredDuringAGroupRestartStartsWithTheGroup() {
        try (GroupBench bench = threeMembers(GroupStrategy.ONE_FOR_ALL)) {
            bench.runAll();
            bench.member("c").fail();
            bench.awaitOnlyTimer(DELAY);

            GroupBench.Member late = bench.register("late", withPriority(-1),
                    withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            assertThat(bench.snapshot("late").status()).as("waits for its group").isEqualTo(ProcessStatus.RESTARTING);
            assertThat(late.runs()).isZero();
            int mark = bench.submissions();
            bench.scheduler.advance(DELAY);
            List.of("a", "b", "c").forEach(m -> bench.member(m).awaitRun(2));
            late.awaitRun(1);
            assertThat(bench.startedSince(mark)).containsExactly("late", "a", "b", "c");
            assertThat(bench.snapshot("late").totalRestarts()).as("its first start is no restart").isZero();
            bench.shutdownAndVerify();
        }
    }

    // ============================================================ shutdown during a group restart

    @Test
    void shutdownWhileAGroupRestartWaitsForItsDelayRestartsNothing() {
        try (GroupBench bench = threeMembers(GroupStrategy.ONE_FOR_ALL)) {
            bench.runAll();
            bench.member("a").fail();
            bench.awaitOnlyTimer(DELAY);
            int mark = bench.submissions();

            bench.shutdownAndVerify();
            assertThat(bench.scheduler.pendingTasks()).as("the group's start is cancelled").isZero();
            bench.scheduler.advance(DELAY.multipliedBy(10));
            assertThat(bench.submissions()).isEqualTo(mark);
            List.of("a", "b", "c")
                    .forEach(m -> assertThat(bench.snapshot(m).status()).isEqualTo(ProcessStatus.STOPPED));
        }
    }

    @Test
    void shutdownWhileTheGroupWaitsForACancelledRunWaitsForItWithinItsTimeout() throws Exception {
        try (GroupBench bench = new GroupBench(GroupStrategy.ONE_FOR_ALL)) {
            Stubborn slow = cancelledByItsGroup(bench);

            Thread releaser = new Thread(() -> {
                waiting().until(() -> !bench.supervisor.isStarted());
                slow.release.countDown();
            });
            releaser.start();
            long start = System.nanoTime();
            bench.shutdownAndVerify();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(SHUTDOWN_TIMEOUT);
            releaser.join();
            assertThat(bench.events.count("b", Type.SHUTDOWN_TIMEOUT)).isZero();
            assertThat(bench.scheduler.pendingTasks()).isZero();
            assertThat(slow.runs.get()).isEqualTo(1);
            List.of("a", "b").forEach(m -> assertThat(bench.snapshot(m).status()).isEqualTo(ProcessStatus.STOPPED));
            assertThat(bench.snapshot("b").lastExitReason()).isEqualTo(ExitReason.GROUP);
        }
    }
}
