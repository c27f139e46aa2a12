package org.simplevisor.servlet.it.app;

import jakarta.annotation.Priority;
import org.simplevisor.ProcessContext;
import org.simplevisor.RestartPolicy;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.Supervised;
import org.simplevisor.servlet.it.ItJournal;

/** Fails every run. Its annotation says: never restart; web.xml says otherwise. */
@Supervised(name = "overridden", restart = RestartPolicy.NEVER, maxRestarts = 5, restartDelay = "10s")
@Priority(7)
public class OverriddenProcess implements SupervisedProcess {

    @Override
    public void run(ProcessContext ctx) throws Exception {
        ItJournal.record("run:" + ctx.name());
        throw new Exception("planned failure");
    }
}
