package org.simplevisor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The runs of one priority level that shutdown stops together. All of them are cancelled first, then their threads
 * are woken in one pass, outside every lock, and shutdown waits for the level as a whole: only the level's last run
 * wakes it, not each run. With thousands of runs, every wake-up and every lock taken while their threads are ending
 * competes with those threads for the processors and makes the JVM's own thread exits wait for one another.
 *
 * <p>A run on one of the supervisor's own platform threads does not account for its end itself: its thread hands
 * the end over ({@link #handOver}) and leaves, and the thread stopping the level records it (status, counts, the end
 * event) while it waits. A thread that ends allocates nothing on its way out that way. Otherwise each of thousands
 * of leaving threads takes a buffer of the young generation of its own for its first allocation (tens of KB: the
 * JVM sizes them for threads that allocate steadily), they fill it, and the collection that follows must first
 * bring all of those running threads to a safepoint: 0.2 to 1.3 s of a 10,000-thread stop went to reaching it.
 * Virtual threads allocate in their carriers' buffers, so they account for their ends themselves, in parallel.
 */
final class ShutdownLevel {

    /** Marks a level that takes no more hand-overs: its stopping thread no longer waits for it. */
    private static final ProcessRun CLOSED = new ProcessRun("", System::nanoTime, false);

    // Side by side, not a map: shutdown builds the level before it wakes any run, and hashing and linking each
    // process there (about 60 ms for 100,000) delays every wake-up.
    private final List<ManagedProcess> processes = new ArrayList<>();
    private final List<ProcessRun> runs = new ArrayList<>();
    private final List<ProcessRun> toWake = new ArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private volatile @Nullable Thread waiter;
    private final boolean takesHandOvers;
    /** The ends handed over and not yet accounted for, the latest first, linked by their runs; or {@link #CLOSED}. */
    private final AtomicReference<@Nullable ProcessRun> handedOver = new AtomicReference<>();

    /** @param takesHandOvers whether the runs' threads end after their runs (the supervisor's own platform threads) */
    ShutdownLevel(boolean takesHandOvers) {
        this.takesHandOvers = takesHandOvers;
    }

    /**
     * Adds a run that was just cancelled, under its process's lock, before the run can end.
     *
     * @param wake whether the run's thread is parked in {@code awaitCancellation} and is still to be woken
     */
    void add(ManagedProcess process, ProcessRun run, boolean wake) {
        run.levelIndex = runs.size();
        processes.add(process);
        runs.add(run);
        running.incrementAndGet();
        if (wake) {
            toWake.add(run);
        }
    }

    /**
     * Hands the account of a run's end, from the run's own thread, to the thread stopping the level, allocating
     * nothing; the run then counts as ended in the level.
     *
     * @param error what the run's body threw, or {@code null}
     * @return false if the level takes no hand-overs (any more): the run's thread accounts for the end itself
     */
    boolean handOver(ProcessRun run, @Nullable Throwable error) {
        if (!takesHandOvers) {
            return false;
        }
        run.handedOverError = error;
        for (ProcessRun latest = handedOver.get(); latest != CLOSED; latest = handedOver.get()) {
            run.handedOverBefore = latest;
            if (handedOver.compareAndSet(latest, run)) {
                runEnded();
                return true;
            }
        }
        return false;
    }

    /**
     * Accounts for the ends handed over so far, in the order they were handed over.
     *
     * @param close whether to take no more: a run ending later accounts for its end on its own thread
     */
    private void accountForHandedOver(boolean close) {
        ProcessRun latest;
        do {
            latest = handedOver.get();
            if (latest == CLOSED) {
                return;
            }
        } while (!handedOver.compareAndSet(latest, close ? CLOSED : null));
        ProcessRun first = null;
        while (latest != null) { // reversed in place: the first handed over first
            ProcessRun before = latest.handedOverBefore;
            latest.handedOverBefore = first;
            first = latest;
            latest = before;
        }
        while (first != null) {
            ProcessRun next = first.handedOverBefore;
            first.handedOverBefore = null;
            processes.get(first.levelIndex).accountForHandedOverEnd(first);
            first = next;
        }
    }

    /**
     * Called by a run of this level when it ends, under its process's lock, or when its thread hands the end over:
     * the last one wakes shutdown.
     */
    void runEnded() {
        if (running.decrementAndGet() == 0) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * Wakes the threads of the runs that wait for their cancellation in {@code awaitCancellation}, in start order
     * (the reverse of the order they were cancelled in), calling {@code afterEach} after each: thousands of wake-ups
     * take a while. Start order is about the order the threads fell asleep in, and the kernel keeps the sleepers of
     * a futex hash bucket in that order: each wake-up then finds its thread at the head of the bucket's chain instead
     * of walking it (10,000 threads woken newest first took three times as long as oldest first).
     */
    void wakeAll(Runnable afterEach) {
        for (int i = toWake.size() - 1; i >= 0; i--) {
            toWake.get(i).wakeUp();
            afterEach.run();
        }
        toWake.clear();
    }

    /**
     * Waits until every run of the level has ended or the deadline passes, accounting for the ends handed over and
     * calling {@code meanwhile} every {@link EventDispatcher#HELD_DELIVERY_INTERVAL_NANOS} while it waits. When it
     * returns or throws, the level takes no more hand-overs, and every end handed over has been accounted for.
     *
     * @return whether every run ended
     * @throws InterruptedException if the calling thread is interrupted; the wait may be resumed
     */
    boolean await(long deadlineNanos, Runnable meanwhile) throws InterruptedException {
        waiter = Thread.currentThread();
        try {
            while (running.get() > 0) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, Math.min(remaining, EventDispatcher.HELD_DELIVERY_INTERVAL_NANOS));
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                accountForHandedOver(false);
                meanwhile.run();
            }
            return true;
        } finally {
            waiter = null;
            accountForHandedOver(true);
        }
    }

    /** {@return the runs of the level that have not ended, with their processes} */
    Map<ManagedProcess, ProcessRun> notEnded() {
        Map<ManagedProcess, ProcessRun> stuck = new LinkedHashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            if (!runs.get(i).hasEnded()) {
                stuck.put(processes.get(i), runs.get(i));
            }
        }
        return stuck;
    }
}
