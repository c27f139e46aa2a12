package org.simplevisor;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.jspecify.annotations.Nullable;

/** How the supervisor cancels what it put on a scheduler. */
final class Timers {

    private Timers() {
    }

    /**
     * Cancels a timer without interrupting it if it runs, and takes it off the scheduler's queue: a
     * {@link ScheduledThreadPoolExecutor} the user passed in keeps a cancelled task queued until it would have fallen
     * due unless its remove-on-cancel policy is set, which would pile up a watchdog check and a take-check per run of
     * a crash loop.
     *
     * @param scheduler where the timer was scheduled
     * @param timer     the timer, or {@code null} for none
     */
    static void cancel(ScheduledExecutorService scheduler, @Nullable Future<?> timer) {
        if (timer != null && timer.cancel(false) && scheduler instanceof ScheduledThreadPoolExecutor queue
                && !queue.getRemoveOnCancelPolicy() && timer instanceof Runnable task) {
            queue.remove(task);
        }
    }
}
