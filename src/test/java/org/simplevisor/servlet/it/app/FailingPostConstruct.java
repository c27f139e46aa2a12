package org.simplevisor.servlet.it.app;

import jakarta.annotation.PostConstruct;
import java.io.IOException;
import org.simplevisor.ProcessContext;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.servlet.it.ItJournal;

/** Found by annotation; its {@code @PostConstruct} throws a checked exception. */
@Supervised(name = "failingInit")
public class FailingPostConstruct implements SupervisedProcess {

    @PostConstruct
    void loadCache() throws IOException {
        throw new IOException("cache file missing");
    }

    @Override
    public void run(ProcessContext ctx) {
        ItJournal.record("run:" + ctx.name());
    }
}
