package org.simplevisor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * One run of a process: its {@link ProcessContext}, its cancellation and its thread. The owning
 * {@link ManagedProcess} changes the thread and cancellation fields only under its lock, so that an interrupt
 * can never reach a pooled thread after the run has left it.
 */
final class ProcessRun implements ProcessContext {

    /** Why the supervisor cancelled a run; decides how its end is classified. */
    enum CancelCause {
        SHUTDOWN, MANUAL, WATCHDOG, LEASE_LOST, GROUP
    }

    /** A timeout for {@link #await(long)}: none. */
    private static final long UNTIL_CANCELLED = 0;

    private static final int ELSEWHERE = 0;
    private static final int PARKED = 1;
    private static final int WOKEN = 2;
    private static final VarHandle WAITER;

    static {
        try {
            WAITER = MethodHandles.lookup().findVarHandle(ProcessRun.class, "waiter", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The run on this thread, if the thread is running a process. */
    private static final ThreadLocal<ProcessRun> CURRENT = new ThreadLocal<>();

    private final String name;
    private final LongSupplier ticker;
    private final @Nullable ScheduledExecutorService scheduler;
    private final boolean restart;
    private final long fencingToken;
    private volatile int restartCount;
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private volatile boolean ended;
    /** A thread of the executor has taken the run: it begins unless it was cancelled meanwhile. */
    private volatile boolean taken;
    private volatile @Nullable CancelCause cancelCause;
    private volatile long lastHeartbeatNanos; // on the ticker, as startNanos
    /** Where the run's own thread is with respect to {@link #awaitCancellation}: see {@link #await(long)}. */
    private volatile int waiter = ELSEWHERE;
    /**
     * What a platform thread parked in {@link #awaitCancellation} waits on, to be woken without an interrupt: the
     * monitor of {@link #cancelled}, which is private to the run and unused by the latch itself, so that a run costs
     * no object more.
     */
    private final Object wakeUps = cancelled;
    /** The parked thread a cancellation chose to wake: written and read by the cancelling thread. */
    private @Nullable Thread toWake;

    // Guarded by the owning ManagedProcess's lock (not checkable here: the lock is the owner's).
    @Nullable Thread thread;
    long startNanos;
    /** When the run was cancelled, on the ticker: how long it has not stopped since is no wall clock's business. */
    long cancelNanos;
    @Nullable Future<?> watchdogCheck;
    /** The check that a thread of the executor takes the run in time, until the run begins. */
    @Nullable Future<?> takeCheck;
    @Nullable ProcessHungException hang;
    /** A restart with the group's trigger: it counts in the totals, not against the process's restart limit. */
    boolean outsideLimit;
    /** Reported as not stopping after its group cancelled it: counted as ended; its actual end changes nothing. */
    boolean abandoned;
    /**
     * An operator stopped the process while this run was in progress: it comes to rest when the run ends, whatever
     * cancelled the run first (the watchdog, a lost lease, the group).
     */
    boolean stopRequested;
    /** The priority level shutdown stops this run with, told when the run ends. */
    @Nullable ShutdownLevel shutdownLevel;
    /** This run's place in {@link #shutdownLevel}. */
    int levelIndex;

    // Written by the run's thread before it hands its end over to its shutdown level, read by the thread that
    // stops the level after taking it from there (see ShutdownLevel#handOver).
    /** The run handed over to the level before this one. */
    @Nullable ProcessRun handedOverBefore;
    /** What the body threw, if anything, when the run's thread handed its end over. */
    @Nullable Throwable handedOverError;

    /** A run of a process that is not a singleton (fencing token 0) and has no checks on a scheduler. */
    ProcessRun(String name, LongSupplier ticker, boolean restart) {
        this(name, ticker, null, restart, 0);
    }

    /**
     * @param ticker    monotonic nanoseconds: a wall clock set forward or back changes no heartbeat's age
     * @param scheduler where the run's {@link #watchdogCheck} and {@link #takeCheck} wait, if it may have them
     */
    ProcessRun(String name, LongSupplier ticker, @Nullable ScheduledExecutorService scheduler, boolean restart,
            long fencingToken) {
        this.name = name;
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.restart = restart;
        this.fencingToken = fencingToken;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long fencingToken() {
        return fencingToken;
    }

    @Override
    public boolean isCancelled() {
        return cancelCause != null || ended; // a run that ended on its own has no more work for its threads either
    }

    @Override
    public void heartbeat() {
        // The time before the cancellation: a beat that loses a race with the watchdog's deadline must not record a
        // time after the hang. A cancelled run is watched no more, and a hung one was healthy only until its hang.
        long now = ticker.getAsLong();
        if (cancelCause == null) {
            lastHeartbeatNanos = now;
        }
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
        // saturated: a timeout beyond about 292 years (ChronoUnit.FOREVER) waits as long as a long can say
        long nanos = timeout.compareTo(ProcessOption.LONGEST) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
        return await(Math.max(1, nanos));
    }

    /**
     * Waits for the cancellation. On the run's own thread it parks, and says so in {@link #waiter}: a cancellation
     * that finds it parked wakes it (see {@link #wakeUp}), without an interrupt, so that the cleanup after the wait
     * may block on I/O; a cancellation that finds it anywhere else interrupts it. Exactly one of the two sides moves
     * the waiter out of {@link #PARKED}, so a wait that ends by its timeout just as the run is cancelled is either
     * told it was cancelled or interrupted afterwards, never both missed. Another thread of the process waits on the
     * latch.
     *
     * @param timeoutNanos how long to wait, or {@link #UNTIL_CANCELLED}
     * @return whether the run was cancelled
     */
    private boolean await(long timeoutNanos) throws InterruptedException {
        if (!isOnCurrentThread()) {
            return awaitLatch(timeoutNanos);
        }
        Thread self = Thread.currentThread();
        if (self.isInterrupted()) {
            return cancelledOrThrow();
        }
        boolean onMonitor = !OwnedThreads.isVirtual(self);
        WAITER.setVolatile(this, PARKED);
        long deadline = OwnedThreads.deadlineAfter(timeoutNanos);
        waitOnce(self, onMonitor, timeoutNanos, deadline);
        return finishWait(self, onMonitor, timeoutNanos, deadline);
    }

    /**
     * Waits once, unless the wait is already over, and returns whether it waited (a wake-up may be spurious).
     * Nothing branches between the park and the call of {@link #finishWait}: the JIT compiles {@link #await} while
     * thousands of runs are parked in it and none has yet come back, so a branch after the park would be compiled as
     * never taken, and every run woken at shutdown would be deoptimized, one by one (100,000 virtual threads spent
     * about a third of their stop so).
     */
    private boolean waitOnce(Thread self, boolean onMonitor, long timeoutNanos, long deadline) {
        if (waiter == WOKEN || isCancelled() || self.isInterrupted()) {
            return false;
        }
        long remaining = timeoutNanos == UNTIL_CANCELLED ? UNTIL_CANCELLED : deadline - System.nanoTime();
        if (timeoutNanos != UNTIL_CANCELLED && remaining <= 0) {
            return false;
        }
        if (onMonitor) {
            waitForWakeUp(remaining);
        } else if (remaining == UNTIL_CANCELLED) {
            LockSupport.park(this);
        } else {
            LockSupport.parkNanos(this, remaining);
        }
        return true;
    }

    /**
     * Waits on after a wake-up until the wait is over, then leaves it.
     *
     * @return whether the run was cancelled
     */
    private boolean finishWait(Thread self, boolean onMonitor, long timeoutNanos, long deadline)
            throws InterruptedException {
        while (waitOnce(self, onMonitor, timeoutNanos, deadline)) {
            continue; // each pass checks whether the wait is over
        }
        if (!WAITER.compareAndSet(this, PARKED, ELSEWHERE)) {
            waiter = ELSEWHERE; // the cancellation chose to wake us: it sent no interrupt
            return true;
        }
        // Out of the wait before the cancellation saw us parked: if it comes, or came, it interrupts this thread.
        return isCancelled() || (self.isInterrupted() && cancelledOrThrow());
    }

    /**
     * Waits on {@link #wakeUps} for at most {@code nanos} ({@link #UNTIL_CANCELLED}: no limit). An interrupt ends
     * the wait and stays set, for {@link #await} to judge.
     */
    private void waitForWakeUp(long nanos) {
        synchronized (wakeUps) {
            if (waiter == WOKEN) {
                return; // woken before this thread took the monitor: the notification has come and gone
            }
            try {
                if (nanos == UNTIL_CANCELLED) {
                    wakeUps.wait();
                } else {
                    TimeUnit.NANOSECONDS.timedWait(wakeUps, nanos);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Wakes the thread that {@link #cancelLeavingWakeUp} found parked in {@code awaitCancellation}. A platform
     * thread is notified through a monitor rather than unparked: {@code LockSupport.unpark} holds the JVM's list of
     * threads while it wakes one, and every thread that is ending meanwhile must wait for that and then scan all
     * threads again; with thousands of runs ending together, as at shutdown, that doubled the stop. A virtual thread
     * is unparked: waiting on a monitor would pin its carrier on Java 21 to 23.
     */
    void wakeUp() {
        Thread parked = toWake;
        if (parked == null) {
            return;
        }
        toWake = null;
        if (OwnedThreads.isVirtual(parked)) {
            LockSupport.unpark(parked);
        } else {
            synchronized (wakeUps) {
                wakeUps.notifyAll();
            }
        }
    }

    /** On the run's own thread, with its interrupt status set: the cancellation's interrupt, or someone else's. */
    private boolean cancelledOrThrow() throws InterruptedException {
        if (isCancelled()) {
            return true; // cancel() sets the cause before it interrupts
        }
        Thread.interrupted();
        throw new InterruptedException();
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

    /** {@return the run the calling thread is running, or {@code null}} */
    static @Nullable ProcessRun current() {
        return CURRENT.get();
    }

    /** {@return whether the calling thread is running this run} */
    boolean isOnCurrentThread() {
        return CURRENT.get() == this;
    }

    /** Marks the calling thread as running this run, or as running none when {@code run} is null. */
    static void setCurrent(@Nullable ProcessRun run) {
        if (run == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(run);
        }
    }

    /** {@return whether this run is a restart by the restart policy} */
    boolean isRestart() {
        return restart;
    }

    @Nullable CancelCause cancelCause() {
        return cancelCause;
    }

    long lastHeartbeatNanos() {
        return lastHeartbeatNanos;
    }

    /**
     * Marks the run cancelled, releases its waits and, unless its thread is parked in {@link #awaitCancellation},
     * interrupts that thread. Only the first cancellation does so: the cause of a later one is ignored, and a run
     * still running at the shutdown deadline is interrupted by its owner. Called under the owner's lock.
     */
    void cancel(CancelCause cause) {
        cancelLeavingWakeUp(cause);
        wakeUp();
    }

    /**
     * Cancels as {@link #cancel} does, except that a thread parked in {@link #awaitCancellation} is left for the
     * caller to wake with {@link #wakeUp}, possibly after the owner's lock: a wake-up that arrives after the run has
     * left its thread is at most a spurious one, which every wait tolerates, unlike an interrupt.
     *
     * @return whether the caller must call {@link #wakeUp}
     */
    boolean cancelLeavingWakeUp(CancelCause cause) {
        if (cancelCause != null) {
            return false;
        }
        cancelCause = cause;
        cancelNanos = ticker.getAsLong();
        stopWatching();
        if (thread != null) {
            if (WAITER.compareAndSet(this, PARKED, WOKEN)) {
                toWake = thread;
            } else {
                thread.interrupt(); // before the latch: whoever the latch releases sees the run interrupted
            }
        }
        cancelled.countDown();
        return toWake != null;
    }

    /** Called on the executor's thread as it takes the run, before anything that may wait. */
    void taken() {
        taken = true;
    }

    /** {@return whether a thread of the executor has taken the run} */
    boolean isTaken() {
        return taken;
    }

    /** Called by the owner, under its lock, when the run has begun on {@code current}. */
    void began(Thread current, int restartsSoFar) {
        stopTakeCheck();
        restartCount = restartsSoFar;
        thread = current;
        startNanos = ticker.getAsLong();
        lastHeartbeatNanos = startNanos;
    }

    /**
     * Called by the owner, under its lock, when the run has ended, before it publishes that end: whoever sees the end
     * (its event, a snapshot) finds the context cancelled. Releases the waits of the process's other threads; the
     * context stays cancelled.
     */
    void markEnded() {
        ended = true;
        cancelled.countDown();
    }

    /** Called by the owner, under its lock, when the run has left its thread. */
    void left() {
        thread = null;
        stopWatching();
        markEnded();
        if (shutdownLevel != null) {
            shutdownLevel.runEnded();
        }
    }

    /**
     * Takes the run's checks off the scheduler: a cancelled or ended run is watched no more, and a check left there
     * would hold the process until it fell due, after shutdown too on a scheduler the user passed in (shutdown may
     * give up on a run that does not end). Called under the owner's lock.
     */
    private void stopWatching() {
        stopTakeCheck();
        if (watchdogCheck != null) {
            Timers.cancel(Objects.requireNonNull(scheduler), watchdogCheck);
            watchdogCheck = null;
        }
    }

    private void stopTakeCheck() {
        if (takeCheck != null) {
            Timers.cancel(Objects.requireNonNull(scheduler), takeCheck);
            takeCheck = null;
        }
    }

    /** {@return whether the run has ended: its owner is accounting for its end, or has} */
    boolean hasEnded() {
        return ended;
    }
}
