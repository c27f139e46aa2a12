package org.simplevisor;

/**
 * The interrupts of a thread doing work that must finish whatever interrupts it, such as a shutdown: each wait runs
 * to its own deadline, an interrupt on the way is noted and the wait resumed, and {@link #restore()} sets the
 * thread's interrupt status again once the work is done.
 */
final class DeferredInterrupts {

    /** A wait bounded by a deadline of its own, so that it can be resumed after an interrupt. */
    @FunctionalInterface
    interface DeadlineWait {
        /** {@return whether what was waited for happened before the deadline} */
        boolean await() throws InterruptedException;
    }

    private boolean interrupted;

    /** {@return what {@code wait} returns}, having resumed it after every interrupt */
    boolean await(DeadlineWait wait) {
        while (true) {
            try {
                return wait.await();
            } catch (InterruptedException e) {
                interrupted = true; // the status is clear now, so the resumed wait does not throw at once
            }
        }
    }

    /** Clears the calling thread's interrupt status, and notes it if it was set. */
    void defer() {
        interrupted |= Thread.interrupted();
    }

    /** Sets the calling thread's interrupt status again if an interrupt was noted. */
    void restore() {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
