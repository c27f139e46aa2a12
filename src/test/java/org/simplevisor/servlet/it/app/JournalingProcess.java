package org.simplevisor.servlet.it.app;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.servlet.it.ItJournal;

/** Runs until cancelled, and journals its life: construction, each run, its thread, its end, its destruction. */
public abstract class JournalingProcess implements SupervisedProcess {

    @PostConstruct
    void constructed() {
        ItJournal.record("postConstruct:" + getClass().getSimpleName());
    }

    @PreDestroy
    void destroyed() {
        ItJournal.record("preDestroy:" + getClass().getSimpleName());
    }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        Thread thread = Thread.currentThread();
        ItJournal.record("tccl:" + ctx.name() + ":" + (thread.getContextClassLoader() == getClass().getClassLoader()));
        ItJournal.record("thread:" + ctx.name() + ":" + thread.getClass().getName() + ":" + thread.getId());
        ItJournal.record("run:" + ctx.name());
        try {
            ctx.awaitCancellation();
        } finally {
            ItJournal.record("end:" + ctx.name());
        }
    }
}
