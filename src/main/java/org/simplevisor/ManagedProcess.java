package org.simplevisor;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;

/**
 * One registered process and its state machine: runs, restarts, counts and status.
 *
 * <p>Every transition happens under {@link #lock}, publishes a new immutable {@link ProcessSnapshot} (so that
 * queries never lock) and enqueues its events (so that their order is the order of the transitions). Work that
 * may block or call user code (submitting to the executor, running the process, the recover handler) happens
 * outside the lock.
 */
final class ManagedProcess {

    /** The order in which processes start: ascending priority, then registration order. */
    static final Comparator<ManagedProcess> START_ORDER = Comparator.<ManagedProcess>comparingInt(p -> p.spec.priority)
            .thenComparingLong(p -> p.registrationOrder);

    private static final Logger LOG = LogManager.getLogger(Supervisor.class);

    final String name;
    final long registrationOrder;
    final ProcessSpec spec;
    final @Nullable ProcessGroup group;         // null unless the process is a member of a group
    private final boolean restartsWithGroup;    // its restarts are its group's (the group is not ONE_FOR_ONE)
    private final SupervisedProcess process;
    private final ProcessHost host;
    private final Object lock = new Object();

    @GuardedBy("lock") private ProcessStatus status = ProcessStatus.STOPPED;
    @GuardedBy("lock") private ProcessStatus lastEmittedStatus = ProcessStatus.STOPPED;
    /** Submitted or running; null when none. */
    @GuardedBy("lock") private @Nullable ProcessRun run;
    /** A restart waiting for its delay. */
    @GuardedBy("lock") private @Nullable ScheduledFuture<?> pendingRestart;
    /** Tells a stale restart timer from the current one. */
    @GuardedBy("lock") private long restartGeneration;
    /** An operator asked for a start while the run was ending. */
    @GuardedBy("lock") private boolean startAfterExit;
    /** Shutdown began: nothing starts again. */
    @GuardedBy("lock") private boolean closed;
    /** Started, by anyone (or waiting for its lease): the supervisor's first start has nothing left to do. */
    @GuardedBy("lock") private boolean startedOnce;
    /**
     * What the group ordered when it cancelled this process or held it for a group restart: it applies when the
     * run ends; with no run, the process waits for the group to start it. An operator's start, stop or restart and
     * shutdown clear it.
     */
    @GuardedBy("lock") private ProcessGroup.@Nullable Order groupOrder;
    /**
     * The group's latest report number when an operator last started or restarted this member: a report numbered up
     * to it is of an end before that start, and leaves the start alone (see {@link ProcessGroup#latestReportNumber}).
     */
    @GuardedBy("lock") private long operatorsStartAfterReport;
    /** Group restarts its own ends asked for whose reports have not reached its group yet. */
    @GuardedBy("lock") private int ownRestartReportsOnTheirWay;
    /**
     * Held for its group after its own end was restarted by its policy (or with that restart dropped before it
     * began): the group's start counts against its restart limit, as a trigger's does. A new run clears it.
     */
    @GuardedBy("lock") private boolean restartCountsAsTrigger;
    @GuardedBy("lock") private int restartCount;
    @GuardedBy("lock") private int consecutiveRestarts;
    /** When the restarts within the restart window happened, on the ticker; {@code null} without a window (most). */
    @GuardedBy("lock") private final @Nullable ArrayDeque<Long> restartTimes;
    /** The oldest of {@link #restartTimes}, for a query to see without the lock that it has left the window. */
    private volatile long oldestRestartNanos;
    @GuardedBy("lock") private long totalStarts;
    @GuardedBy("lock") private long totalExits;
    @GuardedBy("lock") private long totalFailures;
    @GuardedBy("lock") private long totalCrashes;
    @GuardedBy("lock") private long totalRestarts;
    @GuardedBy("lock") private long totalRecoverFailures;
    @GuardedBy("lock") private @Nullable ExitReason lastExitReason;
    @GuardedBy("lock") private @Nullable Throwable lastFailure;
    @GuardedBy("lock") private @Nullable Instant lastFailureTime;
    @GuardedBy("lock") private @Nullable Instant lastStartTime;
    /** The lease this node holds for a singleton, or null: it has no run then. */
    @GuardedBy("lock") private @Nullable Lease lease;
    /** A singleton's lease holder as last seen; empty if none. */
    @GuardedBy("lock") private String leaseHolder = "";
    @GuardedBy("lock") private @Nullable LeaseLoss lastLeaseLoss;

    private volatile ProcessSnapshot snapshot;

    ManagedProcess(String name, SupervisedProcess process, ProcessSpec spec, long registrationOrder,
            ProcessHost host, @Nullable ProcessGroup group) {
        this.name = name;
        this.process = process;
        this.spec = spec;
        this.registrationOrder = registrationOrder;
        this.host = host;
        this.group = group;
        this.restartsWithGroup = group != null && group.strategy != GroupStrategy.ONE_FOR_ONE;
        this.restartTimes = spec.restartWindow == null ? null : new ArrayDeque<>();
        synchronized (lock) {
            publish(host.clock.instant());
        }
    }

    ProcessSnapshot snapshot() {
        return snapshot;
    }

    /**
     * {@return the snapshot, with the restart count as of now} With a restart window, restarts leave it as time
     * passes, which no transition publishes (a run going on after a burst of restarts): the first query after the
     * oldest one has left it publishes the count without it. Otherwise, as every query, without the lock.
     */
    ProcessSnapshot snapshotNow() {
        ProcessSnapshot current = snapshot;
        if (spec.restartWindow != null && current.restartCount() > 0
                && host.ticker.getAsLong() - oldestRestartNanos > spec.restartWindow.toNanos()) {
            synchronized (lock) {
                publish(host.clock.instant());
                current = snapshot;
            }
        }
        return current;
    }

    ProcessStatus status() {
        return snapshot.status();
    }

    // ---------------------------------------------------------------- operations

    /** Emits the registration event; separate from construction so that it follows the duplicate check. */
    void registered() {
        synchronized (lock) {
            emit(SupervisorEvent.Type.REGISTERED);
        }
    }

    /**
     * Starts the process by an operator, unless it is running or about to. A start from rest begins a fresh restart
     * budget.
     */
    void start() {
        startSubmittingLater(true).run();
    }

    /**
     * Starts the process for the first time, from {@link Supervisor#run()} or a registration after it: unless an
     * operator has started it already (between {@code run()} taking its processes and reaching this one, say).
     */
    void firstStart() {
        firstStartSubmittingLater().run();
    }

    /** {@return whether anything has started the process, or put it in STANDBY for its lease} */
    boolean hasStarted() {
        synchronized (lock) {
            return startedOnce;
        }
    }

    /**
     * Starts the process as {@link #firstStart()} does, but leaves the submission of its run to the caller, who makes
     * it outside every lock: its group starts its members under the group's lock.
     *
     * @return what submits the run, if any
     */
    Runnable firstStartSubmittingLater() {
        return startSubmittingLater(false);
    }

    /**
     * @param byOperator whether it is an operator's start, which its group's late reports leave alone; otherwise the
     *                   first start, which does nothing to a process started before
     */
    private Runnable startSubmittingLater(boolean byOperator) {
        ProcessRun submit;
        synchronized (lock) {
            if (closed || (!byOperator && startedOnce)) {
                return () -> { };
            }
            groupOrder = null; // the operator's start replaces whatever the group ordered
            if (run != null) {
                if (run.isCancelled()) {
                    startAfterExit = true; // stopping now; start again once it has ended
                    noteOperatorsStart(byOperator);
                }
                return () -> { }; // running, or about to: this start starts nothing, so it spares nothing either
            }
            if (status == ProcessStatus.STANDBY) {
                return () -> { }; // waiting for its lease already
            }
            noteOperatorsStart(byOperator);
            cancelPendingRestart();
            resetRestarts();
            submit = runOrStandby(false, ProcessStatus.STARTING);
            emit(SupervisorEvent.Type.STATUS_CHANGED);
        }
        return () -> submit(submit);
    }

    /** Stops the process by an operator: cancels its run, or its pending restart. */
    void stop() {
        synchronized (lock) {
            startAfterExit = false;
            if (!dropWaitingStart()) {
                groupOrder = null; // the run ends STOPPED, whatever its group ordered
                if (run != null) {
                    run.stopRequested = true; // also when something else cancelled the run first
                }
                cancelRun(ProcessRun.CancelCause.MANUAL);
            }
        }
    }

    /** Restarts the process by an operator: a running run is cancelled and, once ended, started afresh. */
    void restart() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (run != null && run.thread != null) {
                noteOperatorsStart(true);
                groupOrder = null; // as start(): the operator's restart replaces whatever the group ordered
                run.cancel(ProcessRun.CancelCause.MANUAL);
                startAfterExit = true;
                return;
            }
        }
        start();
    }

    /**
     * Notes an operator's start or restart of a member, one that starts a run: the reports of earlier ends in its
     * group leave it alone. A start that finds the member running starts nothing, and spares it nothing.
     */
    @GuardedBy("lock")
    private void noteOperatorsStart(boolean byOperator) {
        if (byOperator && group != null) {
            operatorsStartAfterReport = group.latestReportNumber();
        }
    }

    void resetRestartCount() {
        synchronized (lock) {
            resetRestarts();
            publish(host.clock.instant());
        }
    }

    /**
     * Closes the process for shutdown and cancels its run, which joins {@code level} unless it is the calling
     * thread's own; a thread parked in {@code awaitCancellation} is left for the level to wake.
     *
     * @param now when the level was cancelled
     * @return the run if it is the calling thread's own (shutdown was called from it), else {@code null}
     */
    @Nullable ProcessRun closeForShutdown(ShutdownLevel level, Instant now) {
        synchronized (lock) {
            close();
            if (run != null && run.abandoned && spec.singleton) {
                leaveLeaseToExpire(now, ExitReason.GROUP); // renewed until now, under the run its group abandoned
            }
            if (run == null || run.abandoned) {
                return null;
            }
            boolean toWake = run.cancelLeavingWakeUp(ProcessRun.CancelCause.SHUTDOWN);
            if (run.isOnCurrentThread()) {
                return run;
            }
            run.shutdownLevel = level;
            level.add(this, run, toWake);
            return null;
        }
    }

    /**
     * Closes the process to starts and restarts, and drops a start that is only waiting (the process is then
     * STOPPED), without cancelling a run in progress: shutdown closes every process first, so that none restarts
     * while the priority levels above it are still being stopped.
     */
    void close() {
        synchronized (lock) {
            closed = true;
            startAfterExit = false;
            dropWaitingStart();
            groupOrder = null;
        }
    }

    /**
     * Drops a restart waiting for its delay or for its group, or a run its thread has not reached yet; the process
     * is then STOPPED.
     *
     * @return whether there was one
     */
    @GuardedBy("lock")
    private boolean dropWaitingStart() {
        if (!dropWaitingRun(ProcessRun.CancelCause.MANUAL)) {
            return false;
        }
        setStatusAtRest(ProcessStatus.STOPPED, null);
        giveBackLease();
        return true;
    }

    /** Drops a restart or a run that is only waiting, and leaves the status as it is. @return whether there was one */
    private boolean dropWaitingRun(ProcessRun.CancelCause cause) {
        if (pendingRestart != null) {
            cancelPendingRestart();
        } else if (run != null && run.thread == null) {
            run.cancel(cause);
            run.left();
            run = null;
        } else if (run == null && groupOrder != null) {
            groupOrder = null; // it was waiting for its group's restart
        } else if (status == ProcessStatus.STANDBY) {
            host.leases.withdraw(this);
        } else {
            return false;
        }
        return true;
    }

    /** Cancels the run in progress, if any; it ends in its own time. @return that run, or {@code null} */
    @GuardedBy("lock")
    private @Nullable ProcessRun cancelRun(ProcessRun.CancelCause cause) {
        if (run != null) {
            run.cancel(cause);
        }
        return run;
    }

    /**
     * Gives up on a run that outlived the shutdown timeout: reports where its thread is stuck, interrupts it
     * once more, and counts it as stopped. Its late end changes nothing.
     */
    void abandon(ProcessRun stuck) {
        synchronized (lock) {
            if (run != stuck) {
                return; // it ended after all
            }
            run = null;
            reportNotStopped(stuck, ExitReason.SHUTDOWN, ProcessStatus.STOPPED);
        }
    }

    /** Reports where the stuck run's thread is, interrupts it once more, and counts the run as ended. */
    private void reportNotStopped(ProcessRun stuck, ExitReason reason, ProcessStatus atRest) {
        Instant now = host.clock.instant();
        Thread thread = stuck.thread;
        ProcessNotStoppedException report = new ProcessNotStoppedException(name,
                Duration.ofNanos(host.ticker.getAsLong() - stuck.cancelNanos), thread);
        if (thread != null) {
            thread.interrupt();
        }
        count(reason, null, false, now);
        settle(atRest, now);
        emit(SupervisorEvent.Type.SHUTDOWN_TIMEOUT, reason, report, null, false);
        emit(SupervisorEvent.Type.STOPPED, reason, null, null, false);
        if (spec.singleton && reason == ExitReason.SHUTDOWN) {
            leaveLeaseToExpire(now, reason); // shutdown's only: a run its group abandons keeps it renewed till it ends
        }
    }

    /**
     * A run still going may be working under the lease, and the supervisor is going: nothing will renew the lease any
     * more, and it is never released under the run. It is left to expire in the store.
     *
     * @param abandonedBy who gave up on the run: {@code SHUTDOWN} (the shutdown-timeout report told it, or the run
     *                    shut its supervisor down), or {@code GROUP} (its group, before this shutdown)
     */
    @GuardedBy("lock")
    private void leaveLeaseToExpire(Instant now, ExitReason abandonedBy) {
        if (lease != null) {
            loseLease(LeaseLoss.EXPIRED, abandonedBy, now);
        }
        host.leases.forget(this);
    }

    /**
     * Counts the run that called {@link Supervisor#shutdown()} as stopped by it, now: it can only end after
     * shutdown has returned to it, when TERMINATED is out and its end event could no longer be delivered. Its
     * actual end changes nothing, as for an abandoned run.
     */
    void stoppedByOwnShutdown(ProcessRun self) {
        synchronized (lock) {
            if (run != self) {
                return;
            }
            Instant now = host.clock.instant();
            run = null;
            count(ExitReason.SHUTDOWN, null, false, now);
            settle(ProcessStatus.STOPPED, now);
            emit(SupervisorEvent.Type.STOPPED, ExitReason.SHUTDOWN, null, null, false);
            if (spec.singleton) {
                leaveLeaseToExpire(now, ExitReason.SHUTDOWN); // the run goes on after shutdown returns to it
            }
        }
    }

    // ---------------------------------------------------------------- the lease of a singleton

    /**
     * This node acquired the lease the process waits for in STANDBY: starts a run with its token.
     *
     * @return whether the process took it; if not (it stopped waiting meanwhile) the keeper gives it back
     */
    boolean leaseAcquired(Lease acquired) {
        ProcessRun submit;
        synchronized (lock) {
            if (closed || status != ProcessStatus.STANDBY || !host.leases.stillHeld(this, acquired)) {
                return false; // stopped waiting, or released meanwhile (a stop and a start since the acquisition)
            }
            lease = acquired;
            leaseHolder = acquired.owner();
            submit = newRun(false, ProcessStatus.STARTING);
            emit(SupervisorEvent.Type.LEASE_ACQUIRED);
        }
        submit(submit);
        return true;
    }

    /**
     * This node lost the lease: a run in progress is cancelled (it ends in its own time, then the process waits in
     * STANDBY); a run not begun or a pending restart is dropped, and the process waits in STANDBY at once.
     */
    void leaseLost(LeaseLoss reason) {
        synchronized (lock) {
            if (lease == null) {
                return;
            }
            Instant now = host.clock.instant();
            loseLease(reason, now);
            if (run != null && run.thread != null) {
                run.cancel(ProcessRun.CancelCause.LEASE_LOST);
                return;
            }
            dropWaitingRun(ProcessRun.CancelCause.LEASE_LOST);
            standby();
            emit(SupervisorEvent.Type.STATUS_CHANGED);
        }
    }

    /**
     * The keeper can keep no lease (the scheduler refused its timer): a singleton still waiting for its lease fails
     * with the refusal, as a process whose timer is refused does ({@link #failRefused}).
     */
    void failWithoutLeases(Throwable refusal) {
        synchronized (lock) {
            if (!closed && status == ProcessStatus.STANDBY && lease == null) {
                failRefused(null, refusal);
            }
        }
    }

    /** The keeper read who holds the lease this process waits for ({@code ""}: nobody). */
    void leaseHolderSeen(String holder) {
        synchronized (lock) {
            if (lease == null && !holder.equals(leaseHolder)) {
                leaseHolder = holder;
                publish(host.clock.instant());
            }
        }
    }

    /** {@return a new run, or {@code null} with the process in STANDBY: a singleton runs only under its lease} */
    private ProcessRun runOrStandby(boolean isRestart, ProcessStatus waitingStatus) {
        startedOnce = true;
        if (spec.singleton && lease == null) {
            standby();
            return null;
        }
        return newRun(isRestart, waitingStatus);
    }

    /**
     * Waits for the lease in STANDBY. A lease the keeper still renews for this process (kept after it was lost, while
     * the cancelled run wound down) is given back first: the next acquisition is a new one, and the keeper would
     * otherwise renew the old one for ever, seeing this node as the holder of the lease it waits for.
     */
    private void standby() {
        settle(ProcessStatus.STANDBY, host.clock.instant());
        host.leases.release(this);
        host.leases.want(this);
    }

    /** The process came to rest: it gives its lease back, so that another node may take it at once. */
    private void giveBackLease() {
        if (!spec.singleton) {
            return;
        }
        if (lease != null) {
            loseLease(LeaseLoss.RELEASED, host.clock.instant());
        }
        host.leases.release(this);
    }

    private void loseLease(LeaseLoss reason, Instant now) {
        loseLease(reason, null, now);
    }

    /** @param abandonedBy who gave up on a run that may still be working under the lease, or {@code null} */
    private void loseLease(LeaseLoss reason, @Nullable ExitReason abandonedBy, Instant now) {
        lease = null;
        lastLeaseLoss = reason;
        leaseHolder = "";
        publish(now);
        emit(SupervisorEvent.Type.LEASE_LOST, abandonedBy, null, null, false);
    }

    // ---------------------------------------------------------------- a run

    private void submit(ProcessRun submitted) {
        if (submitted == null) {
            return; // a singleton waiting for its lease
        }
        try {
            host.executor.execute(() -> execute(submitted));
        } catch (RuntimeException | Error rejected) {
            synchronized (lock) {
                if (run == submitted) {
                    failRefused(submitted, rejected);
                }
            }
            return;
        }
        if (host.runTakeTimeout != null) {
            checkTakenIn(submitted, host.runTakeTimeout);
        }
    }

    /**
     * Refuses the run, as if the executor had thrown, unless one of its threads takes it within the timeout. An
     * executor may drop a run it took without throwing (a discard policy, a caller-runs policy once shut down, its
     * queue emptied by {@code shutdownNow()}), which nothing else tells from a run waiting for a thread: the process
     * would be {@code STARTING} for ever. A check the scheduler refuses refuses the run at once.
     */
    private void checkTakenIn(ProcessRun submitted, Duration timeout) {
        synchronized (lock) {
            if (run != submitted || submitted.isTaken()) {
                return;
            }
            try {
                submitted.takeCheck = host.scheduler.schedule(() -> refuseIfNotTaken(submitted, timeout),
                        timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RuntimeException | Error refused) {
                failRefused(submitted, refused);
            }
        }
    }

    private void refuseIfNotTaken(ProcessRun submitted, Duration timeout) {
        synchronized (lock) {
            if (run == submitted && !submitted.isTaken()) {
                failRefused(submitted, new RejectedExecutionException("the executor took the run but has not begun"
                        + " it within " + timeout.toSeconds() + " s: it dropped the run without throwing, or has no"
                        + " thread free for it"));
            }
        }
    }

    /**
     * The executor refused a run (or did not begin it in time: see {@link #checkTakenIn}), or the scheduler a timer
     * the process needs to go on (a restart's delay, its watchdog's first check), or either failed to take it
     * another way (an {@link OutOfMemoryError} when no more threads can be made, at FATAL): an executor or scheduler
     * the user passed in may have been shut down while the supervisor runs. The run never begins, so the process
     * must not be left {@code STARTING}, {@code RESTARTING} or {@code RUNNING} with no body: it is {@code FAILED}
     * with the refusal as its last failure, which the {@code STATUS_CHANGED} event carries (and the log tells).
     *
     * @param refused the run that will not begin, or {@code null} if there is none yet (a restart's delay)
     * @param refusal what the executor or scheduler threw
     */
    @GuardedBy("lock")
    private void failRefused(@Nullable ProcessRun refused, Throwable refusal) {
        if (refused != null) {
            run = null;
            refused.left();
        }
        lastFailure = refusal;
        lastFailureTime = host.clock.instant();
        setStatusAtRest(ProcessStatus.FAILED, refusal);
        giveBackLease();
    }

    /** The task handed to the executor: one whole run on the executor's thread. */
    private void execute(ProcessRun current) {
        current.taken();
        if (current.isRestart()) {
            host.events.awaitBacklogBelowLimit(); // a restart loop must not outrun the listeners
        }
        if (!begin(current)) {
            return;
        }
        Thread thread = Thread.currentThread();
        String threadName = thread.getName();
        thread.setName("simplevisor-" + name);
        ProcessLogContext logContext = ProcessLogContext.open(name);
        // A run an executor passed in runs on the thread that submits it (a caller-runs policy) runs inside another
        // run when that one starts a process: the thread is that run's own again afterwards.
        ProcessRun outer = ProcessRun.current();
        ProcessRun.setCurrent(current);
        Throwable error = runBody(current);
        // Nothing but a call after the body: this method is compiled while thousands of runs are inside their
        // bodies and none has come back, so a branch here would be compiled as never taken and every run returning
        // at shutdown would be deoptimized on its own.
        afterBody(current, error, thread, threadName, logContext, outer);
    }

    /** {@return what the process's body threw, or {@code null} if it returned} */
    private @Nullable Throwable runBody(ProcessRun current) {
        try {
            process.run(current);
            return null;
        } catch (Throwable thrown) {
            return thrown;
        }
    }

    /** Records how the run ended, then gives the thread back as it was. */
    private void afterBody(ProcessRun current, @Nullable Throwable error, Thread thread, String threadName,
            ProcessLogContext logContext, @Nullable ProcessRun outer) {
        if (handedOverToShutdown(current, error)) {
            return; // the thread is the supervisor's own and ends now: there is nothing to give back
        }
        try {
            ExitReason reason = classify(current, error);
            boolean recoverFailed = reason == ExitReason.CRASHED && !recover(error);
            exited(current, reason, error, recoverFailed);
        } finally {
            Thread.interrupted(); // a cancellation's interrupt must not reach the pooled thread's next task
            ProcessRun.setCurrent(outer);
            thread.setName(threadName);
            logContext.close();
        }
    }

    /** At shutdown, hands the account of the run's end to the thread stopping its priority level, if it takes it. */
    private boolean handedOverToShutdown(ProcessRun ended, @Nullable Throwable error) {
        if (ended.cancelCause() != ProcessRun.CancelCause.SHUTDOWN) {
            return false; // not ended by a shutdown: the lock is not taken for nothing on every restart
        }
        ShutdownLevel level;
        synchronized (lock) {
            level = run == ended ? ended.shutdownLevel : null;
        }
        return level != null && level.handOver(ended, error);
    }

    /**
     * Accounts for the end of a run whose thread handed it over to its shutdown level, on the thread stopping the
     * level. A run shutdown cancelled always has a cancel cause, so its end is never a crash and no recover handler
     * (which would belong on the run's own thread) is called.
     */
    void accountForHandedOverEnd(ProcessRun ended) {
        synchronized (lock) {
            ended.shutdownLevel = null; // counted as ended in the level when it was handed over
        }
        Throwable error = ended.handedOverError;
        ended.handedOverError = null;
        exited(ended, classify(ended, error), error, false);
    }

    private boolean begin(ProcessRun current) {
        synchronized (lock) {
            if (run != current) {
                return false; // cancelled before its thread reached it
            }
            Throwable refused = spec.watchdog == null ? null : scheduleWatchdog(current, spec.watchdog);
            if (refused != null) { // a run that would go unwatched does not begin
                failRefused(current, refused);
                return false;
            }
            Instant now = host.clock.instant();
            if (current.isRestart() && current.outsideLimit) {
                totalRestarts++; // restarted with its group's trigger, whose limit counts the restart
            } else if (current.isRestart()) {
                countRestart(); // counted when it happens: shutdown may cancel it during its delay
            }
            current.began(Thread.currentThread(), restartCount);
            totalStarts++;
            lastStartTime = now;
            status = ProcessStatus.RUNNING;
            publish(now);
            emit(SupervisorEvent.Type.STARTED, null, null, null, current.isRestart());
            return true;
        }
    }

    private static ExitReason classify(ProcessRun ended, @Nullable Throwable error) {
        ProcessRun.CancelCause cause = ended.cancelCause();
        if (cause == ProcessRun.CancelCause.WATCHDOG) {
            return ExitReason.FAILED;
        } else if (cause == ProcessRun.CancelCause.SHUTDOWN) {
            return ExitReason.SHUTDOWN;
        } else if (cause == ProcessRun.CancelCause.MANUAL) {
            return ExitReason.MANUAL;
        } else if (cause == ProcessRun.CancelCause.LEASE_LOST) {
            return ExitReason.LEASE_LOST;
        } else if (cause == ProcessRun.CancelCause.GROUP) {
            return ExitReason.GROUP;
        } else if (error == null) {
            return ExitReason.COMPLETED;
        } else if (error instanceof InterruptedException) {
            return ExitReason.CANCELLED;
        } else if (error instanceof Exception && !(error instanceof RuntimeException)) {
            return ExitReason.FAILED;
        }
        return ExitReason.CRASHED;
    }

    /** Calls the recover handler on the crashed run's thread; @return false if the handler itself threw */
    private boolean recover(@Nullable Throwable crash) {
        if (spec.recoverHandler == null) {
            return true;
        }
        try {
            spec.recoverHandler.accept(crash);
            return true;
        } catch (Throwable handlerFailure) {
            LOG.log(LoggingListener.severityOf(handlerFailure), "Recover handler of process \"{}\" threw while "
                    + "handling {}", name, crash, handlerFailure);
            return false;
        }
    }

    private void exited(ProcessRun ended, ExitReason reason, @Nullable Throwable error, boolean recoverFailed) {
        ProcessRun submit = null;
        NextStep step = null;
        Duration delay = null;
        long report = 0;
        synchronized (lock) {
            if (run != ended) {
                ended.left();
                return; // abandoned at the shutdown timeout: its end changes nothing
            }
            run = null;
            ended.markEnded(); // before its end is published: whoever sees it finds the context cancelled
            if (ended.abandoned) {
                submit = abandonedRunEnded();
            } else {
                Instant now = host.clock.instant();
                // Ended by its hang, unless its body had already ended (in its recover handler, say) when the
                // watchdog fired: that run keeps what it threw.
                boolean hung = ended.cancelCause() == ProcessRun.CancelCause.WATCHDOG && reason == ExitReason.FAILED;
                Throwable failure = hung ? ended.hang : error;
                count(reason, failure, recoverFailed, now);
                // A hung run was healthy until its last heartbeat only: the silence after it is no health.
                long healthyUntil = hung ? ended.lastHeartbeatNanos() : host.ticker.getAsLong();
                if (healthyUntil - ended.startNanos >= spec.healthyDuration.toNanos()) {
                    resetRestarts();
                }
                SupervisorEvent.Type endEvent = endEventOf(reason);
                step = nextStep(reason, ended, failure, now);
                switch (step) {
                    case START_AGAIN:
                        submit = startAgain();
                        emit(endEvent, reason, failure, null, false);
                        break;
                    case AS_GROUP_ORDERED:
                        followGroupOrderAfterRun(endEvent, reason, failure, now);
                        break;
                    case STANDBY:
                        startAfterExit = false;
                        standby();
                        emit(endEvent, reason, failure, null, false);
                        break;
                    case REST_STOPPED:
                        settle(ProcessStatus.STOPPED, now);
                        emit(endEvent, reason, failure, null, false);
                        giveBackLease();
                        break;
                    case REST_FAILED:
                        settle(ProcessStatus.FAILED, now);
                        emit(endEvent, reason, failure, null, false);
                        giveBackLease();
                        break;
                    case LIMIT_EXCEEDED:
                        settle(ProcessStatus.FAILED, now);
                        emit(endEvent, reason, failure, null, false);
                        emit(SupervisorEvent.Type.RESTART_LIMIT_EXCEEDED, reason, failure, null, false);
                        giveBackLease();
                        if (group != null) {
                            report = group.reportWillFollow(); // before the lock's release: see ProcessGroup
                        }
                        break;
                    default:
                        delay = spec.restartDelay(consecutiveRestarts, ThreadLocalRandom.current().nextDouble());
                        settle(ProcessStatus.RESTARTING, now);
                        emit(endEvent, reason, failure, null, false);
                        emit(SupervisorEvent.Type.RESTARTING, reason, failure, delay, false);
                        if (step == NextStep.RESTART_WITH_GROUP) {
                            groupOrder = new ProcessGroup.Order(ProcessGroup.Decision.RESTART, delay);
                            restartCountsAsTrigger = true;
                            ownRestartReportsOnTheirWay++;
                            report = group.reportWillFollow(); // before the lock's release: see ProcessGroup
                        } else {
                            submit = scheduleRestart(delay);
                        }
                        break;
                }
            }
            ended.left(); // only now: a shutdown waiting for this run must find its end event already queued
        }
        if (submit != null) {
            Thread.interrupted(); // the ended run's interrupt (its cancellation's) is not the next run's business
            submit(submit);
        }
        if (group != null) { // told only now, outside the lock: see ProcessGroup on the order of locks
            try {
                group.runEnded(this, ended);
            } finally { // whatever happens, a report ends its reportWillFollow()
                if (step == NextStep.RESTART_WITH_GROUP) {
                    group.restartDue(this, delay, report);
                } else if (step == NextStep.LIMIT_EXCEEDED) {
                    group.limitExceeded(this, report);
                }
            }
        }
    }

    /** What follows the end of a run. */
    private enum NextStep {
        START_AGAIN, AS_GROUP_ORDERED, STANDBY, REST_STOPPED, REST_FAILED, LIMIT_EXCEEDED, RESTART, RESTART_WITH_GROUP
    }

    /** The next step; a singleton that would run again without its lease waits for it in STANDBY instead. */
    @GuardedBy("lock")
    private NextStep nextStep(ExitReason reason, ProcessRun ended, @Nullable Throwable failure, Instant now) {
        NextStep step = nextStepByPolicy(reason, ended, failure, now);
        boolean runsAgain = step == NextStep.START_AGAIN || step == NextStep.RESTART
                || step == NextStep.RESTART_WITH_GROUP;
        return runsAgain && spec.singleton && lease == null ? NextStep.STANDBY : step;
    }

    @GuardedBy("lock")
    private NextStep nextStepByPolicy(ExitReason reason, ProcessRun ended, @Nullable Throwable failure,
            Instant now) {
        ProcessRun.CancelCause cancelCause = ended.cancelCause();
        if (startAfterExit && !closed) {
            return NextStep.START_AGAIN;
        } else if (groupOrder != null) {
            return NextStep.AS_GROUP_ORDERED;
        } else if (ended.stopRequested) {
            return NextStep.REST_STOPPED; // an operator's stop after another cancellation (watchdog, lease) came first
        } else if (reason == ExitReason.LEASE_LOST && !closed) {
            return NextStep.STANDBY;
        } else if (reason.isCancellation() || cancelCause == ProcessRun.CancelCause.MANUAL
                || cancelCause == ProcessRun.CancelCause.GROUP) {
            // The last two: a stop that came after the run had ended (its reason was already classified) but before
            // this account of its end. The stop still stops it.
            return NextStep.REST_STOPPED;
        } else if (!spec.policy.restartsAfter(reason) || spec.forbidsRestartAfter(failure)) {
            return reason == ExitReason.COMPLETED ? NextStep.REST_STOPPED : NextStep.REST_FAILED;
        } else if (closed) {
            return NextStep.REST_STOPPED; // ended on its own while shutdown began: no restart
        } else if (restartLimitReached()) {
            return NextStep.LIMIT_EXCEEDED;
        }
        return restartsWithGroup ? NextStep.RESTART_WITH_GROUP : NextStep.RESTART;
    }

    /**
     * Starts the process again at once, with a fresh restart count, as an operator asked while its run ended.
     *
     * @return the run, or {@code null} with a singleton waiting for its lease in STANDBY
     */
    private @Nullable ProcessRun startAgain() {
        startAfterExit = false;
        groupOrder = null;
        resetRestarts();
        return runOrStandby(false, ProcessStatus.STARTING);
    }

    /**
     * The end of a run its group gave up on, which was counted and reported then: it only lets go a start that
     * waited for it.
     *
     * @return the run to submit, or {@code null}
     */
    private ProcessRun abandonedRunEnded() {
        if (!startAfterExit || closed) {
            giveBackLease(); // renewed until now: the abandoned run might still have been working under it
            return null;
        }
        ProcessRun next = startAgain();
        emit(SupervisorEvent.Type.STATUS_CHANGED);
        return next;
    }

    // ---------------------------------------------------------------- what the group asks of its member

    /**
     * Cancels this member for its group: its run ends and then follows {@code order}; a restart or a start that
     * is only waiting is dropped, and the order is followed at once, except that a first start that had not begun
     * (the member never ran since) starts afresh with the group unless the group gives up. A lock of its own, taken
     * under the group's.
     *
     * @param order      what follows: held for the group's start (status RESTARTING), STOPPED or FAILED
     * @param alsoAtRest whether a member with no run and no restart due is concerned too: held for the group's start
     * @param report     the number of the report the group acts on: a member an operator started after that end is
     *                   not concerned, as it would not have been had the report come first
     * @return the decision the member follows, or none if it is not concerned; and the run to wait for, if any
     */
    ProcessGroup.Cancellation cancelForGroup(ProcessGroup.Order order, boolean alsoAtRest, long report) {
        synchronized (lock) {
            if (report <= operatorsStartAfterReport) {
                return ProcessGroup.Cancellation.NOT_CONCERNED;
            }
            boolean heldForGroup = run == null && groupOrder != null;
            boolean stoppedByOperator = run != null && (run.cancelCause() == ProcessRun.CancelCause.MANUAL
                    || run.stopRequested) && !startAfterExit;
            // A run the group is already stopping for good (it gave up on the member, or does not restart it) is
            // at rest for a later trigger, as the member will be once the run has ended.
            boolean stoppedByGroup = run != null && groupOrder != null && !groupOrder.decision.holds();
            boolean atRest = (run == null && pendingRestart == null && !heldForGroup) || stoppedByOperator
                    || stoppedByGroup;
            if (!closed && run != null && run.abandoned && (alsoAtRest || startAfterExit)) {
                if (order.decision == ProcessGroup.Decision.FAIL) {
                    // Giving up drops a start waiting for the stuck run's end, as below one waiting for any run's
                    // end: the member, FAILED since the group abandoned its run, stays so
                    startAfterExit = false;
                    return new ProcessGroup.Cancellation(ProcessGroup.Decision.FAIL, null);
                }
                // An operator's restart of the group: like start(name), it begins once the stuck run has ended,
                // by itself, as the group does not wait for a run it gave up on. It is one of those that will start
                // afresh (the group's start of it then finds no order and does nothing), also for a later trigger.
                startAfterExit = true;
                return new ProcessGroup.Cancellation(ProcessGroup.Decision.START_AFRESH, null);
            }
            if (closed || (run != null && run.abandoned) || (atRest && !alsoAtRest)) {
                return ProcessGroup.Cancellation.NOT_CONCERNED;
            }
            // An operator's start or restart still waiting for the run's end is a first start that has not begun:
            // it starts afresh with the group, as below, unless the group gives up
            boolean operatorsStartWaits = startAfterExit;
            startAfterExit = false;
            boolean waitsToStartAfresh = groupOrder != null
                    && groupOrder.decision == ProcessGroup.Decision.START_AFRESH;
            if (run != null && run.thread != null) {
                // restartGroup cancelled it to start afresh: a later trigger keeps that, as below, unless it gives up
                if (order.decision == ProcessGroup.Decision.FAIL || !(waitsToStartAfresh || operatorsStartWaits)) {
                    groupOrder = order;
                } else if (operatorsStartWaits) {
                    groupOrder = new ProcessGroup.Order(ProcessGroup.Decision.START_AFRESH, order.delay);
                }
                run.cancel(ProcessRun.CancelCause.GROUP);
                return new ProcessGroup.Cancellation(groupOrder.decision, run);
            }
            // its thread has not reached it yet; or it waits to start afresh with the group (registered during
            // a group restart, restartGroup, or such a first start dropped before): a later trigger keeps that
            boolean unbegunStart = (run != null && !run.isRestart()) || (heldForGroup && waitsToStartAfresh);
            boolean unbegunOwnRestart = run != null && run.isRestart() && !run.outsideLimit;
            ProcessGroup.Order previous = groupOrder;
            dropWaitingRun(ProcessRun.CancelCause.GROUP); // the group's start replaces whatever waited
            ProcessGroup.Order followed = unbegunStart && order.decision != ProcessGroup.Decision.FAIL
                    ? new ProcessGroup.Order(ProcessGroup.Decision.START_AFRESH, order.delay) : order;
            followGroupOrderAtOnce(followed, previous);
            if (unbegunOwnRestart && followed.decision == ProcessGroup.Decision.RESTART) {
                restartCountsAsTrigger = true; // its own restart, dropped before it began, still counts
            }
            return new ProcessGroup.Cancellation(followed.decision, null);
        }
    }

    /** Follows what the group ordered at once, as the process has no run in progress. */
    private void followGroupOrderAtOnce(ProcessGroup.Order order, ProcessGroup.@Nullable Order previous) {
        groupOrder = order.decision.holds() ? order : null;
        settle(order.decision.status(), host.clock.instant());
        if (order.decision == ProcessGroup.Decision.RESTART
                && (previous == null || previous.decision != ProcessGroup.Decision.RESTART)) {
            emit(SupervisorEvent.Type.RESTARTING, ExitReason.GROUP, null, order.delay, false);
        } else if (status != lastEmittedStatus) {
            emit(SupervisorEvent.Type.STATUS_CHANGED);
        }
        if (!order.decision.holds()) {
            giveBackLease(); // at rest
        }
    }

    /** Follows what the group ordered, now that the run it cancelled has ended. */
    private void followGroupOrderAfterRun(SupervisorEvent.Type endEvent, ExitReason reason,
            @Nullable Throwable failure, Instant now) {
        ProcessGroup.Order order = groupOrder;
        settle(order.decision.status(), now);
        emit(endEvent, reason, failure, null, false);
        if (order.decision == ProcessGroup.Decision.RESTART) {
            emit(SupervisorEvent.Type.RESTARTING, reason, failure, order.delay, false);
        }
        if (!order.decision.holds()) {
            groupOrder = null;
            giveBackLease(); // at rest
        }
    }

    /**
     * {@return whether this member has no run and waits for a group restart its own end asked for, whose report has
     * not reached its group yet} A lock of its own, taken under the group's.
     */
    boolean ownGroupRestartOnItsWay() {
        synchronized (lock) {
            return ownRestartReportsOnTheirWay > 0 && run == null && groupOrder != null
                    && groupOrder.decision == ProcessGroup.Decision.RESTART;
        }
    }

    /**
     * {@return whether this member will start with its group's restart in progress} It waits for the group's start
     * (with its cancelled run ending, or none), or it starts afresh by itself once the run its group abandoned has
     * ended. An operator's start, stop or restart since the group involved it replaces that. A lock of its own,
     * taken under the group's.
     */
    boolean startsWithGroupRestart() {
        synchronized (lock) {
            return (groupOrder != null && groupOrder.decision.holds())
                    || (run != null && run.abandoned && startAfterExit);
        }
    }

    /**
     * Its group has the report of a group restart its own end asked for. {@return whether this member has no run and
     * still waits for that restart} Not when an operator's {@code restartGroup} has meanwhile ordered it to start
     * afresh.
     */
    boolean ownGroupRestartReported() {
        synchronized (lock) {
            ownRestartReportsOnTheirWay--;
            return run == null && groupOrder != null && groupOrder.decision == ProcessGroup.Decision.RESTART;
        }
    }

    /**
     * Starts this member for its group, if it still waits for that: an operator or shutdown may have taken it over.
     * A restart counts in the totals; against the restart limit only for a trigger of the group restart.
     *
     * @param trigger whether this member's own end triggered the group restart
     * @return what submits the run, to be called outside every lock; {@code null} if the member does not start
     */
    Runnable startForGroup(boolean trigger) {
        ProcessRun submit;
        synchronized (lock) {
            if (closed || run != null || groupOrder == null || ownRestartReportsOnTheirWay > 0) {
                // The last: its own end asked for a group restart that its group has not heard of yet, which it
                // joins, announced, rather than being started silently by this one.
                return null;
            }
            boolean afresh = groupOrder.decision == ProcessGroup.Decision.START_AFRESH;
            boolean countsAgainstLimit = trigger || restartCountsAsTrigger;
            groupOrder = null;
            if (afresh) {
                resetRestarts();
            }
            submit = runOrStandby(!afresh, afresh ? ProcessStatus.STARTING : ProcessStatus.RESTARTING);
            if (submit != null) {
                submit.outsideLimit = !afresh && !countsAgainstLimit;
            }
            if (status != lastEmittedStatus) {
                emit(SupervisorEvent.Type.STATUS_CHANGED); // starting afresh, or a singleton waiting for its lease
            }
        }
        return () -> submit(submit);
    }

    /**
     * The group's start this member waits for cannot come (the scheduler refused the group restart's delay): it fails
     * as a process whose own restart's delay is refused ({@link #failRefused}).
     */
    void failForGroup(Throwable refusal) {
        synchronized (lock) {
            if (closed || run != null || groupOrder == null) {
                return; // not waiting for the group's start
            }
            groupOrder = null;
            failRefused(null, refusal);
        }
    }

    /**
     * Gives up on a run that outlived the shutdown timeout after its group cancelled it: reports it as shutdown
     * does, and leaves the process FAILED. Unlike at shutdown the run stays the process's own until its thread
     * ends, so that nothing starts a second run of it meanwhile.
     *
     * @return whether the run was still in progress
     */
    boolean abandonForGroup(ProcessRun stuck) {
        synchronized (lock) {
            if (run != stuck || stuck.abandoned || closed) {
                return false; // it ended after all, or shutdown waits for it now
            }
            stuck.abandoned = true;
            groupOrder = null;
            startAfterExit = false;
            reportNotStopped(stuck, ExitReason.GROUP, ProcessStatus.FAILED);
            return true;
        }
    }

    /** {@return whether {@code candidate} is this process's run, in progress or abandoned by its group} */
    boolean isCurrentRun(ProcessRun candidate) {
        synchronized (lock) {
            return run == candidate;
        }
    }

    /** {@return the thread of a run its group gave up on that is still going, or {@code null}} */
    @Nullable Thread threadAbandonedByGroup() {
        synchronized (lock) {
            return run != null && run.abandoned ? run.thread : null;
        }
    }

    @GuardedBy("lock")
    private void count(ExitReason reason, @Nullable Throwable failure, boolean recoverFailed, Instant now) {
        totalExits++;
        lastExitReason = reason;
        if (recoverFailed) {
            totalRecoverFailures++;
        }
        if (reason == ExitReason.FAILED) {
            totalFailures++;
        } else if (reason == ExitReason.CRASHED) {
            totalCrashes++;
        }
        if (reason.isFailure()) {
            lastFailure = failure;
            lastFailureTime = now;
        }
    }

    private static SupervisorEvent.Type endEventOf(ExitReason reason) {
        switch (reason) {
            case COMPLETED:
                return SupervisorEvent.Type.COMPLETED;
            case FAILED:
                return SupervisorEvent.Type.FAILED;
            case CRASHED:
                return SupervisorEvent.Type.CRASHED;
            default:
                return SupervisorEvent.Type.STOPPED;
        }
    }

    @GuardedBy("lock")
    private boolean restartLimitReached() {
        if (spec.unlimitedRestarts()) {
            return false;
        }
        forgetRestartsOutsideWindow(host.ticker.getAsLong());
        return restartCount >= spec.maxRestarts;
    }

    /** {@return the run to submit now for a zero delay, or {@code null} when the restart waits on the scheduler} */
    @GuardedBy("lock")
    private @Nullable ProcessRun scheduleRestart(Duration delay) {
        if (delay.isZero()) {
            return newRun(true, ProcessStatus.RESTARTING);
        }
        long generation = ++restartGeneration;
        try {
            pendingRestart = host.scheduler.schedule(() -> restartDue(generation), delay.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RuntimeException | Error refused) {
            failRefused(null, refused);
        }
        return null;
    }

    private void restartDue(long generation) {
        ProcessRun submit;
        synchronized (lock) {
            if (closed || pendingRestart == null || generation != restartGeneration) {
                return; // cancelled, or superseded by a later restart
            }
            pendingRestart = null;
            submit = newRun(true, ProcessStatus.RESTARTING);
        }
        submit(submit);
    }

    @GuardedBy("lock")
    private void countRestart() {
        restartCount = saturatedIncrement(restartCount);
        consecutiveRestarts = saturatedIncrement(consecutiveRestarts);
        totalRestarts++;
        if (restartTimes != null) {
            long now = host.ticker.getAsLong();
            restartTimes.addLast(now);
            forgetRestartsOutsideWindow(now); // also without a limit, which never looks: a crash loop must not grow it
        }
    }

    /** {@return {@code n + 1}, or {@code n} at the largest int: an endless restart loop must not wrap to negative} */
    private static int saturatedIncrement(int n) {
        return n == Integer.MAX_VALUE ? n : n + 1;
    }

    /**
     * With a restart window, forgets the restarts that have left it and makes the restart count those still within
     * it (Erlang's intensity within its period): a restart just counted and a limit check see the same rule.
     */
    @GuardedBy("lock")
    private void forgetRestartsOutsideWindow(long nowNanos) {
        if (restartTimes == null || spec.restartWindow == null) {
            return;
        }
        long window = spec.restartWindow.toNanos();
        // The oldest first: the ticker never goes back, whatever the wall clock does. One exactly a window old is
        // still within it, as Erlang counts its period.
        while (!restartTimes.isEmpty() && nowNanos - restartTimes.peekFirst() > window) {
            restartTimes.removeFirst();
        }
        restartCount = restartTimes.size();
        if (restartCount > 0) {
            oldestRestartNanos = restartTimes.peekFirst();
        }
    }

    // ---------------------------------------------------------------- the watchdog

    /**
     * Puts the watchdog's next check of a run on the scheduler, which may refuse it (see {@link #failRefused}).
     *
     * @return what the scheduler threw when it refused the check, or {@code null} if it took it
     */
    @GuardedBy("lock")
    private @Nullable Throwable scheduleWatchdog(ProcessRun watched, Duration after) {
        try {
            watched.watchdogCheck = host.scheduler.schedule(() -> checkHeartbeat(watched), after.toNanos(),
                    TimeUnit.NANOSECONDS);
            return null;
        } catch (RuntimeException | Error refused) {
            return refused;
        }
    }

    @SuppressWarnings("try") // the resource only scopes the ThreadContext entry
    private void checkHeartbeat(ProcessRun watched) {
        synchronized (lock) {
            // Once shutdown has begun, a run that goes quiet while the levels above it stop is no hang to alert
            // about: the shutdown stops it next, and its timeout reports a run that does not end.
            if (run != watched || watched.isCancelled() || closed) {
                return;
            }
            Instant now = host.clock.instant();
            Duration silence = Duration.ofNanos(host.ticker.getAsLong() - watched.lastHeartbeatNanos());
            if (silence.compareTo(spec.watchdog) < 0) {
                Throwable refused = scheduleWatchdog(watched, spec.watchdog.minus(silence));
                if (refused != null) { // the process cannot fail under a run in progress: it goes on, unwatched
                    try (ProcessLogContext context = ProcessLogContext.open(name)) {
                        LOG.log(LoggingListener.severityOf(refused), "Process \"{}\": the scheduler refused the"
                                + " watchdog's next check; the run goes on unwatched", name, refused);
                    }
                }
                return;
            }
            watched.hang = new ProcessHungException(name, silence, spec.watchdog, watched.thread);
            publish(now);
            emit(SupervisorEvent.Type.HUNG, null, watched.hang, null, false);
            watched.cancel(ProcessRun.CancelCause.WATCHDOG);
        }
    }

    // ---------------------------------------------------------------- helpers

    @GuardedBy("lock")
    private ProcessRun newRun(boolean isRestart, ProcessStatus waitingStatus) {
        restartCountsAsTrigger = false;
        run = new ProcessRun(name, host.ticker, host.scheduler, isRestart, lease == null ? 0 : lease.token());
        settle(waitingStatus, host.clock.instant());
        return run;
    }

    @GuardedBy("lock")
    private void cancelPendingRestart() {
        if (pendingRestart != null) {
            Timers.cancel(host.scheduler, pendingRestart);
            pendingRestart = null;
        }
    }

    @GuardedBy("lock")
    private void resetRestarts() {
        restartCount = 0;
        consecutiveRestarts = 0;
        if (restartTimes != null) {
            restartTimes.clear();
        }
    }

    @GuardedBy("lock")
    private void settle(ProcessStatus next, Instant now) {
        status = next;
        publish(now);
    }

    @GuardedBy("lock")
    private void setStatusAtRest(ProcessStatus atRest, @Nullable Throwable error) {
        settle(atRest, host.clock.instant());
        emit(SupervisorEvent.Type.STATUS_CHANGED, null, error, null, false);
    }

    @GuardedBy("lock")
    private void publish(Instant now) {
        if (restartTimes != null) {
            forgetRestartsOutsideWindow(host.ticker.getAsLong()); // the restart count of that moment
        }
        snapshot = new ProcessSnapshot(name, status, spec.policy, restartCount, spec.maxRestarts, spec.restartDelay,
                spec.priority, spec.group, totalStarts, totalExits, totalFailures, totalCrashes, totalRestarts,
                totalRecoverFailures, lastExitReason, lastFailure, lastFailureTime, lastStartTime,
                spec.singleton ? new LeaseState(leaseHolder, lease == null ? 0 : lease.token(), lastLeaseLoss) : null,
                now);
    }

    @GuardedBy("lock")
    private void emit(SupervisorEvent.Type type) {
        emit(type, null, null, null, false);
    }

    @GuardedBy("lock")
    private void emit(SupervisorEvent.Type type, @Nullable ExitReason reason, @Nullable Throwable error,
            @Nullable Duration delay, boolean restart) {
        ProcessSnapshot current = snapshot;
        host.events.publish(new SupervisorEvent(type, host.supervisorName, name, lastEmittedStatus, current,
                reason, error, delay, restart, current.takenAt()));
        lastEmittedStatus = current.status();
    }
}
