package org.simplevisor.testing;

import java.util.concurrent.CountDownLatch;
import org.simplevisor.SupervisedProcess;

/** A process that ignores its cancellation and every interrupt, and returns only once its latch is released. */
public final class DeafProcess {

    private DeafProcess() {
    }

    /** {@return a process that waits for {@code release}, deaf to cancellation} */
    public static SupervisedProcess until(CountDownLatch release) {
        return ctx -> awaitIgnoringInterrupts(release);
    }

    /** Waits for {@code release}, going on waiting after every interrupt. */
    public static void awaitIgnoringInterrupts(CountDownLatch release) {
        while (true) {
            try {
                release.await();
                return;
            } catch (InterruptedException ignored) {
                // deliberately deaf to cancellation
            }
        }
    }
}
