package org.simplevisor.servlet.unloadable;

import org.simplevisor.ProcessContext;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;

/** A process whose {@code noRestartOn} names a class the web application does not have. */
@Supervised(name = "no-restart-on-missing", noRestartOn = MissingFailure.class)
public class NoRestartOnMissing implements SupervisedProcess {
    @Override
    public void run(ProcessContext ctx) {
    }
}
