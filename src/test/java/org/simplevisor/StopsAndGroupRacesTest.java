package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.simplevisor.ProcessOption.inGroup;
import static org.simplevisor.ProcessOption.withRestart;
import static org.simplevisor.ProcessOption.withWatchdog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.simplevisor.SupervisorEvent.Type;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ScriptedProcess;
import org.simplevisor.testing.ThreadBackedExecutor;

/**
 * Operators' stops, group restarts and shutdown racing each other: a stop holds whatever cancelled the run first,
 * a trigger's restart counts against its limit however the group takes it over, and shutdown does not wait for a
 * member its group gave up on.
 */
class StopsAndGroupRacesTest {

    private static final Duration DELAY = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RecordingListener events = new RecordingListener();
    private final List<Supervisor> supervisors = new ArrayList<>();
    private final List<CountDownLatch> releases = new ArrayList<>();
    private final GatedExecutor executor = new GatedExecutor();

    @AfterEach
    void tearDown() {
        releases.forEach(CountDownLatch::countDown);
        executor.open();
        supervisors.forEach(Supervisor::shutdown);
        executor.shutdownNow();
    }

    private Supervisor.Builder builder() {
        return Supervisor.builder().name("races").clock(clock).scheduler(scheduler).executor(executor)
                .shutdownTimeout(WAIT).listener(events);
    }

    private Supervisor track(Supervisor supervisor) {
        supervisors.add(supervisor);
        return supervisor;
    }

    /** Its first run ignores its cancellation (and interrupts) until released; later runs await cancellation. */
    private final class Stubborn implements SupervisedProcess {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger runs = new AtomicInteger();

        Stubborn() {
            releases.add(release);
        }

        @Override
        public void run(ProcessContext ctx) throws InterruptedException {
            if (runs.incrementAndGet() > 1) {
                ctx.awaitCancellation();
                return;
            }
            while (true) {
                try {
                    release.await();
                    return;
                } catch (InterruptedException ignored) {
                    // ignores its cancellation
                }
            }
        }
    }

    /** Holds the tasks submitted while closed; runs them when opened. */
    private static final class GatedExecutor extends ThreadBackedExecutor {
        private final List<Runnable> held = new ArrayList<>();
        private boolean closed;

        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                if (closed) {
                    held.add(task);
                    return;
                }
            }
            threads.execute(task);
        }

        synchronized void close() {
            closed = true;
        }

        synchronized int held() {
            return held.size();
        }

        void open() {
            List<Runnable> release;
            synchronized (this) {
                closed = false;
                release = new ArrayList<>(held);
                held.clear();
            }
            release.forEach(threads::execute);
        }
    }

    private void awaitGroupRestarts(int n) {
        await().atMost(WAIT).until(() -> events.events().stream()
                .filter(e -> e.type() == Type.GROUP_RESTARTING).count() >= n);
    }

    // ------------------------------------------------------------------------------------------------------------

    /**
     * docs/contract.md: stop(name) cancels its run and "it becomes STOPPED when the run ends". A run the watchdog
     * cancelled (hung) and that is still winding down when the operator stops it is restarted by its policy anyway:
     * the stop's cancellation is dropped because the run is already cancelled (cause WATCHDOG), and nothing else
     * records it.
     */
    @Test
    void anOperatorsStopOfAHungRunThatIsStillEndingKeepsItStopped() {
        Supervisor supervisor = track(builder().build());
        Stubborn hung = new Stubborn();
        supervisor.register("p", hung, withRestart(RestartPolicy.ALWAYS, 3, DELAY),
                withWatchdog(Duration.ofSeconds(5)));
        supervisor.run();
        await().atMost(WAIT).until(() -> hung.runs.get() == 1);
        scheduler.advance(Duration.ofSeconds(5)); // the watchdog: HUNG, the run is cancelled but does not end yet
        events.await("p", Type.HUNG);

        supervisor.stop("p");
        hung.release.countDown();
        SupervisorEvent end = events.awaitCount("p", Type.FAILED, 1).get(0);
        scheduler.advance(DELAY.multipliedBy(5));

        assertThat(hung.runs.get()).as("runs after the operator's stop").isEqualTo(1);
        assertThat(end.snapshot().status()).as("status at the run's end").isEqualTo(ProcessStatus.STOPPED);
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STOPPED);
    }

    /**
     * docs/contract.md, Process groups: "A member at rest (STOPPED, FAILED, or being stopped by an operator) is left
     * alone and not restarted" and "stop(name) of a member during a group restart keeps it STOPPED: the group does not
     * start it". REST_FOR_ONE x, a, b: a fails, the group cancels b, which is slow to end; the operator stops b; then
     * x fails, and its group restart takes b in again (b's run counts as "being stopped by an operator" only when the
     * operator's cancellation was the first), so the group restarts b.
     */
    @Test
    void aMemberStoppedByAnOperatorWhileItsGroupCancelledRunEndsIsNotRestartedByASecondTrigger() {
        Supervisor supervisor = track(builder().group("g", GroupStrategy.REST_FOR_ONE).build());
        ScriptedProcess x = new ScriptedProcess();
        ScriptedProcess a = new ScriptedProcess();
        Stubborn b = new Stubborn();
        supervisor.register("x", x, inGroup("g"), withRestart(RestartPolicy.ON_FAILURE, 3, DELAY));
        supervisor.register("a", a, inGroup("g"), withRestart(RestartPolicy.ON_FAILURE, 3, DELAY));
        supervisor.register("b", b, inGroup("g"), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
        supervisor.run();
        x.awaitRun(1);
        a.awaitRun(1);
        await().atMost(WAIT).until(() -> b.runs.get() == 1);

        a.fail(); // the group cancels b, which does not end yet
        events.await("a", Type.RESTARTING);
        await().atMost(WAIT).until(() -> scheduler.pendingTasks() == 1); // the check of b's end
        supervisor.stop("b");
        x.fail(); // a second trigger, whose scope (a, b) includes b
        events.await("x", Type.RESTARTING);
        awaitGroupRestarts(2);
        b.release.countDown();
        events.await("b", Type.STOPPED);
        // b's end reaches its group after its STOPPED event: only then is the group's timer set
        await().atMost(WAIT).until(() -> scheduler.pendingTasks() == 1 && DELAY.equals(scheduler.nextDelay()));
        scheduler.advance(DELAY);
        x.awaitRun(2);
        a.awaitRun(2);
        scheduler.advance(DELAY.multipliedBy(5));

        assertThat(b.runs.get()).as("runs of b after the operator stopped it").isEqualTo(1);
        assertThat(supervisor.status("b")).isEqualTo(ProcessStatus.STOPPED);
    }

    /**
     * docs/contract.md, Process groups: the restart counts against the trigger's limit; "A trigger whose run ends
     * while a group restart is still waiting joins it: each trigger's restart counts against its own limit".
     * REST_FOR_ONE x, a; a (ON_FAILURE, at most 1 restart, no delay) fails: its group restart submits its restart. x
     * fails before that run has begun: x's group restart drops a's restart and holds a as a mere member, so a's
     * restart is counted outside its limit. a then fails again and again without ever exceeding its limit of 1.
     */
    @Test
    void aTriggersRestartTakenOverBeforeItBeganStillCountsAgainstItsLimit() {
        Supervisor supervisor = track(builder().group("g", GroupStrategy.REST_FOR_ONE).build());
        ScriptedProcess x = new ScriptedProcess();
        ScriptedProcess a = new ScriptedProcess();
        supervisor.register("x", x, inGroup("g"), withRestart(RestartPolicy.ON_FAILURE, 5, DELAY));
        supervisor.register("a", a, inGroup("g"), withRestart(RestartPolicy.ON_FAILURE, 1, Duration.ZERO));
        supervisor.run();
        x.awaitRun(1);
        a.awaitRun(1);

        executor.close();
        a.fail(); // restarted with its group at once: the run is submitted (held by the executor), not begun
        await().atMost(WAIT).until(() -> executor.held() == 1);
        x.fail(); // its group restart takes a in
        awaitGroupRestarts(2);
        executor.open();
        await().atMost(WAIT).until(() -> scheduler.pendingTasks() == 1);
        scheduler.advance(DELAY);
        x.awaitRun(2);
        a.awaitRun(2);
        events.awaitCount("a", Type.STARTED, 2);
        assertThat(supervisor.snapshot("a").restartCount()).as("a's restart after its failure, against its limit")
                .isEqualTo(1);

        a.fail(); // beyond its limit of one restart
        events.awaitCount("a", Type.FAILED, 2);
        // RESTART_LIMIT_EXCEEDED follows FAILED in the stream, and reaches the listener only after it (and after the
        // listeners before it, such as the logger): wait for it rather than count it as soon as FAILED is in
        events.awaitCount("a", Type.RESTART_LIMIT_EXCEEDED, 1);
        assertThat(events.count("a", Type.RESTART_LIMIT_EXCEEDED)).isEqualTo(1);
    }

    /**
     * docs/contract.md, Process groups: a member the group abandoned (it outlived the stop timeout) "Shutdown neither
     * waits for it nor reports it again" (GroupRestartTest.aStuckMemberIsNotWaitedForAgainAtShutdown checks it on a
     * test executor only). On the supervisor's own threads (the default executor) shutdown joined that thread until
     * its deadline: it always took the whole shutdown timeout, here an hour.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aStuckMemberIsNotWaitedForAgainAtShutdownOnTheSupervisorsOwnThreads(boolean virtualThreads) {
        assumeTrue(!virtualThreads || Runtime.version().feature() >= 21, "virtual threads need Java 21");
        Duration timeout = Duration.ofHours(1); // also the group's stop timeout, which the manual scheduler passes
        Supervisor supervisor = track(Supervisor.builder().name("races").clock(clock).scheduler(scheduler)
                .virtualThreads(virtualThreads).shutdownTimeout(timeout).listener(events)
                .group("g", GroupStrategy.ONE_FOR_ALL).build());
        ScriptedProcess a = new ScriptedProcess();
        Stubborn b = new Stubborn();
        supervisor.register("a", a, inGroup("g"), withRestart(RestartPolicy.ON_FAILURE, 3, DELAY));
        supervisor.register("b", b, inGroup("g"), withRestart(RestartPolicy.ALWAYS, 3, DELAY));
        supervisor.run();
        a.awaitRun(1);
        await().atMost(WAIT).until(() -> b.runs.get() == 1);
        a.fail();
        await().atMost(WAIT).until(() -> scheduler.pendingTasks() == 1); // the check of b's end
        scheduler.advance(timeout);
        events.await("b", Type.SHUTDOWN_TIMEOUT);

        assertTimeoutPreemptively(WAIT, supervisor::shutdown, "shutdown waited for the member its group abandoned");
        assertThat(events.count("b", Type.SHUTDOWN_TIMEOUT)).as("reported once, by its group").isEqualTo(1);
        b.release.countDown();
    }
}
