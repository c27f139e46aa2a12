package org.simplevisor.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;
import static org.simplevisor.jcstress.StressFixtures.WORKER;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

/**
 * An operator's restart() and stop() of one process at once, while its first run may still be starting: the process
 * settles RUNNING (the restart came last) or STOPPED (the stop came last), never with two runs at once, and the
 * shutdown afterwards leaves it STOPPED with no run in progress.
 */
@JCStressTest
@Description("restart() racing stop() on one process: settles RUNNING or STOPPED, never two runs at once.")
@Outcome(id = "RUNNING/1, 1 at most, STOPPED/0", expect = ACCEPTABLE, desc = "the restart came last")
@Outcome(id = "STOPPED/0, 1 at most, STOPPED/0", expect = ACCEPTABLE, desc = "the stop came last")
@Outcome(id = "STOPPED/0, 0 at most, STOPPED/0", expect = ACCEPTABLE,
        desc = "the stop dropped the first run before it began, and the restart was a no-op on that waiting run")
@Outcome(expect = FORBIDDEN, desc = "two runs at once, a process that did not settle, or a run left after shutdown")
@State
public class StopRacingRestartStress {

    private final StressFixtures.RunningWorker process = new StressFixtures.RunningWorker();

    @Actor
    public void restart() {
        process.supervisor.restart(WORKER);
    }

    @Actor
    public void stop() {
        process.supervisor.stop(WORKER);
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        r.r1 = process.settled();
        r.r2 = process.mostAtOnce();
        r.r3 = process.shutDown();
    }
}
