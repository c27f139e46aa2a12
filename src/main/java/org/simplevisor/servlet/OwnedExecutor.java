package org.simplevisor.servlet;

import jakarta.enterprise.concurrent.ManagedExecutorService;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.glassfish.concurro.AbstractManagedExecutorService.RejectPolicy;
import org.glassfish.concurro.ManagedExecutorServiceImpl;
import org.glassfish.concurro.ManagedThreadFactoryImpl;
import org.glassfish.concurro.spi.ContextHandle;
import org.simplevisor.OwnedThreads;

/**
 * A {@link ManagedExecutorService} of the Jakarta Concurrency reference implementation (concurro), for a
 * container that has none (Tomcat): created and owned by the listener, one thread per running process, and shut
 * down on context destroy with every one of its threads joined, so that the container sees no thread left behind.
 */
final class OwnedExecutor {

    private static final Logger LOG = LogManager.getLogger(OwnedExecutor.class);
    private static final long KEEP_ALIVE_SECONDS = 60;

    private final TrackingThreadFactory factory;
    private final OwnedThreads threads;
    private final ManagedExecutorServiceImpl executor;

    /**
     * Creates the executor; it starts threads as runs come.
     *
     * @param name the executor's name; its threads are {@code <name>-Thread-<n>}
     */
    OwnedExecutor(String name) {
        threads = new OwnedThreads(name + "-Thread-", false); // only tracks the threads concurro makes
        factory = new TrackingThreadFactory(name, threads);
        // No hung-task detection (runs are long on purpose), no core threads, direct hand-off: a thread per run.
        executor = new ManagedExecutorServiceImpl(name, factory, 0, true, 0, Integer.MAX_VALUE,
                KEEP_ALIVE_SECONDS, TimeUnit.SECONDS, 0, 0, null, RejectPolicy.ABORT);
    }

    /** {@return the executor} */
    ManagedExecutorService executor() {
        return executor;
    }

    /**
     * Shuts the executor down, interrupts what still runs on it, and joins every thread it made.
     *
     * @param deadlineNanos when to stop waiting, in {@link System#nanoTime()} terms
     * @return whether every thread has ended
     */
    boolean shutdown(long deadlineNanos) {
        executor.shutdownNow();
        factory.stop();
        try {
            executor.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (threads.joinAll(deadlineNanos)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Thread> alive = threads.alive();
        if (alive.isEmpty()) {
            return true;
        }
        LOG.warn("{} executor thread(s) did not end in time: {}", alive.size(), alive);
        return false;
    }

    /** Hands every thread it makes to {@link OwnedThreads}, which remembers it, also after the pool forgot it. */
    private static final class TrackingThreadFactory extends ManagedThreadFactoryImpl {
        private final OwnedThreads threads;

        TrackingThreadFactory(String name, OwnedThreads threads) {
            super(name);
            this.threads = threads;
        }

        @Override
        protected Thread createThread(Runnable runnable, ContextHandle contextHandleForSetup) {
            return threads.track(super.createThread(runnable, contextHandleForSetup));
        }
    }
}
