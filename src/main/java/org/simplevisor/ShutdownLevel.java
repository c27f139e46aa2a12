package org.simplevisor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The runs of one priority level that shutdown stops together. All of them are cancelled first, then their threads
 * are woken in one pass, outside every lock, and shutdown waits for the level as a whole: only the level's last run
 * wakes it, not each run. With thousands of runs, every wake-up and every lock taken while their threads are ending
 * competes with those threads for the processors and makes the JVM's own thread exits wait for one another.
 */
final class ShutdownLevel {

    // Side by side, not a map: shutdown builds the level before it wakes any run, and hashing and linking each
    // process there (about 60 ms for 100,000) delays every wake-up.
    private final List<ManagedProcess> processes = new ArrayList<>();
    private final List<ProcessRun> runs = new ArrayList<>();
    private final List<ProcessRun> toWake = new ArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private volatile @Nullable Thread waiter;

    /**
     * Adds a run that was just cancelled, under its process's lock, before the run can end.
     *
     * @param wake whether the run's thread is parked in {@code awaitCancellation} and is still to be woken
     */
    void add(ManagedProcess process, ProcessRun run, boolean wake) {
        processes.add(process);
        runs.add(run);
        running.incrementAndGet();
        if (wake) {
            toWake.add(run);
        }
    }

    /** Called by a run of this level when it ends, under its process's lock: the last one wakes shutdown. */
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
     * Waits until every run of the level has ended or the deadline passes, calling {@code meanwhile} every
     * {@link EventDispatcher#HELD_DELIVERY_INTERVAL_NANOS} while it waits.
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
                meanwhile.run();
            }
            return true;
        } finally {
            waiter = null;
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
