package org.simplevisor.servlet.it;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * A container's executor whose hand-over waits interruptibly, like one that hands tasks over through a bounded
 * queue's {@code put}: a caller whose thread is interrupted is refused, so any interrupt that reaches the thread
 * calling {@code execute} becomes a refused run.
 */
public final class InterruptSensitiveExecutor extends RecordingExecutor {

    private final Semaphore handOff = new Semaphore(1);

    @Override
    public void execute(Runnable command) {
        try {
            handOff.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException("interrupted while handing the task over", e);
        }
        try {
            super.execute(command);
        } finally {
            handOff.release();
        }
    }
}
