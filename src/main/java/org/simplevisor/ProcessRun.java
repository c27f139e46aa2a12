package org.simplevisor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One run of a process: its {@link ProcessContext}, its cancellation and its thread. The owning
 * {@link ManagedProcess} changes the thread and cancellation fields only under its lock, so that an interrupt
 * can never reach a pooled thread after the run has left it.
 */
final class ProcessRun implements ProcessContext {

    /** Why the supervisor cancelled a run; decides how its end is classified. */
    enum CancelCause {
        SHUTDOWN, MANUAL, WATCHDOG
    }

    /** The run on this thread, if the thread is running a process. */
    private static final ThreadLocal<ProcessRun> CURRENT = new ThreadLocal<>();

    private final String name;
    private final Clock clock;
    private final boolean restart;
    private volatile int restartCount;
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile CancelCause cancelCause;
    private volatile Instant lastHeartbeat;

    // Guarded by the owning ManagedProcess's lock.
    Thread thread;
    Instant startTime;
    Instant cancelTime;
    Future<?> watchdogCheck;
    ProcessHungException hang;

    ProcessRun(String name, Clock clock, boolean restart) {
        this.name = name;
        this.clock = clock;
        this.restart = restart;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isCancelled() {
        return cancelCause != null;
    }

    @Override
    public void heartbeat() {
        lastHeartbeat = clock.instant();
    }

    @Override
    public int restartCount() {
        return restartCount;
    }

    @Override
    public void awaitCancellation() throws InterruptedException {
        while (true) {
            try {
                cancelled.await();
                return;
            } catch (InterruptedException e) {
                if (isCancelled()) {
                    Thread.currentThread().interrupt();
                    return;
                }
                throw e;
            }
        }
    }

    @Override
    public boolean awaitCancellation(Duration timeout) throws InterruptedException {
        try {
            return cancelled.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            if (isCancelled()) {
                Thread.currentThread().interrupt();
                return true;
            }
            throw e;
        }
    }

    /** @return whether the calling thread is running some process */
    static boolean isRunThread() {
        return CURRENT.get() != null;
    }

    /** @return whether the calling thread is running this run */
    boolean isOnCurrentThread() {
        return CURRENT.get() == this;
    }

    /** Marks the calling thread as running this run, or as running none when {@code run} is null. */
    static void setCurrent(ProcessRun run) {
        if (run == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(run);
        }
    }

    /** @return whether this run is a restart by the restart policy */
    boolean isRestart() {
        return restart;
    }

    CancelCause cancelCause() {
        return cancelCause;
    }

    Instant lastHeartbeat() {
        return lastHeartbeat;
    }

    /**
     * Marks the run cancelled and interrupts its thread, if it has one. The first cause wins. Called under the
     * owner's lock.
     */
    void cancel(CancelCause cause, Instant now) {
        if (cancelCause == null) {
            cancelCause = cause;
            cancelTime = now;
        }
        if (thread != null) {
            thread.interrupt(); // before the latch, so that awaitCancellation() returns with the interrupt set
        }
        cancelled.countDown();
    }

    /** Called by the owner, under its lock, when the run has begun on {@code current}. */
    void began(Thread current, Instant now, int restartsSoFar) {
        restartCount = restartsSoFar;
        thread = current;
        startTime = now;
        lastHeartbeat = now;
    }

    /** Called by the owner, under its lock, when the run has left its thread. */
    void left() {
        thread = null;
        if (watchdogCheck != null) {
            watchdogCheck.cancel(false);
            watchdogCheck = null;
        }
        ended.countDown();
    }

    /** Waits until the run has ended or the deadline (in {@link System#nanoTime()} terms) passes. */
    boolean awaitEnd(long deadlineNanos) throws InterruptedException {
        return ended.await(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    boolean hasEnded() {
        return ended.getCount() == 0;
    }
}
