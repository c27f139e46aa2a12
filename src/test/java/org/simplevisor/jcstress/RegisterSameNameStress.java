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
 * Two threads register the same name at once: the duplicate check and the insert are one step (docs/go-port.md,
 * defect 8).
 */
@JCStressTest
@Description("Concurrent register() of one name: exactly one wins, the other is told the name is in use.")
@Outcome(id = {"registered, in use, 1", "in use, registered, 1"}, expect = ACCEPTABLE,
        desc = "one registration wins; the other gets IllegalArgumentException: process name \"worker\" already in use")
@Outcome(expect = FORBIDDEN, desc = "both or neither registered, another exception, or not exactly one process")
@State
public class RegisterSameNameStress {

    private static final String IN_USE = "process name \"worker\" already in use";

    private final Supervisor supervisor = StressFixtures.newSupervisor();

    @Actor
    public void first(LLL_Result r) {
        r.r1 = register();
    }

    @Actor
    public void second(LLL_Result r) {
        r.r2 = register();
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        r.r3 = supervisor.processCount();
        supervisor.shutdown();
    }

    private String register() {
        try {
            supervisor.register("worker", ctx -> ctx.awaitCancellation());
            return "registered";
        } catch (IllegalArgumentException e) {
            return IN_USE.equals(e.getMessage()) ? "in use" : e.toString();
        } catch (RuntimeException e) {
            return e.toString();
        }
    }
}
