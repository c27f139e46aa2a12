package org.simplevisor.jmx;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;
import org.simplevisor.Supervisor;

/**
 * The one thread that delivers an {@link SupervisorJmx}'s notifications to JMX listeners (and runs their filters),
 * so that the supervisor's event thread only enqueues them: a slow listener delays later notifications, never an
 * event or a process; one that throws is skipped (see {@link ListenerSafeEmitter}). The
 * queue is bounded, so that a listener stuck for ever cannot exhaust the heap: when it is full an event's
 * notifications are dropped (listeners see a gap in the sequence numbers) and a warning is logged. Joined on
 * {@link #close}, so that a container sees no thread left behind. The thread runs as a listener of the supervisor
 * ({@link Supervisor#runAsListener}): {@link SupervisorJmx} waits for it at TERMINATED, so a JMX listener's
 * {@code shutdown()} must not wait for TERMINATED to be delivered in turn.
 */
final class NotificationThread implements Executor {

    private static final Logger LOG = LogManager.getLogger(SupervisorJmx.class);
    /** Events whose notifications wait for delivery: room for long bursts, a few megabytes at most. */
    static final int QUEUE_CAPACITY = 10_000;

    private final String name;
    private final Supervisor supervisor;
    private final ThreadPoolExecutor executor;
    private final AtomicLong dropped = new AtomicLong();
    private volatile @Nullable Thread thread;
    /** Set before {@link #close} interrupts the thread, so that its interrupt is told from one a listener left. */
    private volatile boolean givenUp;

    NotificationThread(String name, Supervisor supervisor) {
        this.name = name;
        this.supervisor = supervisor;
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY),
                this::newThread, (task, pool) -> rejected());
    }

    private Thread newThread(Runnable task) {
        Thread created = new DeliveryThread(this, () -> supervisor.runAsListener(task), name);
        created.setDaemon(true); // never what keeps a JVM alive
        thread = created;
        return created;
    }

    private void rejected() {
        if (executor.isShutdown()) {
            return; // closed: what happens now is not delivered
        }
        long count = dropped.incrementAndGet();
        if (count == 1 || count % 10_000 == 0) {
            LOG.warn("A JMX notification listener is too slow: the notifications of {} event(s) were dropped so far"
                    + " ({} events queued)", count, QUEUE_CAPACITY);
        }
    }

    @Override
    public void execute(Runnable delivery) {
        executor.execute(delivery); // never throws: a rejection is handled by rejected()
    }

    /** {@return whether the caller runs on this thread (a listener)} */
    boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    /**
     * Clears an interrupt a JMX listener (or filter) left set on a notification thread: the next listeners and
     * notifications of the same delivery would fail on their first blocking call (the executor clears it only between
     * deliveries). The interrupt of a {@link #close} that gave up on the thread stays: it cuts short whatever the
     * thread still calls. {@link #givenUp} is set before that interrupt, so read after the status is cleared it tells
     * the two apart. On any other thread it does nothing.
     */
    static void clearInterruptLeftByListener() {
        if (Thread.currentThread() instanceof DeliveryThread delivery && Thread.interrupted()
                && delivery.owner.givenUp) {
            delivery.interrupt();
        }
    }

    /**
     * Delivers what is queued, within the timeout, then ends the thread. From a listener (on this thread itself)
     * it only stops new deliveries: the thread ends after the listener returns.
     *
     * @param timeout how long the queued notifications may take
     */
    void close(Duration timeout) {
        executor.shutdown();
        if (isCurrent()) {
            return;
        }
        boolean interrupted = false;
        try {
            if (!executor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                givenUp = true;
                int undelivered = executor.shutdownNow().size();
                LOG.warn("JMX notification listeners did not return within {} ms; the notifications of {} event(s)"
                        + " were dropped",
                        timeout.toMillis(), undelivered);
            }
            Thread last = thread;
            if (last != null) {
                last.join(timeout.toMillis()); // the worker may still be leaving after awaitTermination
            }
        } catch (InterruptedException e) {
            givenUp = true;
            executor.shutdownNow();
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** A thread of a notification thread's: {@link #clearInterruptLeftByListener} finds its owner through it. */
    private static final class DeliveryThread extends Thread {
        final NotificationThread owner;

        DeliveryThread(NotificationThread owner, Runnable task, String name) {
            super(task, name);
            this.owner = owner;
        }
    }
}
