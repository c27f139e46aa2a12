package org.simplevisor.servlet.it.lib;

import org.simplevisor.ProcessContext;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.servlet.it.ItJournal;

/** Packaged in a JAR in WEB-INF/lib. */
@Supervised(name = "fromJar")
public class JarTicker implements SupervisedProcess {

    @Override
    public void run(ProcessContext ctx) throws InterruptedException {
        ItJournal.record("tccl:" + ctx.name() + ":"
                + (Thread.currentThread().getContextClassLoader() == getClass().getClassLoader()));
        ItJournal.record("run:" + ctx.name());
        try {
            ctx.awaitCancellation();
        } finally {
            ItJournal.record("end:" + ctx.name());
        }
    }
}
