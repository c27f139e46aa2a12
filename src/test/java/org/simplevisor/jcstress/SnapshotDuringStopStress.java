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
 * Queries while a process goes STARTING → RUNNING (on the executor's thread) and an operator stops it. A snapshot is
 * taken without locking, so it must still be of one moment: RUNNING exactly when one run has started and not exited;
 * and a later query never goes back (a stopped process does not run again on its own).
 */
@JCStressTest
@Description("snapshot() then status() while a starting process is stopped: never a torn snapshot, never backwards.")
@Outcome(id = "STARTING/0, STARTING, STOPPED/0", expect = ACCEPTABLE, desc = "read before the run began")
@Outcome(id = "STARTING/0, RUNNING, STOPPED/0", expect = ACCEPTABLE, desc = "the run began between the reads")
@Outcome(id = "STARTING/0, STOPPED, STOPPED/0", expect = ACCEPTABLE, desc = "stopped between the reads")
@Outcome(id = "RUNNING/1, RUNNING, STOPPED/0", expect = ACCEPTABLE, desc = "read while running")
@Outcome(id = "RUNNING/1, STOPPED, STOPPED/0", expect = ACCEPTABLE, desc = "stopped between the reads")
@Outcome(id = "STOPPED/0, STOPPED, STOPPED/0", expect = ACCEPTABLE,
        desc = "read after the stop: the waiting start was dropped, or the run ended")
@Outcome(expect = FORBIDDEN, desc = "a torn snapshot (status and counters of different moments), a status going "
        + "backwards, or a run left after shutdown")
@State
public class SnapshotDuringStopStress {

    private final StressFixtures.RunningWorker process = new StressFixtures.RunningWorker();

    @Actor
    public void stop() {
        process.supervisor.stop(WORKER);
    }

    @Actor
    public void read(LLL_Result r) {
        r.r1 = StressFixtures.describe(process.supervisor.snapshot(WORKER));
        r.r2 = process.supervisor.status(WORKER);
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        r.r3 = process.shutDown();
    }
}
