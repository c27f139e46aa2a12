package org.simplevisor.testing;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Numbers the tasks in the order they are submitted, then runs each on a real thread that knows its number; counts
 * those that have not finished.
 */
public final class SubmissionOrderExecutor extends ThreadBackedExecutor {

    private static final ThreadLocal<Integer> INDEX = new ThreadLocal<>();
    private final AtomicInteger submissions = new AtomicInteger();
    private final AtomicInteger unfinished = new AtomicInteger();

    @Override
    public void execute(Runnable task) {
        int index = submissions.getAndIncrement();
        unfinished.incrementAndGet(); // at submission: a task that submits another never leaves a moment with none
        threads.execute(() -> {
            INDEX.set(index);
            try {
                task.run();
            } finally {
                INDEX.remove();
                unfinished.decrementAndGet();
            }
        });
    }

    /** {@return the place (0-based) in the submission order of the task the current thread runs} */
    public static int indexOfCurrentTask() {
        return INDEX.get();
    }

    /** {@return how many tasks have been submitted} */
    public int submitted() {
        return submissions.get();
    }

    /** {@return how many tasks have been submitted and have not finished} */
    public int unfinished() {
        return unfinished.get();
    }
}
