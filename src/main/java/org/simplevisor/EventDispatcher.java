package org.simplevisor;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.CloseableThreadContext;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Delivers events to listeners, in order, on one thread of its own. Publishing only enqueues, so it may be done
 * under a process's lock (which fixes the order) while listeners run outside every lock and never on a process's
 * thread.
 */
final class EventDispatcher {

    private static final Logger LOG = LogManager.getLogger(Supervisor.class);

    /**
     * Events waiting for delivery beyond which no restart begins until listeners catch up: a zero-delay restart
     * loop can produce events faster than, say, a logger writing stack traces consumes them.
     */
    static final int BACKLOG_LIMIT = 1_000;
    /**
     * The backlog at which waiting restarts are let go: well below the limit, so that a restart loop wakes its
     * waiters once per drained batch rather than once per delivered event.
     */
    static final int BACKLOG_RESUME = BACKLOG_LIMIT / 2;

    private final List<SupervisorListener> listeners = new CopyOnWriteArrayList<>();
    private final OwnedThreads threads;
    private final ThreadPoolExecutor executor;
    private final AtomicInteger backlog = new AtomicInteger();
    private final AtomicInteger waitingForCapacity = new AtomicInteger();
    private final Object capacity = new Object();
    private volatile boolean closed;
    // What the event thread is doing, for the report of a listener that does not return.
    private volatile Thread eventThread;
    private volatile SupervisorListener delivering;
    private volatile SupervisorEvent deliveringEvent;

    EventDispatcher(String supervisorName) {
        threads = new OwnedThreads("simplevisor-" + supervisorName + "-events-", true);
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threads);
    }

    void addListener(SupervisorListener listener) {
        listeners.add(listener);
    }

    void removeListener(SupervisorListener listener) {
        listeners.remove(listener);
    }

    /** Queues an event; never blocks, so it may be called under a process's lock. */
    void publish(SupervisorEvent event) {
        backlog.incrementAndGet();
        try {
            executor.execute(() -> deliver(event));
        } catch (RejectedExecutionException afterClose) {
            backlog.decrementAndGet();
            LOG.debug("Supervisor \"{}\" has terminated; event {} of process \"{}\" is not delivered",
                    event.supervisor(), event.type(), event.processName());
        }
    }

    private void deliver(SupervisorEvent event) {
        eventThread = Thread.currentThread();
        deliveringEvent = event;
        try {
            for (SupervisorListener listener : listeners) {
                delivering = listener;
                try {
                    listener.onEvent(event);
                } catch (Throwable failure) {
                    logListenerFailure(listener, event, failure);
                }
            }
        } finally {
            delivering = null;
            if (backlog.decrementAndGet() <= BACKLOG_RESUME && waitingForCapacity.get() > 0) {
                synchronized (capacity) {
                    capacity.notifyAll();
                }
            }
        }
    }

    /**
     * Waits, holding no lock, while more than {@link #BACKLOG_LIMIT} events wait for delivery, until the backlog is
     * down to {@link #BACKLOG_RESUME}. Returns at once on the event thread itself (a listener that restarts a
     * process) and once the dispatcher is closed.
     */
    void awaitBacklogBelowLimit() {
        if (backlog.get() <= BACKLOG_LIMIT || threads.isOwn(Thread.currentThread())) {
            return;
        }
        waitingForCapacity.incrementAndGet();
        try {
            synchronized (capacity) {
                while (backlog.get() > BACKLOG_RESUME && !closed) {
                    capacity.wait();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waitingForCapacity.decrementAndGet();
        }
    }

    @SuppressWarnings("try") // the resource only scopes the ThreadContext entry
    private static void logListenerFailure(SupervisorListener listener, SupervisorEvent event, Throwable failure) {
        try (CloseableThreadContext.Instance ctx = event.processName() == null ? null
                : CloseableThreadContext.put(ManagedProcess.THREAD_CONTEXT_KEY, event.processName())) {
            LOG.log(LoggingListener.severityOf(failure), "Listener {} failed on event {} of process \"{}\"",
                    listener, event.type(), event.processName(), failure);
        }
    }

    /** @return where the listener being called is, or {@code null} if the event thread is between listeners */
    private ListenerNotReturnedException stuckListener() {
        SupervisorListener listener = delivering;
        SupervisorEvent event = deliveringEvent;
        Thread thread = eventThread;
        return listener == null || event == null || thread == null ? null
                : new ListenerNotReturnedException(listener, event, thread);
    }

    /**
     * Delivers what is queued, then stops the event thread.
     *
     * @param deadlineNanos when to give up waiting, in {@link System#nanoTime()} terms
     * @return whether every queued event was delivered and the thread has ended
     */
    boolean close(long deadlineNanos) throws InterruptedException {
        closed = true;
        synchronized (capacity) {
            capacity.notifyAll();
        }
        executor.shutdown();
        if (threads.isOwn(Thread.currentThread())) {
            return false; // a listener shut the supervisor down: the event thread ends after it returns
        }
        if (!executor.awaitTermination(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
            ListenerNotReturnedException stuck = stuckListener(); // before shutdownNow() interrupts it
            int dropped = executor.shutdownNow().size();
            LOG.warn("A listener did not return in time; {} queued event(s) were not delivered", dropped, stuck);
        }
        return threads.joinAll(deadlineNanos);
    }
}
