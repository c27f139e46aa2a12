package org.simplevisor.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLLL_Result;
import org.simplevisor.GroupStrategy;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;

/**
 * A ONE_FOR_ALL group restart, triggered by one member's failure, racing an operator's stop of the other member:
 * whichever comes first, the stop wins (the stopped member is not restarted by the group), the trigger runs again,
 * no member ever runs twice at once, and the shutdown afterwards leaves both STOPPED with no run in progress.
 */
@JCStressTest
@Description("A group restart racing an operator's stop of a member: the stop wins, never two runs of one member.")
@Outcome(id = "RUNNING/1, STOPPED/0, 1/1 at most, STOPPED/0 STOPPED/0", expect = ACCEPTABLE,
        desc = "the trigger restarted, the stopped member stayed stopped")
@Outcome(expect = FORBIDDEN, desc = "the group restarted a stopped member, two runs of one member at once, a process"
        + " that did not settle, or a run left after shutdown")
@State
public class GroupRestartRacingStopStress {

    private static final String GROUP = "pipeline";

    private final Supervisor supervisor = StressFixtures.newSupervisor(GROUP, GroupStrategy.ONE_FOR_ALL);
    private final StressFixtures.Worker trigger = new StressFixtures.Worker();
    private final StressFixtures.Worker sibling = new StressFixtures.Worker();
    private final CountDownLatch fail = new CountDownLatch(1);

    public GroupRestartRacingStopStress() {
        AtomicBoolean firstRun = new AtomicBoolean(true);
        supervisor.register("trigger", ctx -> {
            if (firstRun.getAndSet(false)) {
                fail.await();
                throw new Exception("the feed closed");
            }
            trigger.run(ctx);
        }, ProcessOption.inGroup(GROUP), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO));
        supervisor.register("sibling", sibling, ProcessOption.inGroup(GROUP),
                ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        supervisor.run();
        sibling.settle(supervisor, "sibling"); // running, so that the group has a run to cancel
    }

    @Actor
    public void fail() {
        fail.countDown();
    }

    @Actor
    public void stop() {
        supervisor.stop("sibling");
    }

    @Arbiter
    public void arbiter(LLLL_Result r) {
        r.r1 = StressFixtures.describe(trigger.settle(supervisor, "trigger"));
        r.r2 = StressFixtures.describe(sibling.settle(supervisor, "sibling"));
        r.r3 = trigger.mostAtOnce() + "/" + sibling.mostAtOnce() + " at most";
        supervisor.shutdown();
        r.r4 = trigger.afterShutdown(supervisor, "trigger") + " " + sibling.afterShutdown(supervisor, "sibling");
    }
}
