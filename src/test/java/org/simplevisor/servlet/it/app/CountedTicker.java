package org.simplevisor.servlet.it.app;

import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.servlet.it.ItJournal;

/** Runs until cancelled; the journal counts its runs on a thread ({@link ItJournal#running}). */
public class CountedTicker implements SupervisedProcess {

    @Override
    public void run(ProcessContext ctx) throws InterruptedException {
        ItJournal.runBegins(ctx.name());
        try {
            ctx.awaitCancellation();
        } finally {
            ItJournal.runEnds(ctx.name());
        }
    }
}
