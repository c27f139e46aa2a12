package org.simplevisor.servlet.it.app;

import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.servlet.it.ItJournal;

/** Declared in web.xml; its static initializer throws, when the class is first constructed. */
public class BrokenStaticInitializer implements SupervisedProcess {

    static final String ENDPOINT = endpoint();

    private static String endpoint() {
        throw new IllegalArgumentException("endpoint not configured");
    }

    @Override
    public void run(ProcessContext ctx) {
        ItJournal.record("run:" + ctx.name() + ":" + ENDPOINT);
    }
}
