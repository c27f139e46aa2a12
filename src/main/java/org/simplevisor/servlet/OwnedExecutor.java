package org.simplevisor.servlet;

import jakarta.enterprise.concurrent.ManagedExecutorService;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.glassfish.concurro.AbstractManagedExecutorService.RejectPolicy;
import org.glassfish.concurro.ManagedExecutorServiceImpl;
import org.glassfish.concurro.ManagedThreadFactoryImpl;
import org.glassfish.concurro.spi.ContextHandle;

/**
 * A {@link ManagedExecutorService} of the Jakarta Concurrency reference implementation (concurro), for a
 * container that has none (Tomcat): created and owned by the listener, one thread per running process, and shut
 * down on context destroy with every one of its threads joined, so that the container sees no thread left behind.
 */
final class OwnedExecutor {

    private static final Logger LOG = LogManager.getLogger(OwnedExecutor.class);
    private static final long KEEP_ALIVE_SECONDS = 60;

    private final TrackingThreadFactory threads;
    private final ManagedExecutorServiceImpl executor;

    /**
     * @param name the executor's name; its threads are {@code <name>-Thread-<n>}
     */
    OwnedExecutor(String name) {
        threads = new TrackingThreadFactory(name);
        // No hung-task detection (runs are long on purpose), no core threads, direct hand-off: a thread per run.
        executor = new ManagedExecutorServiceImpl(name, threads, 0, true, 0, Integer.MAX_VALUE,
                KEEP_ALIVE_SECONDS, TimeUnit.SECONDS, 0, 0, null, RejectPolicy.ABORT);
    }

    /** @return the executor */
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
        threads.stop();
        try {
            executor.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            for (Thread thread : threads.all) {
                long millis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
                if (thread != Thread.currentThread() && millis > 0) {
                    thread.join(millis);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        threads.all.removeIf(thread -> !thread.isAlive());
        if (!threads.all.isEmpty()) {
            LOG.warn("{} executor thread(s) did not end in time: {}", threads.all.size(), threads.all);
            return false;
        }
        return true;
    }

    /** Remembers every thread it makes, also after the pool forgot it, until it has ended. */
    private static final class TrackingThreadFactory extends ManagedThreadFactoryImpl {
        final Set<Thread> all = ConcurrentHashMap.newKeySet();

        TrackingThreadFactory(String name) {
            super(name);
        }

        @Override
        protected Thread createThread(Runnable runnable, ContextHandle contextHandleForSetup) {
            Thread thread = super.createThread(runnable, contextHandleForSetup);
            all.removeIf(old -> !old.isAlive() && old.getState() == Thread.State.TERMINATED);
            all.add(thread);
            return thread;
        }
    }
}
