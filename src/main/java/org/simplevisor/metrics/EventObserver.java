package org.simplevisor.metrics;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.SupervisorListener;

/**
 * What every publisher of a supervisor's meters shares: it listens to the supervisor's events, has the publisher
 * make the counters of each process the first time it is seen (those known at the start, and any registered later),
 * and of each declared group, and counts the events into them. The publisher's factories run under this observer's
 * lock and never after {@link #close()}, so a publisher may remove what they made once {@code close()} has returned.
 * A factory that fails for a process seen after {@link #observe observe} (say, the MBean server refuses its MBean)
 * is logged once, and that process goes uncounted: it is not tried again at each of its events. As
 * {@code SupervisorJmx} does with a process's MBean. A factory that fails leaves nothing of what it made.
 *
 * @param <P> the publisher's counters of one process
 */
final class EventObserver<P extends ProcessCounters> {

    private static final Logger LOG = LogManager.getLogger(EventObserver.class);

    private final Supervisor supervisor;
    private final Function<ProcessSnapshot, P> newProcess;
    private final SupervisorListener listener = this::onEvent;
    private final Object lock = new Object();
    private final Map<String, P> processes = new ConcurrentHashMap<>();           // written under lock
    @GuardedBy("lock") private final Map<String, RuntimeException> refused = new HashMap<>(); // by process name
    private final Map<String, Runnable> groupRestarts = new ConcurrentHashMap<>(); // written under lock
    @GuardedBy("lock") private boolean closed;

    private EventObserver(Supervisor supervisor, Function<ProcessSnapshot, P> newProcess) {
        this.supervisor = supervisor;
        this.newProcess = newProcess;
    }

    /**
     * {@return an observer that counts the supervisor's events from now on}
     *
     * @param supervisor the supervisor
     * @param newProcess makes the counters of a process, from its snapshot
     * @param newGroup   makes the restart counter of a declared group, from its name: what increments it
     * @param removeMade removes everything the factories made; called if one of them fails, once the observer has
     *                   stopped listening (nothing is made after it), so that observing is all or nothing
     * @throws RuntimeException what a factory threw, once what was made has been removed
     */
    static <P extends ProcessCounters> EventObserver<P> observe(Supervisor supervisor,
            Function<ProcessSnapshot, P> newProcess, Function<String, Runnable> newGroup, Runnable removeMade) {
        EventObserver<P> observer = new EventObserver<>(Objects.requireNonNull(supervisor, "supervisor"),
                Objects.requireNonNull(newProcess, "newProcess"));
        try {
            synchronized (observer.lock) {
                // Groups are declared once, before any event: their counters exist before the first restart.
                supervisor.groups().keySet()
                        .forEach(group -> observer.groupRestarts.put(group, newGroup.apply(group)));
                // Listen first, then list: a process registered in between is caught by its REGISTERED event.
                supervisor.addListener(observer.listener);
            }
            for (String name : supervisor.processNames()) {
                observer.countersOf(name, null, true);
            }
        } catch (RuntimeException | Error failure) {
            observer.close(); // no listener left behind to make more
            removeMade.run();
            throw failure;
        }
        return observer;
    }

    /** Stops counting; nothing is made after it returns. Idempotent. */
    void close() {
        synchronized (lock) {
            closed = true;
            supervisor.removeListener(listener);
        }
    }

    /** {@return the snapshot of a process, or {@code null} if the supervisor no longer knows it} */
    static @Nullable ProcessSnapshot snapshotOrNull(Supervisor supervisor, String name) {
        try {
            return supervisor.snapshot(name);
        } catch (NoSuchElementException unknown) {
            return null;
        }
    }

    private void onEvent(SupervisorEvent event) {
        if (event.type() == SupervisorEvent.Type.GROUP_RESTARTING) {
            Runnable restarts = groupRestarts.get(event.group());
            if (restarts != null) {
                restarts.run();
            }
            return;
        }
        if (event.processName() == null) {
            return; // TERMINATED: the gauges read the final snapshots until the publisher closes
        }
        P counters = countersOf(event.processName(), event.snapshot(), false);
        if (counters != null) { // null once closed, or if they could not be made
            ProcessCounters.count(event, counters);
        }
    }

    /**
     * {@return the counters of a process, made on first use; {@code null} if closed, unknown, or they could not be
     * made}
     *
     * @param strict whether a failure to make them throws (in {@link #observe observe}, which then undoes
     *               everything) or is logged (later, on the event thread); either way it is made once
     */
    private @Nullable P countersOf(String name, @Nullable ProcessSnapshot known, boolean strict) {
        P counters = processes.get(name);
        if (counters != null) {
            return counters;
        }
        synchronized (lock) { // with close(): nothing is made after close()
            if (closed) {
                return null;
            }
            counters = processes.get(name);
            if (counters == null && !refused.containsKey(name)) {
                ProcessSnapshot snapshot = known != null ? known : snapshotOrNull(supervisor, name);
                if (snapshot == null) {
                    return null;
                }
                try {
                    counters = newProcess.apply(snapshot);
                    processes.put(name, counters);
                } catch (RuntimeException failure) {
                    refused.put(name, failure);
                    if (!strict) {
                        LOG.error("Process \"{}\" has no meters of its own and its events are not counted: {}", name,
                                failure.toString());
                    }
                }
            }
            // Strict fails whoever tried first: the event thread may have met the failure already.
            RuntimeException failure = refused.get(name);
            if (strict && failure != null) {
                throw failure;
            }
            return counters;
        }
    }
}
