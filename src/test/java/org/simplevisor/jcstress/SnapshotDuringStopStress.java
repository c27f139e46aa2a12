package org.simplevisor.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.simplevisor.Supervisor;

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

    private final Supervisor supervisor = StressFixtures.newSupervisor();
    private final StressFixtures.Worker worker = new StressFixtures.Worker();

    public SnapshotDuringStopStress() {
        supervisor.register("worker", worker);
        supervisor.run(); // STARTING now; RUNNING once the executor's thread takes the run
    }

    @Actor
    public void stop() {
        supervisor.stop("worker");
    }

    @Actor
    public void read(LLL_Result r) {
        r.r1 = StressFixtures.describe(supervisor.snapshot("worker"));
        r.r2 = supervisor.status("worker");
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        supervisor.shutdown();
        r.r3 = worker.afterShutdown(supervisor, "worker");
    }
}
