package org.simplevisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;

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

    /** How long events held back wait at most, while their publisher is still busy (see {@link #holdDeliveries}). */
    static final long HELD_DELIVERY_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** How often the closing thread looks whether the event thread has passed a listener it gives the last event. */
    private static final long PASSING_OVER_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    /** The end of the time for the last events that is left to a stuck listener to return once interrupted. */
    private static final Duration STUCK_LISTENER_GRACE = Duration.ofMillis(50);

    private final List<SupervisorListener> listeners = new CopyOnWriteArrayList<>();
    private final OwnedThreads threads;
    private final ThreadPoolExecutor executor;
    private final AtomicInteger backlog = new AtomicInteger();
    /** Events published while deliveries are held back ({@link #holdDeliveries}), in their order. */
    private final ConcurrentLinkedQueue<SupervisorEvent> held = new ConcurrentLinkedQueue<>();
    /** Events added to {@link #held} and not yet handed to the event thread. */
    private final AtomicInteger heldNotHanded = new AtomicInteger();
    /** How many callers hold deliveries back: a start and a shutdown may overlap. */
    private final AtomicInteger holders = new AtomicInteger();
    /** When the events held back are next due, in {@link System#nanoTime()} terms. */
    private volatile long heldDue;
    private final AtomicInteger waitingForCapacity = new AtomicInteger();
    // A lock and a condition, not a monitor: a virtual run thread waiting on a monitor pins its carrier (Java 21-23).
    private final ReentrantLock capacity = new ReentrantLock();
    private final Condition capacityFreed = capacity.newCondition();
    /** Set once shutdown has closed the processes ({@link #releaseWaitingRestarts}), at the latest on close. */
    private volatile boolean restartsReleased;
    /**
     * Set when the event thread did not finish by the deadline: it calls no further listener but with the last
     * event.
     */
    private volatile boolean givenUp;
    private volatile @Nullable SupervisorEvent lastEvent;
    /** The listeners called with the last event, by the event thread or, once it is given up on, the closing one. */
    private final Set<SupervisorListener> lastEventCalled = ConcurrentHashMap.newKeySet();
    /** Threads of observers that pass events on to listeners of their own, while they do (see runAsListener). */
    private final Set<Thread> observerThreads = ConcurrentHashMap.newKeySet();
    // What the event thread is doing, for the report of a listener that does not return.
    private volatile @Nullable Thread eventThread;
    private volatile @Nullable SupervisorListener delivering;
    private volatile @Nullable SupervisorEvent deliveringEvent;

    EventDispatcher(String supervisorName) {
        threads = new OwnedThreads(Supervisor.threadNamePrefix(supervisorName) + "-events-", true);
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threads);
    }

    /** {@return whether the calling thread is a listener's: the event thread, or an observer's (runAsListener)} */
    boolean isListenerThread() {
        Thread current = Thread.currentThread();
        return threads.isOwn(current) || observerThreads.contains(current);
    }

    /** Runs {@code delivery} with the calling thread counted as a listener's (see Supervisor#runAsListener). */
    void runAsListener(Runnable delivery) {
        Thread current = Thread.currentThread();
        boolean added = observerThreads.add(current); // false when nested: the outer call removes it
        try {
            delivery.run();
        } finally {
            if (added) {
                observerThreads.remove(current);
            }
        }
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
        if (holders.get() > 0 || heldNotHanded.get() > 0) { // then no event may overtake those held
            heldNotHanded.incrementAndGet();
            held.add(event);
            if (holders.get() == 0) {
                deliverHeld(); // nobody holds deliveries back (any more): the event must not wait
            }
            return;
        }
        hand(List.of(event));
    }

    /** Queues events for the event thread, in their order, as one task. */
    private void hand(List<SupervisorEvent> batch) {
        try {
            executor.execute(new Delivery(batch));
        } catch (RejectedExecutionException afterClose) {
            backlog.addAndGet(-batch.size());
            batch.forEach(event -> LOG.debug("Supervisor \"{}\" has terminated; event {} of process \"{}\" is not "
                    + "delivered", event.supervisor(), event.type(), event.processName()));
        }
    }

    /** Events queued together for the event thread. */
    private final class Delivery implements Runnable {
        final List<SupervisorEvent> events;

        Delivery(List<SupervisorEvent> events) {
            this.events = events;
        }

        @Override
        public void run() {
            events.forEach(EventDispatcher.this::deliver);
        }
    }

    /**
     * Holds published events back from the event thread until {@link #stopHolding()}, handing them over every
     * {@link #HELD_DELIVERY_INTERVAL_NANOS} meanwhile ({@link #deliverHeldIfDue()}): while thousands of runs start or
     * end at once, a wake-up of the event thread for each of their events costs them more than the events.
     */
    void holdDeliveries() {
        heldDue = OwnedThreads.deadlineAfter(HELD_DELIVERY_INTERVAL_NANOS);
        holders.incrementAndGet();
    }

    /** Hands the events held back to the event thread if they have waited {@link #HELD_DELIVERY_INTERVAL_NANOS}. */
    void deliverHeldIfDue() {
        if (System.nanoTime() - heldDue >= 0) {
            deliverHeld();
        }
    }

    /** Hands the events held back so far to the event thread, in their order, as one task. */
    void deliverHeld() {
        synchronized (held) { // two callers must not queue their batches in the opposite order
            heldDue = OwnedThreads.deadlineAfter(HELD_DELIVERY_INTERVAL_NANOS);
            List<SupervisorEvent> batch = new ArrayList<>();
            for (SupervisorEvent event = held.poll(); event != null; event = held.poll()) {
                batch.add(event);
            }
            if (!batch.isEmpty()) {
                hand(batch);
                heldNotHanded.addAndGet(-batch.size()); // only now may a publisher hand an event directly
            }
        }
    }

    /** Stops holding events back, and queues those held for the event thread. */
    void stopHolding() {
        holders.decrementAndGet();
        deliverHeld();
    }

    private void deliver(SupervisorEvent event) {
        eventThread = Thread.currentThread();
        deliveringEvent = event;
        try {
            for (SupervisorListener listener : listeners) {
                if (claim(listener, event)) {
                    try {
                        listener.onEvent(event);
                    } catch (Throwable failure) {
                        logListenerFailure(listener, event, failure);
                    } finally {
                        delivering = null;
                        clearInterruptLeftByListener();
                    }
                }
            }
        } finally {
            if (backlog.decrementAndGet() <= BACKLOG_RESUME && waitingForCapacity.get() > 0) {
                signalCapacity();
            }
        }
    }

    /**
     * Clears an interrupt a listener left set on the event thread (it caught an {@link InterruptedException} and set
     * the status again, say): the next listeners and events would fail on their first blocking call. The interrupt
     * of a {@link #close} that gave up on the event thread stays: it cuts short whatever the thread still calls.
     * {@link #givenUp} is set before that interrupt, so read after the status is cleared it tells the two apart.
     */
    private void clearInterruptLeftByListener() {
        if (Thread.interrupted() && givenUp) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Marks {@code listener} as the one the event thread is in, and decides whether it calls it: not once the event
     * thread has been given up on, and the last event only if the closing thread has not called it with it. The
     * volatile write here, followed by a read of {@link #givenUp}, and the reverse when the closing thread gives up
     * ({@link #close}, then {@link #deliverLastEventAfterGivingUp}), make sure that the closing thread never calls
     * the listener the event thread is calling.
     */
    private boolean claim(SupervisorListener listener, SupervisorEvent event) {
        delivering = listener;
        boolean calls = event == lastEvent ? lastEventCalled.add(listener) : !givenUp;
        if (!calls) {
            delivering = null;
        }
        return calls;
    }

    /**
     * Waits, holding no lock, while more than {@link #BACKLOG_LIMIT} events wait for delivery, until the backlog is
     * down to {@link #BACKLOG_RESUME}. Returns at once on the event thread itself (a listener that restarts a
     * process) and once shutdown has begun ({@link #releaseWaitingRestarts}).
     */
    void awaitBacklogBelowLimit() {
        if (backlog.get() <= BACKLOG_LIMIT || threads.isOwn(Thread.currentThread())) {
            return;
        }
        waitingForCapacity.incrementAndGet();
        capacity.lock();
        try {
            while (backlog.get() > BACKLOG_RESUME && !restartsReleased) {
                capacityFreed.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            capacity.unlock();
            waitingForCapacity.decrementAndGet();
        }
    }

    /**
     * Lets go every restart waiting for the backlog, and any to come: once shutdown has closed the processes, such a
     * restart is dropped and begins no run, while shutdown waits for its thread, which listeners slow enough to make
     * it wait (or one that shut the supervisor down, on the event thread) would keep until the deadline.
     */
    void releaseWaitingRestarts() {
        restartsReleased = true;
        signalCapacity();
    }

    private void signalCapacity() {
        capacity.lock();
        try {
            capacityFreed.signalAll();
        } finally {
            capacity.unlock();
        }
    }

    @SuppressWarnings("try") // the resource only scopes the ThreadContext entry
    private static void logListenerFailure(SupervisorListener listener, SupervisorEvent event, Throwable failure) {
        try (ProcessLogContext context = event.processName() == null ? null
                : ProcessLogContext.open(event.processName())) {
            LOG.log(LoggingListener.severityOf(failure), "Listener {} failed on event {} of process \"{}\"",
                    listener, event.type(), event.processName(), failure);
        }
    }

    /** {@return where the listener being called is, or {@code null} if the event thread is between listeners} */
    private @Nullable ListenerNotReturnedException stuckListener() {
        SupervisorListener listener = delivering;
        SupervisorEvent event = deliveringEvent;
        Thread thread = eventThread;
        return listener == null || event == null || thread == null ? null
                : new ListenerNotReturnedException(listener, event, thread);
    }

    /**
     * Queues the last event, delivers what is queued, then stops the event thread. The last event reaches every
     * listener that is not stuck, even when the deadline passes first: observers close on it (unregister MBeans,
     * end threads of their own), so it must not be lost with the events a stuck listener held up. A listener still
     * running at the deadline is interrupted and reported with the event thread's stack.
     *
     * @param last          the event that ends the stream ({@link SupervisorEvent.Type#TERMINATED})
     * @param deadlineNanos when to give up waiting, in {@link System#nanoTime()} terms
     * @param interrupts    the closing thread's interrupts, held back until the close is done
     */
    void close(SupervisorEvent last, long deadlineNanos, DeferredInterrupts interrupts) {
        lastEvent = last;
        publish(last);
        // A run() still starting processes may hold deliveries back (a shutdown can finish meanwhile): what it holds,
        // the last event included, goes to the event thread now, before the executor takes no more.
        deliverHeld();
        releaseWaitingRestarts();
        executor.shutdown();
        if (isListenerThread()) {
            return; // a listener shut the supervisor down: the last event follows when it returns
        }
        long interruptAt = deadlineNanos - STUCK_LISTENER_GRACE.toNanos();
        if (interrupts.await(() -> executor.awaitTermination(interruptAt - System.nanoTime(),
                TimeUnit.NANOSECONDS))) {
            interrupts.await(() -> threads.joinAll(deadlineNanos));
            return;
        }
        ListenerNotReturnedException stuck = stuckListener(); // before shutdownNow() interrupts it
        givenUp = true; // before the interrupt: a listener that returns on it must not lead on to the next event
        int dropped = executor.shutdownNow().stream().mapToInt(task -> ((Delivery) task).events.size()).sum();
        if (stuck != null) {
            LOG.warn("A listener did not return in time; {} queued event(s) were not delivered, the last one is "
                    + "delivered on the shutting-down thread", dropped, stuck);
        } else { // between listeners: not stuck, but held up (a long garbage collection pause, a starved machine)
            LOG.warn("The event thread did not deliver {} queued event(s) in time, though no listener was running; "
                    + "the last one is delivered on the shutting-down thread", dropped);
        }
        deliverLastEventAfterGivingUp(deadlineNanos);
        if (!interrupts.await(() -> threads.joinAll(deadlineNanos))) {
            ListenerNotReturnedException stillStuck = stuckListener();
            LOG.warn("A listener ignored the interrupt and still holds the event thread", stillStuck);
        }
    }

    /**
     * Calls with the last event, on this thread, every listener that has not had it but the one the event thread is
     * in. A listener the event thread was only passing over when first looked at (it calls none now but with the last
     * event) is called at the end, once the event thread has passed it: it does so at once unless descheduled, so it
     * is waited for until the deadline; a listener it is still in then is stuck, and left out.
     */
    private void deliverLastEventAfterGivingUp(long deadlineNanos) {
        List<SupervisorListener> busy = new ArrayList<>(1);
        for (SupervisorListener listener : listeners) {
            if (listener == delivering) {
                busy.add(listener);
            } else {
                callWithLastEvent(listener);
            }
        }
        for (SupervisorListener listener : busy) {
            while (listener == delivering && System.nanoTime() - deadlineNanos < 0) {
                LockSupport.parkNanos(PASSING_OVER_POLL_NANOS);
            }
            if (listener != delivering) {
                callWithLastEvent(listener);
            }
        }
    }

    /** Calls a listener with the last event on the closing thread, whose interrupt status it leaves as it was. */
    private void callWithLastEvent(SupervisorListener listener) {
        if (lastEventCalled.add(listener)) {
            boolean closerInterrupted = Thread.interrupted();
            try {
                listener.onEvent(lastEvent);
            } catch (Throwable failure) {
                logListenerFailure(listener, lastEvent, failure);
            } finally {
                // An interrupt the listener left is not the closing thread's: in a container, the server's own.
                Thread.interrupted();
                if (closerInterrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
