package org.simplevisor;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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

    private final List<SupervisorListener> listeners = new CopyOnWriteArrayList<>();
    private final OwnedThreads threads;
    private final ThreadPoolExecutor executor;

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

    void publish(SupervisorEvent event) {
        try {
            executor.execute(() -> deliver(event));
        } catch (RejectedExecutionException afterClose) {
            LOG.debug("Supervisor \"{}\" has terminated; event {} of process \"{}\" is not delivered",
                    event.supervisor(), event.type(), event.processName());
        }
    }

    private void deliver(SupervisorEvent event) {
        for (SupervisorListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (Throwable failure) {
                logListenerFailure(listener, event, failure);
            }
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

    /**
     * Delivers what is queued, then stops the event thread.
     *
     * @param deadlineNanos when to give up waiting, in {@link System#nanoTime()} terms
     * @return whether every queued event was delivered and the thread has ended
     */
    boolean close(long deadlineNanos) throws InterruptedException {
        executor.shutdown();
        if (threads.isOwn(Thread.currentThread())) {
            return false; // a listener shut the supervisor down: the event thread ends after it returns
        }
        if (!executor.awaitTermination(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
            int dropped = executor.shutdownNow().size();
            LOG.warn("A listener did not return in time; {} queued event(s) were not delivered", dropped);
        }
        return threads.joinAll(deadlineNanos);
    }
}
