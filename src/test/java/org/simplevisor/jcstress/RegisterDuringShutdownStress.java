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
 * A registration on a running supervisor (which starts the process at once) races its shutdown: either the process
 * is registered and then stopped by the shutdown, or the registration is refused; never a process left running, a
 * run still in progress after shutdown returned, or a process half registered.
 */
@JCStressTest
@Description("register() racing shutdown(): registered and stopped, or IllegalStateException; nothing left running.")
@Outcome(id = "registered, STOPPED/0, 0 active", expect = ACCEPTABLE,
        desc = "registered first: the shutdown stopped it (whether or not its run had begun)")
@Outcome(id = "shut down, absent, 0 active", expect = ACCEPTABLE,
        desc = "shutdown first: IllegalStateException \"supervisor ... has been shut down\", nothing registered")
@Outcome(expect = FORBIDDEN, desc = "a process left running or half registered, or another exception")
@State
public class RegisterDuringShutdownStress {

    private final Supervisor supervisor = StressFixtures.newSupervisor();
    private final StressFixtures.Worker worker = new StressFixtures.Worker();

    public RegisterDuringShutdownStress() {
        supervisor.run();
    }

    @Actor
    public void register(LLL_Result r) {
        try {
            supervisor.register("late", worker);
            r.r1 = "registered";
        } catch (IllegalStateException e) {
            r.r1 = e.getMessage().endsWith("has been shut down") ? "shut down" : e.toString();
        } catch (RuntimeException e) {
            r.r1 = e.toString();
        }
    }

    @Actor
    public void shutdown() {
        supervisor.shutdown();
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        // shutdown() has returned: no run may be in progress, and the process, if there, must be STOPPED.
        r.r2 = supervisor.processCount() == 0 ? "absent" : StressFixtures.describe(supervisor.snapshot("late"));
        r.r3 = worker.active() + " active";
    }
}
