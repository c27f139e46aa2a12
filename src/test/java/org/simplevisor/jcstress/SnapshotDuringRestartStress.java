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
import org.openjdk.jcstress.infra.results.LLLL_Result;

/**
 * A query while an operator restarts a process that is starting or running: the run is cancelled and a new one
 * started once it has ended (RUNNING → STARTING → RUNNING), so a snapshot is STARTING with no run in progress or
 * RUNNING with one, never STOPPED or torn; the process settles RUNNING, with one or two runs begun, never two at once.
 */
@JCStressTest
@Description("snapshot() while restart() cancels and starts again: never a torn snapshot, never STOPPED.")
@Outcome(id = {"STARTING/0, RUNNING/1, 1 at most, STOPPED/0", "RUNNING/1, RUNNING/1, 1 at most, STOPPED/0"},
        expect = ACCEPTABLE, desc = "read between two runs, or during one; settled in a new or the first run")
@Outcome(expect = FORBIDDEN, desc = "a torn snapshot, a restart that showed STOPPED or did not settle RUNNING, two "
        + "runs at once, or a run left after shutdown")
@State
public class SnapshotDuringRestartStress {

    private final StressFixtures.RunningWorker process = new StressFixtures.RunningWorker();

    @Actor
    public void restart() {
        process.supervisor.restart(WORKER);
    }

    @Actor
    public void read(LLLL_Result r) {
        r.r1 = StressFixtures.describe(process.supervisor.snapshot(WORKER));
    }

    @Arbiter
    public void arbiter(LLLL_Result r) {
        r.r2 = process.settled();
        r.r3 = process.mostAtOnce();
        r.r4 = process.shutDown();
    }
}
