package org.simplevisor;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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

    /** A timeout for {@link #await(long)}: none. */
    private static final long UNTIL_CANCELLED = 0;

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
        await(UNTIL_CANCELLED);
    }

    @Override
    public boolean awaitCancellation(Duration timeout) throws InterruptedException {
        return await(Math.max(1, timeout.toNanos()));
    }

    /**
     * Waits for the cancellation. On the run's own thread it waits for the interrupt of the cancellation and
     * leaves the interrupt status set: waiting on the latch would clear it, and setting it again costs a second
     * interrupt, which in the JVM searches the list of all threads (at thousands of threads, a large part of a
     * shutdown). Another thread of the process waits on the latch.
     *
     * @param timeoutNanos how long to wait, or {@link #UNTIL_CANCELLED}
     * @return whether the run was cancelled
     */
    private boolean await(long timeoutNanos) throws InterruptedException {
        if (!isOnCurrentThread()) {
            return awaitLatch(timeoutNanos);
        }
        Thread self = Thread.currentThread();
        long deadline = System.nanoTime() + timeoutNanos;
        while (!self.isInterrupted()) {
            if (timeoutNanos == UNTIL_CANCELLED) {
                LockSupport.park(this);
            } else {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, remaining);
            }
        }
        if (!isCancelled()) { // cancel() sets the cause before it interrupts: this interrupt is someone else's
            Thread.interrupted();
            throw new InterruptedException();
        }
        return true;
    }

    /** An interrupt of a thread other than the run's counts as the cancellation only once the run is cancelled. */
    private boolean awaitLatch(long timeoutNanos) throws InterruptedException {
        try {
            if (timeoutNanos == UNTIL_CANCELLED) {
                cancelled.await();
                return true;
            }
            return cancelled.await(timeoutNanos, TimeUnit.NANOSECONDS);
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
            thread.interrupt(); // before the latch: whoever the latch releases sees the run interrupted
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
}
