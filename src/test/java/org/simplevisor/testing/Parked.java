package org.simplevisor.testing;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Waits until a run's thread is parked, as in {@code ctx.awaitCancellation()}: a cancellation that comes then wakes
 * it without an interrupt, while one that comes before (the thread on its way there) interrupts it. A test of the
 * wake-up must cancel only once this returns.
 */
public final class Parked {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private Parked() {
    }

    /** Waits until {@code thread} is WAITING or TIMED_WAITING. */
    public static void await(Thread thread) {
        Awaitility.await().atMost(WAIT).until(() -> thread.getState() == Thread.State.WAITING
                || thread.getState() == Thread.State.TIMED_WAITING);
    }

    /** Waits for the thread the future gives, then until it is parked. */
    public static void await(CompletableFuture<Thread> thread) throws Exception {
        await(thread.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }
}
