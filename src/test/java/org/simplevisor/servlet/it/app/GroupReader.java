package org.simplevisor.servlet.it.app;

import java.io.IOException;
import java.time.Duration;
import org.simplevisor.ProcessContext;
import org.simplevisor.servlet.it.ItJournal;

/**
 * Declared in web.xml as a member of a group: its first run fails once the processor's first run has begun, which
 * restarts the group; later runs run until cancelled.
 */
public class GroupReader extends JournalingProcess {

    @Override
    public void run(ProcessContext ctx) throws Exception {
        if (ItJournal.count("run:" + ctx.name()) == 0) {
            ItJournal.record("run:" + ctx.name());
            if (!ItJournal.awaitEntry("run:processor", Duration.ofSeconds(10))) {
                throw new IllegalStateException("the processor never ran");
            }
            throw new IOException("the feed closed");
        }
        super.run(ctx);
    }
}
