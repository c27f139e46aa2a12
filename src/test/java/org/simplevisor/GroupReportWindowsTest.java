package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.simplevisor.GroupBench.waiting;
import static org.simplevisor.ProcessOption.withPriority;
import static org.simplevisor.ProcessOption.withRestart;
import static org.simplevisor.ProcessOption.withWatchdog;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.simplevisor.SupervisorEvent.Type;
import org.simplevisor.testing.ActingClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.ScriptedProcess;

/**
 * What a group decides in the windows where it has not heard yet of what its members did: a member tells its group
 * of the end of its run only after releasing its own lock, and a registration's check for a group restart in
 * progress and its start are two steps. Each test holds a thread in that window through the injected scheduler or
 * clock, and a thread that waits for a lock is seen through its state and stack.
 */
class GroupReportWindowsTest {

    private static final Duration DELAY = Duration.ofSeconds(1);

    /** A scripted process that remembers the thread of its latest run. */
    static final class ThreadRecording extends ScriptedProcess {
        volatile Thread thread;

        @Override
        public void run(ProcessContext ctx) throws Exception {
            thread = Thread.currentThread();
            super.run(ctx);
        }
    }

    /** {@return whether the thread waits for a lock in that method of the group} */
    private static boolean blockedInGroup(Thread thread, String method) {
        return thread.getState() == Thread.State.BLOCKED && Arrays.stream(thread.getStackTrace())
                .anyMatch(f -> f.getClassName().equals(ProcessGroup.class.getName())
                        && f.getMethodName().equals(method));
    }

    /**
     * The bench's {@link ManualScheduler}, except that once armed, the first cancellation of a group's check of a
     * cancelled run (a task due after the shutdown timeout) holds its thread until released: the thread that reports
     * that run's end then holds the group's lock, with the run no longer awaited and the restart not started yet.
     */
    private static final class CheckCancelGate extends AbstractExecutorService
            implements ScheduledExecutorService {
        private final ManualScheduler scheduler;
        private final AtomicBoolean armed = new AtomicBoolean();
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        CheckCancelGate(ManualScheduler scheduler) {
            this.scheduler = scheduler;
        }

        void arm() {
            armed.set(true);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            ScheduledFuture<?> future = scheduler.schedule(command, delay, unit);
            return unit.toNanos(delay) == GroupBench.SHUTDOWN_TIMEOUT.toNanos() ? new HeldOnCancel<>(future) : future;
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            return scheduler.schedule(callable, delay, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period,
                TimeUnit unit) {
            return scheduler.scheduleAtFixedRate(command, initialDelay, period, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                TimeUnit unit) {
            return scheduler.scheduleWithFixedDelay(command, initialDelay, delay, unit);
        }

        @Override
        public void execute(Runnable command) {
            scheduler.execute(command);
        }

        @Override
        public void shutdown() {
            scheduler.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return scheduler.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return scheduler.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return scheduler.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return scheduler.awaitTermination(timeout, unit);
        }

        private final class HeldOnCancel<V> implements ScheduledFuture<V> {
            private final ScheduledFuture<V> future;

            HeldOnCancel(ScheduledFuture<V> future) {
                this.future = future;
            }

            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                if (armed.compareAndSet(true, false)) {
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return future.cancel(mayInterruptIfRunning);
            }

            @Override
            public boolean isCancelled() {
                return future.isCancelled();
            }

            @Override
            public boolean isDone() {
                return future.isDone();
            }

            @Override
            public V get() throws InterruptedException, ExecutionException {
                return future.get();
            }

            @Override
            public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException,
                    TimeoutException {
                return future.get(timeout, unit);
            }

            @Override
            public long getDelay(TimeUnit unit) {
                return future.getDelay(unit);
            }

            @Override
            public int compareTo(Delayed other) {
                return future.compareTo(other);
            }
        }
    }

    /**
     * docs/contract.md, Process groups: "A trigger whose run ends while a group restart is still waiting joins it ...
     * the members named by either restart once, after the latest trigger's delay". REST_FOR_ONE x, a, b: a fails (no
     * delay), and its group restart waits for b's cancelled run. x fails while b's end is being reported: x's end is
     * settled (RESTARTING), but its own report waits for the group's lock. The group must not start a and b without
     * x, and then cancel and restart them again for x.
     */
    @Test
    void aTriggerWhoseReportIsOnItsWayJoinsTheRestartThatWasWaiting() {
        try (XAB group = new XAB(3)) {
            GroupBench bench = group.bench;
            ThreadRecording x = group.x;
            GroupBench.Member a = group.a;
            GroupBench.Member b = group.b;

            group.crashAWhileBsEndIsReported(); // b's end's report holds the group's lock, b not awaited
            x.crash();                      // x's end is settled, its report waits for the group's lock
            waiting().until(() -> blockedInGroup(x.thread, "runEnded"));
            group.releaseBsEndReport();

            bench.awaitAnnouncedGroupRestarts(2);
            bench.awaitOnlyTimer(DELAY);     // x's delay, the latest trigger's
            bench.scheduler.advance(DELAY);
            x.awaitRun(2);
            a.awaitRun(2);
            b.awaitRun(2);
            List<SupervisorEvent> restarts = bench.groupRestarts();

            assertThat(restarts).extracting(SupervisorEvent::trigger).containsExactly("a", "x");
            assertThat(restarts.get(1).members()).as("x joined a's restart").containsExactly("x", "a", "b");
            assertThat(groupRestartsOf(bench, "a")).as("a cancelled by its group: restarted twice").isZero();
            assertThat(groupRestartsOf(bench, "b")).as("b cancelled by its group once, with a").isEqualTo(1);
            bench.shutdownAndVerify();
            assertThat(bench.snapshot("a").totalRestarts()).isEqualTo(1);
            assertThat(bench.snapshot("b").totalRestarts()).isEqualTo(1);
            assertThat(bench.snapshot("x").restartCount()).as("x's restart, against its limit").isEqualTo(1);
        }
    }

    /**
     * docs/contract.md, Process groups: GROUP_RESTARTING "is emitted ... once per trigger". REST_FOR_ONE a, x, b: a
     * fails (no delay), its group restart holds x and waits for b's run, which is slow to end. An operator starts x
     * (x stays one of the members the restart will start), and x fails while b's end is being reported: x is a
     * second trigger and joins the restart, announced as such, rather than being started by it silently.
     */
    @Test
    void aTriggerThatTheWaitingRestartWouldStartIsAnnouncedWhenItsReportIsOnItsWay() {
        CheckCancelGate[] gate = new CheckCancelGate[1];
        try (GroupBench bench = new GroupBench(GroupStrategy.REST_FOR_ONE,
                scheduler -> gate[0] = new CheckCancelGate(scheduler))) {
            GroupBench.Member a = bench.register("a", withPriority(0),
                    withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
            ThreadRecording x = new ThreadRecording();
            bench.register("x", x, withPriority(1), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupSecondTriggerTest.Stubborn b = new GroupSecondTriggerTest.Stubborn(1);
            bench.register("b", b, withPriority(2), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();
            x.awaitRun(1);
            awaitLatch(b.firstRunning);

            a.crash();                      // x and b cancelled: x ends at once, b only when released
            Thread firstOfX = x.thread;
            waiting().until(() -> bench.snapshot("x").status() == ProcessStatus.RESTARTING
                    && Arrays.stream(firstOfX.getStackTrace()).noneMatch(f -> f.getMethodName().equals("exited")));
            bench.supervisor.start("x");    // x alone, at once
            x.awaitRun(2);

            gate[0].arm();
            b.release.countDown();          // b's end's report holds the group's lock, b no longer awaited
            awaitLatch(gate[0].held);
            x.crash();                      // x's end is settled, its report waits for the group's lock
            waiting().until(() -> blockedInGroup(x.thread, "runEnded"));
            gate[0].release.countDown();

            waiting().until(() -> bench.events.events().stream().filter(e -> e.type() == Type.GROUP_RESTARTING)
                    .count() >= 2 || x.runs() >= 3);
            assertThat(bench.events.events().stream().filter(e -> e.type() == Type.GROUP_RESTARTING))
                    .as("x restarted with the group, but not announced as a trigger")
                    .extracting(SupervisorEvent::trigger).containsExactly("a", "x");
            bench.awaitOnlyTimer(DELAY);     // x's delay, the latest trigger's
            bench.scheduler.advance(DELAY);
            x.awaitRun(3);
            a.awaitRun(2);
            waiting().until(() -> b.runs.get() == 2);
            bench.shutdownAndVerify();
            assertThat(bench.snapshot("x").restartCount()).as("x's restart, against its limit").isEqualTo(1);
            assertThat(bench.snapshot("b").totalRestarts()).isEqualTo(1);
        }
    }

    /**
     * As above, but an operator starts x while its report is on its way: the start replaces x's group restart
     * (contract: Operators), and the restart a's end began, held back for x's report, must still start a and b.
     */
    @Test
    void aRestartHeldForATriggersReportStartsWhenAnOperatorTookTheTriggerOver() {
        try (XAB group = new XAB(3)) {
            GroupBench bench = group.bench;
            ThreadRecording x = group.x;
            GroupBench.Member a = group.a;
            GroupBench.Member b = group.b;

            group.crashAWhileBsEndIsReported(); // b's end's report holds the group's lock, b not awaited
            x.crash();
            waiting().until(() -> blockedInGroup(x.thread, "runEnded"));
            bench.supervisor.start("x");    // x's own start, at once: its end no longer asks for a group restart
            x.awaitRun(2);
            group.releaseBsEndReport();

            a.awaitRun(2);
            b.awaitRun(2);
            List<SupervisorEvent> restarts = bench.groupRestarts();

            assertThat(restarts).extracting(SupervisorEvent::trigger).containsExactly("a");
            assertThat(x.runs()).as("x started by the operator only").isEqualTo(2);
            bench.shutdownAndVerify();
            assertThat(bench.snapshot("a").totalRestarts()).isEqualTo(1);
            assertThat(bench.snapshot("b").totalRestarts()).isEqualTo(1);
        }
    }

    /**
     * docs/contract.md, Process groups, Giving up: "When the trigger exceeds its limit ... the group gives up ... and
     * so is every member a waiting group restart would have started". REST_FOR_ONE x, a, b, x at its limit: a fails
     * (no delay), and its group restart waits for b's cancelled run. x fails again while b's end is being reported:
     * x is FAILED, but its report waits for the group's lock. The group must not start a and b and then give up on
     * them (one more run each): they fail without starting.
     */
    @Test
    void aLimitReportOnItsWayFailsTheRestartThatWasWaiting() {
        try (XAB group = new XAB(1)) {
            GroupBench bench = group.bench;
            ThreadRecording x = group.x;
            GroupBench.Member a = group.a;
            GroupBench.Member b = group.b;
            x.crash();                      // x's one restart, with a and b
            bench.awaitAnnouncedGroupRestarts(1);
            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            x.awaitRun(2);
            a.awaitRun(2);
            b.awaitRun(2);

            group.crashAWhileBsEndIsReported(); // b's end's report holds the group's lock, b not awaited
            int mark = bench.submissions();
            x.crash();                      // x is FAILED, its report waits for the group's lock
            waiting().until(() -> blockedInGroup(x.thread, "runEnded"));
            group.releaseBsEndReport();

            waiting().until(() -> bench.snapshot("a").status() == ProcessStatus.FAILED
                    && bench.snapshot("b").status() == ProcessStatus.FAILED);
            bench.shutdownAndVerify();
            assertThat(bench.submissions() - mark).as("runs the group started and then gave up on").isZero();
            assertThat(bench.snapshot("x").status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(bench.snapshot("a").status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(bench.snapshot("b").status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(bench.groupRestarts()).extracting(SupervisorEvent::trigger).containsExactly("x", "a");
        }
    }

    /**
     * docs/contract.md, Process groups: a member that does not end after its group cancelled it makes the group give
     * up "rather than restart around it", failing "every member a waiting group restart would have started", and "a
     * trigger whose run ended before the group gave up counts as one of those". REST_FOR_ONE x, a, b: a fails (no
     * delay), its group restart waits for b, which does not end. x fails as the group gives up on b: x's end is
     * settled (RESTARTING), but its report waits for the group's lock. x fails with the others rather than begin a
     * new group restart after the group gave up.
     */
    @Test
    void aTriggerWhoseReportIsOnItsWayWhenTheGroupGivesUpFailsWithTheOthers() {
        ActingClock clock = new ActingClock();
        try (GroupBench bench = new GroupBench(builder -> builder.group(GroupBench.GROUP, GroupStrategy.REST_FOR_ONE)
                .clock(clock))) {
            ThreadRecording x = new ThreadRecording();
            bench.register("x", x, withPriority(0), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member a = bench.register("a", withPriority(1),
                    withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
            GroupSecondTriggerTest.Stubborn b = new GroupSecondTriggerTest.Stubborn(1);
            bench.register("b", b, withPriority(2), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();
            x.awaitRun(1);
            awaitLatch(b.firstRunning);

            a.crash();                      // b cancelled, and it does not end
            bench.awaitAnnouncedGroupRestarts(1);
            bench.awaitOnlyTimer(GroupBench.SHUTDOWN_TIMEOUT);
            atReadIn(clock, "checkEnded", () -> {
                x.crash();                  // x's end is settled, its report waits for the group's lock
                waiting().until(() -> x.thread != null && blockedInGroup(x.thread, "runEnded"));
            });
            bench.scheduler.advance(GroupBench.SHUTDOWN_TIMEOUT); // the group gives up on b

            waiting().until(() -> bench.snapshot("x").status() == ProcessStatus.FAILED
                    || bench.events.events().stream().filter(e -> e.type() == Type.GROUP_RESTARTING).count() >= 2);
            assertThat(bench.events.events().stream().filter(e -> e.type() == Type.GROUP_RESTARTING))
                    .as("no group restart after the group gave up").extracting(SupervisorEvent::trigger)
                    .containsExactly("a");
            assertThat(bench.snapshot("x").status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(bench.snapshot("a").status()).isEqualTo(ProcessStatus.FAILED);
            b.release.countDown();
            bench.shutdownAndVerify();
            assertThat(x.runs()).isEqualTo(1);
            assertThat(bench.snapshot("x").status()).isEqualTo(ProcessStatus.FAILED);
        }
    }

    /**
     * docs/contract.md, Process groups, Giving up and Operators: a trigger whose report was on its way when the group
     * gave up fails with the others, as if its report had come first; an operator's start after the give-up is not
     * undone by it. REST_FOR_ONE x, a, d, b: a fails, its group restart holds d and waits for b, which does not end.
     * x fails as the group gives up on b (its report waits for the group's lock); an operator starts a once the group
     * has failed it. x's late report must not fail a again: its run goes on.
     */
    @Test
    void aLateReportAfterTheGroupGaveUpLeavesAnOperatorsStartAlone() {
        ActingClock clock = new ActingClock();
        try (GroupBench bench = new GroupBench(builder -> builder.group(GroupBench.GROUP, GroupStrategy.REST_FOR_ONE)
                .clock(clock))) {
            ThreadRecording x = new ThreadRecording();
            bench.register("x", x, withPriority(0), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member a = bench.register("a", withPriority(1),
                    withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
            bench.register("d", withPriority(2), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupSecondTriggerTest.Stubborn b = new GroupSecondTriggerTest.Stubborn(1);
            bench.register("b", b, withPriority(3), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();
            x.awaitRun(1);
            awaitLatch(b.firstRunning);

            a.crash();                      // d and b cancelled, b does not end
            bench.awaitAnnouncedGroupRestarts(1);
            waiting().until(() -> bench.snapshot("d").status() == ProcessStatus.RESTARTING);
            bench.awaitOnlyTimer(GroupBench.SHUTDOWN_TIMEOUT);
            Thread firstOfX = x.thread;
            atReadIn(clock, "checkEnded", () -> {
                x.crash();                  // x's end is settled, its report waits for the group's lock
                waiting().until(() -> x.thread != null && blockedInGroup(x.thread, "runEnded"));
                // still under the group's lock, once it has failed a
                atReadIn(clock, "giveUp", () -> bench.snapshot("a").status() == ProcessStatus.FAILED, () -> {
                    Thread operator = new Thread(() -> bench.supervisor.start("a"));
                    operator.start();
                    waiting().until(() -> !operator.isAlive());
                });
            });
            bench.scheduler.advance(GroupBench.SHUTDOWN_TIMEOUT); // the group gives up on b
            a.awaitRun(2);
            waiting().until(() -> Arrays.stream(firstOfX.getStackTrace())
                    .noneMatch(f -> f.getMethodName().equals("exited"))); // x's report has reached the group

            assertThat(bench.snapshot("x").status()).isEqualTo(ProcessStatus.FAILED);
            b.release.countDown();
            bench.shutdownAndVerify();
            List<SupervisorEvent> ofA = bench.events.events().stream().filter(e -> "a".equals(e.processName()))
                    .toList();
            int operatorsStart = ofA.size() - 1;
            while (ofA.get(operatorsStart).type() != Type.STARTED) {
                operatorsStart--;
            }
            assertThat(ofA.get(operatorsStart).restart()).as("the operator's start").isFalse();
            assertThat(ofA.subList(operatorsStart, ofA.size())).as("a's run after the operator's start")
                    .noneMatch(e -> e.reason() == ExitReason.GROUP);
            assertThat(x.runs()).isEqualTo(1);
        }
    }

    /**
     * docs/contract.md, Process groups, Giving up: "Members at rest keep their status". REST_FOR_ONE x, a, b, y, x at
     * its limit, y at rest (completed, policy NEVER). a fails (no delay) and b's end's report holds the group's lock;
     * x fails again (FAILED), its report waits for the lock; then an operator starts y. Had x's report come first,
     * y was at rest when the group gave up, and the operator's start came after: y's run must go on.
     */
    @Test
    void aLateLimitReportLeavesAnOperatorsStartFromRestAlone() {
        try (XAB group = new XAB(1)) {
            GroupBench bench = group.bench;
            ThreadRecording x = group.x;
            GroupBench.Member y = bench.register("y", withPriority(3));
            y.awaitRun(1);
            y.complete();
            waiting().until(() -> bench.snapshot("y").status() == ProcessStatus.STOPPED);
            x.crash();                      // x's one restart, with a and b
            bench.awaitAnnouncedGroupRestarts(1);
            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            x.awaitRun(2);
            group.a.awaitRun(2);
            group.b.awaitRun(2);

            group.crashAWhileBsEndIsReported(); // b's end's report holds the group's lock
            Thread secondOfX = x.thread;
            x.crash();                      // x is FAILED, its report waits for the group's lock
            waiting().until(() -> blockedInGroup(secondOfX, "runEnded"));
            bench.supervisor.start("y");    // from rest, after x's end
            y.awaitRun(2);
            group.releaseBsEndReport();
            waiting().until(() -> Arrays.stream(secondOfX.getStackTrace())
                    .noneMatch(f -> f.getMethodName().equals("exited"))); // x's report has reached the group

            assertThat(bench.snapshot("x").status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(y.run(2).isCancelled()).as("the run the operator started from rest").isFalse();
            bench.shutdownAndVerify();
        }
    }

    /**
     * Supervisor.start: "Does nothing to a running process"; docs/contract.md, Process groups: REST_FOR_ONE restarts
     * the members after the trigger. REST_FOR_ONE x, y, a, b. a fails (no delay) and b's end's report holds the
     * group's lock; x fails, its report waits for the lock; then an operator starts y, which is running: nothing to
     * start, so x's late report must still restart y with x, as it would have without that start.
     */
    @Test
    void aLateReportStillRestartsAMemberWhoseOperatorsStartFoundItRunning() {
        try (XAB group = new XAB(3)) {
            GroupBench bench = group.bench;
            ThreadRecording x = group.x;
            GroupBench.Member y = bench.register("y", withPriority(0), // after x, before a
                    withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            y.awaitRun(1);

            group.crashAWhileBsEndIsReported(); // b's end's report holds the group's lock
            Thread firstOfX = x.thread;
            x.crash();                      // x restarts with its group, its report waits for the group's lock
            waiting().until(() -> blockedInGroup(firstOfX, "runEnded"));
            bench.supervisor.start("y");    // y is running: does nothing
            group.releaseBsEndReport();
            waiting().until(() -> Arrays.stream(firstOfX.getStackTrace())
                    .noneMatch(f -> f.getMethodName().equals("exited"))); // x's report has reached the group

            assertThat(y.run(1).isCancelled()).as("y's run, after x in REST_FOR_ONE").isTrue();
            bench.shutdownAndVerify();
        }
    }

    /**
     * docs/contract.md, Process groups, Giving up: "every member a waiting group restart would have started" ends
     * FAILED. REST_FOR_ONE t, m, n, t at its limit, n stopped by an operator. t fails (FAILED) and its thread is held
     * before its report reaches the group (in the cancellation of its watchdog's check); an operator starts n; then m
     * fails, and its group restart cancels n and holds it. t's late report gives up: that restart is given up, and n,
     * which it would have started, must not stay RESTARTING for a start that never comes.
     */
    @Test
    void aLateLimitReportFailsAMemberALaterTriggersRestartTookFromItsOperator() {
        CheckCancelGate[] gate = new CheckCancelGate[1];
        try (GroupBench bench = new GroupBench(GroupStrategy.REST_FOR_ONE,
                scheduler -> gate[0] = new CheckCancelGate(scheduler))) {
            ThreadRecording t = new ThreadRecording();
            bench.register("t", t, withPriority(0), withRestart(RestartPolicy.ALWAYS, 1, DELAY),
                    withWatchdog(GroupBench.SHUTDOWN_TIMEOUT)); // a check whose cancellation the gate can hold
            GroupBench.Member m = bench.register("m", withPriority(1), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member n = bench.register("n", withPriority(2), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();
            t.awaitRun(1);
            t.crash();                      // t's one restart, with m and n
            bench.awaitAnnouncedGroupRestarts(1);
            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            t.awaitRun(2);
            m.awaitRun(2);
            n.awaitRun(2);
            bench.supervisor.stop("n");
            waiting().until(() -> bench.snapshot("n").status() == ProcessStatus.STOPPED);

            gate[0].arm();
            Thread secondOfT = t.thread;
            t.crash();                      // t is FAILED; its thread is held before its report reaches the group
            awaitLatch(gate[0].held);
            bench.supervisor.start("n");    // from rest, after t's end
            n.awaitRun(3);
            m.crash();                      // m's group restart cancels n's run and holds n
            waiting().until(() -> n.run(3).isCancelled());
            waiting().until(() -> bench.snapshot("n").status() == ProcessStatus.RESTARTING
                    && bench.snapshot("n").totalExits() == 3);
            gate[0].release.countDown();
            waiting().until(() -> Arrays.stream(secondOfT.getStackTrace())
                    .noneMatch(f -> f.getMethodName().equals("exited"))); // t's report has reached the group

            assertThat(bench.snapshot("t").status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(bench.snapshot("m").status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(bench.snapshot("n").status()).as("n, held for the restart the group gave up")
                    .isEqualTo(ProcessStatus.FAILED);
            bench.shutdownAndVerify();
        }
    }

    /**
     * docs/contract.md, Process groups: GROUP_RESTARTING "is emitted ... once per trigger". REST_FOR_ONE a, x, b: a
     * fails, its group restart holds x and b and waits for its delay; an operator starts x (x stays one of the
     * members the restart will start). As the restart starts its members, x fails after the group found no report on
     * its way but before it reaches x: x's own group restart follows, announced, rather than x being started
     * silently without b.
     */
    @Test
    void aTriggerThatEndsAsTheRestartStartsItsMembersFollowsItAnnounced() {
        ActingClock clock = new ActingClock();
        try (GroupBench bench = new GroupBench(builder -> builder.group(GroupBench.GROUP, GroupStrategy.REST_FOR_ONE)
                .clock(clock))) {
            GroupBench.Member a = bench.register("a", withPriority(0), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            ThreadRecording x = new ThreadRecording();
            bench.register("x", x, withPriority(1), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member b = bench.register("b", withPriority(2), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();
            x.awaitRun(1);

            a.crash();                      // x and b cancelled and held
            bench.awaitAnnouncedGroupRestarts(1);
            bench.awaitOnlyTimer(DELAY);
            bench.supervisor.start("x");    // x alone, at once
            x.awaitRun(2);
            atReadIn(clock, "startMembers", () -> { // a started, x not reached yet
                x.crash();                  // x's end is settled, its report waits for the group's lock
                waiting().until(() -> blockedInGroup(x.thread, "runEnded"));
            });
            bench.scheduler.advance(DELAY);

            waiting().until(() -> bench.events.events().stream().filter(e -> e.type() == Type.GROUP_RESTARTING)
                    .count() >= 2 || x.runs() >= 3);
            List<SupervisorEvent> restarts = bench.events.events().stream()
                    .filter(e -> e.type() == Type.GROUP_RESTARTING).toList();
            assertThat(restarts).as("x restarted by a's group restart, but not announced as a trigger")
                    .extracting(SupervisorEvent::trigger).containsExactly("a", "x");
            assertThat(restarts.get(1).members()).containsExactly("x", "b");
            bench.awaitOnlyTimer(DELAY);     // x's delay
            bench.scheduler.advance(DELAY);
            x.awaitRun(3);
            a.awaitRun(2);
            waiting().until(() -> bench.snapshot("b").status() == ProcessStatus.RUNNING);
            bench.shutdownAndVerify();
            assertThat(x.runs()).isEqualTo(3);
            assertThat(bench.snapshot("x").restartCount()).as("x's restart, against its limit").isEqualTo(1);
        }
    }

    /** Runs {@code action} at the calling thread's first read of the clock inside that method of the group. */
    private static void atReadIn(ActingClock clock, String groupMethod, Runnable action) {
        atReadIn(clock, groupMethod, () -> true, action);
    }

    /**
     * Runs {@code action} at the calling thread's first read of the clock inside that method of the group at which
     * {@code when} holds.
     */
    private static void atReadIn(ActingClock clock, String groupMethod, BooleanSupplier when, Runnable action) {
        clock.onNextRead(new Runnable() {
            @Override
            public void run() {
                boolean inMethod = Arrays.stream(Thread.currentThread().getStackTrace())
                        .anyMatch(f -> f.getClassName().equals(ProcessGroup.class.getName())
                                && f.getMethodName().equals(groupMethod));
                if (inMethod && when.getAsBoolean()) {
                    action.run();
                } else {
                    clock.onNextRead(this); // an earlier read, elsewhere
                }
            }
        });
    }

    /**
     * docs/contract.md, Process groups, Registration: "A member registered while the supervisor runs starts at once;
     * during a group restart it waits (RESTARTING) and starts with the group". REST_FOR_ONE a, b; "late" registers
     * before both in start order, so that a's group restart does not cancel it. a fails while the registration is
     * starting late, after it found no group restart in progress: late must not start on its own after that group
     * restart has begun.
     */
    @Test
    void aRegistrationStartsItsMemberBeforeAGroupRestartBeginsOrWithIt() {
        ActingClock clock = new ActingClock();
        try (GroupBench bench = new GroupBench(builder -> builder.group(GroupBench.GROUP, GroupStrategy.REST_FOR_ONE)
                .clock(clock))) {
            ThreadRecording a = new ThreadRecording();
            bench.register("a", a, withPriority(1), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            GroupBench.Member b = bench.register("b", withPriority(2), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();
            a.awaitRun(1);

            // At the registering thread's read of the clock as it starts late (the run it makes), a group restart
            // begins: it is announced, or, if the registration's start holds the group's lock, a's report waits.
            atReadIn(clock, "startRegistered", () -> {
                a.crash();
                waiting().until(() -> bench.events.events().stream().anyMatch(e -> e.type() == Type.GROUP_RESTARTING)
                        || (a.thread != null && (blockedInGroup(a.thread, "runEnded")
                                || blockedInGroup(a.thread, "restartDue"))));
            });
            GroupBench.Member late = bench.register("late", withPriority(0),
                    withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            late.awaitRun(1);
            bench.awaitAnnouncedGroupRestarts(1);

            List<SupervisorEvent> events = bench.events.events();
            int lateStarting = indexOf(events, e -> "late".equals(e.processName())
                    && e.snapshot().status() == ProcessStatus.STARTING);
            int groupRestart = indexOf(events, e -> e.type() == Type.GROUP_RESTARTING);
            assertThat(lateStarting).as("late began its start (%s) after a's group restart had begun (%s), "
                    + "not waiting for it", lateStarting, groupRestart).isLessThan(groupRestart);

            bench.awaitOnlyTimer(DELAY);
            bench.scheduler.advance(DELAY);
            a.awaitRun(2);
            b.awaitRun(2);
            bench.groupRestarts();
            bench.shutdownAndVerify();
        }
    }

    private static int indexOf(List<SupervisorEvent> events, Predicate<SupervisorEvent> which) {
        for (int i = 0; i < events.size(); i++) {
            if (which.test(events.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such event in " + events);
    }

    /**
     * REST_FOR_ONE x, a, b (in start order), running: x restarts with a delay (and the given limit), a at once, b with
     * a delay. The windows above open when a fails and b's end is being reported, holding the group's lock.
     */
    private static final class XAB implements AutoCloseable {
        private CheckCancelGate gate;
        final GroupBench bench = new GroupBench(GroupStrategy.REST_FOR_ONE,
                scheduler -> gate = new CheckCancelGate(scheduler));
        final ThreadRecording x = new ThreadRecording();
        final GroupBench.Member a;
        final GroupBench.Member b;

        XAB(int xMaxRestarts) {
            bench.register("x", x, withPriority(0), withRestart(RestartPolicy.ALWAYS, xMaxRestarts, DELAY));
            a = bench.register("a", withPriority(1), withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
            b = bench.register("b", withPriority(2), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
            bench.runAll();
            x.awaitRun(1);
        }

        /** a fails; b is cancelled, and the report of its end holds the group's lock, b no longer awaited. */
        void crashAWhileBsEndIsReported() {
            gate.arm();
            a.crash();
            awaitLatch(gate.held);
        }

        void releaseBsEndReport() {
            gate.release.countDown();
        }

        @Override
        public void close() {
            bench.close();
        }
    }

    /** {@return the RESTARTING events of the process that its group's cancellation caused} */
    private static long groupRestartsOf(GroupBench bench, String process) {
        return bench.events.events().stream().filter(e -> process.equals(e.processName())
                && e.type() == Type.RESTARTING && e.reason() == ExitReason.GROUP).count();
    }

    private static void awaitLatch(CountDownLatch latch) {
        waiting().until(() -> latch.getCount() == 0);
    }
}
