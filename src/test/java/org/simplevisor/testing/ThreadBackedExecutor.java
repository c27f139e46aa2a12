package org.simplevisor.testing;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Base of test executors that intercept {@link #execute(Runnable)} (to record, hold or reorder tasks) and run the
 * tasks on a cached pool of real threads, whose life cycle they delegate to.
 */
public abstract class ThreadBackedExecutor extends AbstractExecutorService {

    /** Where intercepted tasks finally run. */
    protected final ExecutorService threads = Executors.newCachedThreadPool();

    @Override
    public void shutdown() {
        threads.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return threads.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return threads.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return threads.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return threads.awaitTermination(timeout, unit);
    }
}
