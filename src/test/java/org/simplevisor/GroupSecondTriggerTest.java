package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.simplevisor.GroupBench.waiting;
import static org.simplevisor.ProcessOption.withPriority;
import static org.simplevisor.ProcessOption.withRestart;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.simplevisor.SupervisorEvent.Type;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.ScriptedProcess;
import org.simplevisor.testing.ThreadBackedExecutor;

/**
 * A group restart meeting what another one, or run(), left: a member waiting to start afresh keeps its first start
 * when a second trigger joins, a member the group gave up on stays given up on, and run() starts a later member only
 * with the group restart of an earlier one already under way.
 */
class GroupSecondTriggerTest {

    private static final Duration DELAY = Duration.ofSeconds(1);

    /** Ignores the cancellation of its {@code stubbornRun}th run until released. */
    static final class Stubborn implements SupervisedProcess {
        final int stubbornRun;

        Stubborn(int stubbornRun) {
            this.stubbornRun = stubbornRun;
        }

        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch firstRunning = new CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        volatile ProcessContext first;

        @Override
        public void run(ProcessContext ctx) throws InterruptedException {
            if (runs.incrementAndGet() == stubbornRun) {
                first = ctx;
                firstRunning.countDown();
                while (true) {
                    try {
                        release.await();
                        return;
                    } catch (InterruptedException ignored) {
                        // keeps running
                    }
                }
            }
            ctx.awaitCancellation();
        }
    }

    /**
     * A member registered during a group restart waits to start with the group, as a first start, whatever its
     * policy (contract: Registration; How). A second trigger joining the restart must not turn that into "stay
     * stopped" (policy NEVER) or into a restart.
     */
    @Test
    void aMemberRegisteredDuringAGroupRestartStillStartsWhenASecondTriggerJoins() {
        try (GroupBench bench = new GroupBench(GroupStrategy.REST_FOR_ONE)) {
            GroupBench.Member x = bench.register("x", withPriority(0), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member a = bench.register("a", withPriority(1), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.register("b", withPriority(2), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();

            a.crash();                                // b cancelled, the group waits DELAY
            bench.awaitOnlyTimer(DELAY);
            GroupBench.Member never = bench.register("never", withPriority(3));          // policy NEVER
            GroupBench.Member always = bench.register("always", withPriority(4),
                    withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            assertThat(bench.snapshot("never").status()).isEqualTo(ProcessStatus.RESTARTING);
            assertThat(bench.snapshot("always").status()).isEqualTo(ProcessStatus.RESTARTING);

            x.crash();                                // a second trigger, before both in start order
            // The first restart's timer is pending too: only x's GROUP_RESTARTING says the group took x in (and
            // replaced that timer), else a slow x thread could have the first timer fire without x.
            bench.awaitAnnouncedGroupRestarts(2);
            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            x.awaitRun(2);
            a.awaitRun(2);
            bench.member("b").awaitRun(2);
            always.awaitRun(1);
            never.awaitRun(1);
            waiting().until(() -> bench.events.count("always", Type.STARTED) >= 1
                    && bench.events.count("never", Type.STARTED) >= 1);
            org.assertj.core.api.SoftAssertions.assertSoftly(soft -> {
                soft.assertThat(bench.snapshot("always").totalRestarts()).as("its first start is no restart")
                        .isZero();
                soft.assertThat(bench.snapshot("never").status()).as("registered while running: it must start")
                        .isEqualTo(ProcessStatus.RUNNING);
            });
            bench.shutdownAndVerify();
        }
    }

    /**
     * REST_FOR_ONE: x, a, b. a exceeds its limit, so the group gives up on b (FAILED). A later restart triggered by x
     * must leave b at rest as it leaves a: b must never run again while a, which b depends on, is FAILED. Whether it
     * does must not depend on how fast b's cancelled run ends.
     */
    @Test
    void aMemberTheGroupGaveUpOnIsNotRevivedByALaterTriggerWhileItsRunEnds() {
        try (GroupBench bench = new GroupBench(GroupStrategy.REST_FOR_ONE)) {
            GroupBench.Member x = bench.register("x", withPriority(0), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member a = bench.register("a", withPriority(1), withRestart(RestartPolicy.ALWAYS, 1, DELAY));
            Stubborn b = new Stubborn(2);
            bench.register("b", b, withPriority(2), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.supervisor.run();
            x.awaitRun(1);
            a.awaitRun(1);
            waiting().until(() -> b.runs.get() == 1);

            a.crash();          // the first group restart: a and b restart
            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            a.awaitRun(2);
            waiting().until(() -> b.runs.get() == 2);
            a.crash();          // limit 1: a FAILED, the group gives up on b, whose run has not ended yet
            bench.awaitEvents("a", Type.RESTART_LIMIT_EXCEEDED, 1);
            waiting().until(() -> b.first.isCancelled());
            x.crash();          // a new trigger while b's given-up run still ends
            // x's group restart, the second: the first one's announcement is in already, and x is RESTARTING before
            // its end reaches its group
            bench.awaitAnnouncedGroupRestarts(2);
            assertThat(bench.snapshot("x").status()).isEqualTo(ProcessStatus.RESTARTING);
            b.release.countDown();
            bench.awaitEvents("b", Type.STOPPED, 1);
            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            x.awaitRun(2);
            waiting().until(() -> bench.events.count("x", Type.STARTED) >= 2);

            assertThat(bench.snapshot("a").status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(bench.snapshot("b").status()).as("given up on, like a").isEqualTo(ProcessStatus.FAILED);
            assertThat(b.runs.get()).as("b runs again while a is FAILED").isEqualTo(2);
            bench.shutdownAndVerify();
        }
    }

    /**
     * docs/contract.md, Process groups: "A member whose first start had not begun when the group cancelled it ...
     * starts with the group as a first start (not a restart), whatever its policy". REST_FOR_ONE a, x (policy NEVER):
     * an operator restarts x, whose run is slow to end, so the operator's start has not begun when a fails. a's group
     * restart must not turn that start into "stay stopped": x starts afresh with the group.
     */
    @Test
    void anOperatorsRestartStillWaitingForItsRunsEndStartsAfreshWhenATriggerComes() {
        try (GroupBench bench = new GroupBench(GroupStrategy.REST_FOR_ONE)) {
            GroupBench.Member a = bench.register("a", withPriority(0), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            Stubborn x = new Stubborn(1);
            bench.register("x", x, withPriority(1));    // policy NEVER
            bench.supervisor.run();
            a.awaitRun(1);
            waiting().until(() -> x.firstRunning.getCount() == 0);

            bench.supervisor.restart("x");  // x's run is cancelled and does not end yet
            a.crash();                      // x in a's scope: the group cancels it too
            bench.awaitAnnouncedGroupRestarts(1);
            x.release.countDown();
            bench.awaitEvents("x", Type.STOPPED, 1);
            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            a.awaitRun(2);

            waiting().until(() -> x.runs.get() >= 2 || bench.snapshot("x").status() == ProcessStatus.STOPPED
                    && bench.events.count("a", Type.STARTED) >= 2);
            assertThat(x.runs.get()).as("the operator's restart of x was dropped").isEqualTo(2);
            SupervisorEvent started = bench.awaitEvents("x", Type.STARTED, 2).get(1);
            assertThat(started.restart()).as("a first start, not a restart").isFalse();
            assertThat(bench.groupRestarts().get(0).members()).containsExactly("a", "x");
            bench.shutdownAndVerify();
        }
    }

    /**
     * REST_FOR_ONE: a, then b. a's first run fails at once, while run() is still starting the group: a group restart
     * of a is due (after DELAY). b comes after a in start order; like a member registered during a group restart it
     * waits and starts with the group, not before a has been restarted.
     */
    @Test
    void runDoesNotStartALaterMemberBeforeTheGroupRestartOfAnEarlierOne() {
        AtomicReference<Supervisor> ref = new AtomicReference<>();
        AtomicInteger submitted = new AtomicInteger();
        List<String> order = new CopyOnWriteArrayList<>();
        ManualClock clock = new ManualClock();
        ManualScheduler scheduler = new ManualScheduler(clock);
        ThreadBackedExecutor executor = new ThreadBackedExecutor() {
            @Override
            public void execute(Runnable task) {
                threads.execute(task);
                if (submitted.getAndIncrement() == 0) { // a's first run: let it fail before run() goes on to b
                    // a is RESTARTING before its end reaches its group: only the group's timer says that the group
                    // restart is due, else run() could go on to b first, and start it before a failed for the group
                    waiting().until(() -> ref.get().snapshot("a").status() == ProcessStatus.RESTARTING
                            && scheduler.pendingTasks() == 1);
                }
            }
        };
        try (Supervisor supervisor = Supervisor.builder().clock(clock).scheduler(scheduler).executor(executor)
                .group("g", GroupStrategy.REST_FOR_ONE).build()) {
            ref.set(supervisor);
            ScriptedProcess a = new ScriptedProcess() {
                @Override
                public void run(ProcessContext ctx) throws Exception {
                    order.add("a");
                    super.run(ctx);
                }
            };
            ScriptedProcess b = new ScriptedProcess() {
                @Override
                public void run(ProcessContext ctx) throws Exception {
                    order.add("b");
                    super.run(ctx);
                }
            };
            a.crash();
            supervisor.register("a", a, ProcessOption.inGroup("g"), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            supervisor.register("b", b, ProcessOption.inGroup("g"), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            supervisor.run();
            waiting().until(() -> scheduler.pendingTasks() >= 1);

            assertThat(supervisor.status("b")).as("b waits for a's group restart").isEqualTo(ProcessStatus.RESTARTING);
            assertThat(submitted.get()).as("only a's first run was submitted").isEqualTo(1);
            scheduler.advance(DELAY);
            a.awaitRun(2);
            b.awaitRun(1);
            // submitted in start order; the two runs then begin on threads of their own, in either order
            assertThat(order).startsWith("a").containsExactlyInAnyOrder("a", "a", "b");
        }
    }
}
