package org.simplevisor.servlet.it.app;

import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.servlet.it.ItJournal;

/** Declared in web.xml; its constructor throws. */
public class BrokenConstructor implements SupervisedProcess {

    public BrokenConstructor() {
        throw new IllegalStateException("no licence key");
    }

    @Override
    public void run(ProcessContext ctx) {
        ItJournal.record("run:" + ctx.name());
    }
}
