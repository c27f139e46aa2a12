package org.simplevisor.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;

/**
 * A process whose first run throws once a latch is released (a group member failing only after its siblings have
 * begun), and whose later runs wait for their cancellation.
 */
public final class FirstRunFails implements SupervisedProcess {

    private final AtomicInteger runs = new AtomicInteger();
    private final CountDownLatch mayFail;
    private final Supplier<? extends Exception> failure;

    /**
     * @param mayFail the latch the first run waits for before it throws
     * @param failure what it throws: a checked exception fails the run, a runtime exception crashes it
     */
    public FirstRunFails(CountDownLatch mayFail, Supplier<? extends Exception> failure) {
        this.mayFail = mayFail;
        this.failure = failure;
    }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        if (runs.incrementAndGet() == 1) {
            mayFail.await();
            throw failure.get();
        }
        ctx.awaitCancellation();
    }

    /** {@return how many runs have begun} */
    public int runs() {
        return runs.get();
    }
}
