package org.simplevisor.cluster;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.simplevisor.testing.DeafProcess;

/**
 * A real {@code DataSource} whose next borrow can be made to hang, as a borrow from an exhausted pool without a
 * borrow timeout, or a connection whose socket never answers: {@link #hangNextBorrow()} makes the next
 * {@code getConnection} wait, deaf to interrupts, until {@link #release()}. Later borrows answer at once.
 */
public final class HangingDataSource extends DelegatingDataSource {

    private final AtomicInteger hanging = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean hangNext;

    public HangingDataSource(DataSource target) {
        super(target);
    }

    /** Makes the next borrow hang until {@link #release()}. */
    public void hangNextBorrow() {
        hangNext = true;
    }

    /** {@return how many borrows hang now} */
    public int hanging() {
        return hanging.get();
    }

    /** Lets every hanging borrow go on, to the database. */
    public void release() {
        released.countDown();
    }

    @Override
    protected void beforeBorrow() {
        synchronized (this) {
            if (!hangNext) {
                return;
            }
            hangNext = false;
        }
        hanging.incrementAndGet();
        try {
            DeafProcess.awaitIgnoringInterrupts(released);
        } finally {
            hanging.decrementAndGet();
        }
    }
}
