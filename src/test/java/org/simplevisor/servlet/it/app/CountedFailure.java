package org.simplevisor.servlet.it.app;

import java.io.IOException;
import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.servlet.it.ItJournal;

/** Fails at once with a checked exception; the journal counts its runs on a thread ({@link ItJournal#running}). */
public class CountedFailure implements SupervisedProcess {

    @Override
    public void run(ProcessContext ctx) throws IOException {
        ItJournal.runBegins(ctx.name());
        try {
            throw new IOException("the upstream is down");
        } finally {
            ItJournal.runEnds(ctx.name());
        }
    }
}
