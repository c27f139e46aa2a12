package org.simplevisor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the leases of one supervisor's singletons, all of them in one loop: every renewal interval one
 * <em>round</em> releases what is to be released, renews every lease held (one call of {@link LeaseStore#renew}),
 * reads the holders of every lease wanted (one call of {@link LeaseStore#holders}) and tries to acquire those that
 * are free, for as long as one renewal interval allows (the next round, at once, renews first and tries the rest).
 * So the load on the store stays flat however many singletons there are.
 *
 * <p>Rounds run one at a time on one worker thread of their own, so that a store that hangs delays neither restart
 * delays nor watchdogs on the scheduler, nor the deadline check: that runs on the scheduler at each held lease's
 * local deadline, measured from before the last successful renewal (or the acquisition) was sent, and cancels the
 * run of a lease that no renewal has kept. A failed renewal is tried again by a round before the next tick when that
 * would come too close to the deadline ({@link LeaseTiming#retryDelayNanos}). A lease is renewed until its process
 * gives it back, also after it was given up at its deadline: while the cancelled run winds down, nobody else may take
 * it if renewals succeed again.
 *
 * <p>A store call that never returns (a borrow from an exhausted pool without a borrow timeout, a socket that never
 * answers) must not end the keeping for good: a round that has lasted the renewal deadline, by which every lease it
 * was to renew has been given up, is abandoned to its thread, and the rounds go on on a new one. What the abandoned
 * round still learns from the store is ignored, what it acquired it gives back, and what it was to give back the next
 * round gives back. One abandoned thread at a time: while it hangs, the next round waits rather than leaving a thread
 * behind every renewal deadline (a hang that begins an outage is logged then all the same). The store is
 * prepared by the first round too, so that one that hangs at start is left the same way: the supervisor's start
 * waits for it at most the renewal deadline.
 *
 * <p>A scheduler that refuses the keeper's timers (the user's, shut down while the supervisor runs), or fails to take
 * one another way (an {@link OutOfMemoryError} when no thread can be made), ends the keeping: without ticks nothing
 * is renewed and without deadline checks nothing stops a run whose lease expires. So the runs under a lease are
 * cancelled at once (their leases, renewed within the last interval, outlast them as a deadline would) and every
 * singleton then waiting for its lease is {@code FAILED} with the refusal, logged at ERROR (FATAL for an
 * OutOfMemoryError) once. A round for which no thread can be made is rather a renewal that failed: logged, tried
 * again at the next tick, and the deadline check stops the runs whose leases it did not renew.
 *
 * <p>Lock order: a process's lock, then this keeper's. The keeper never calls a process while holding its own lock,
 * and a process calls the keeper's {@link #want}, {@link #withdraw}, {@link #release} and {@link #forget} under
 * its lock; they only note and schedule.
 */
final class LeaseKeeper {

    private static final Logger LOG = LogManager.getLogger(Supervisor.class);
    /** How long an idle worker thread is given to exit at shutdown. */
    private static final long WORKER_EXIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** One lease this node acquired and has not given back yet. */
    private static final class Holding {
        final Lease lease;
        long deadline;          // in ticker nanoseconds: when the run stops unless a renewal succeeds first
        boolean givenUp;        // the process was told it lost the lease; renewals go on until it gives it back
        boolean gone;           // the store no longer has it as ours: nothing to renew or release

        Holding(Lease lease, long deadline) {
            this.lease = lease;
            this.deadline = deadline;
        }
    }

    private final LeaseStore store;
    private final String nodeId;
    private final String supervisorName;
    private final LeaseTiming timing;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier ticker;
    private final OwnedThreads workerThreads;
    private final ThreadFactory threads;      // workerThreads, unless a test makes them through a factory of its own

    private final Object lock = new Object();
    // Guarded by lock.
    private final Map<ManagedProcess, Holding> held = new LinkedHashMap<>();
    private final Set<ManagedProcess> wanted = new LinkedHashSet<>();
    private final List<Lease> toRelease = new ArrayList<>();
    private boolean started;
    private boolean closed;
    private boolean roundRunning;
    private boolean roundAgain;
    private ScheduledFuture<?> nextTick;
    private ScheduledFuture<?> deadlineCheck;
    private ScheduledFuture<?> renewalRetry;   // a round before the next tick, after a failed renewal
    private ExecutorService worker;
    private Thread roundThread;        // the thread of the round in progress, null between rounds
    private long roundStarted;         // in ticker nanoseconds
    private Thread abandonedThread;    // the last round abandoned in a store call that did not return
    private CompletableFuture<Void> preparedAtStart; // what start() waits for; failed by a misconfigured store
    private Throwable timerRefusal;    // the scheduler refused a timer: no more keeping
    private boolean roundRefused;      // no thread could be made for the last round requested: logged once

    private volatile boolean prepared;
    /** Whether the store's last answer was a failure: an outage is logged once. */
    private final AtomicBoolean failing = new AtomicBoolean();

    /**
     * @param ticker  monotonic nanoseconds: {@link System#nanoTime()}, or the supervisor's clock when a test gives
     *                one, so that deadlines and the scheduler's delays agree
     * @param threads what the keeper's threads are made through, given the factory that makes them: for tests,
     *                {@link UnaryOperator#identity()} otherwise
     */
    LeaseKeeper(LeaseStore store, String nodeId, String supervisorName, ScheduledExecutorService scheduler,
            LongSupplier ticker, UnaryOperator<ThreadFactory> threads) {
        this.store = store;
        this.nodeId = nodeId;
        this.supervisorName = supervisorName;
        this.timing = store.timing();
        this.scheduler = scheduler;
        this.ticker = ticker;
        workerThreads = new OwnedThreads(Supervisor.threadNamePrefix(supervisorName) + "-lease-", true);
        this.threads = threads.apply(workerThreads);
        worker = newWorker();
    }

    private ExecutorService newWorker() {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.NANOSECONDS, new LinkedBlockingQueue<>(), threads);
    }

    String nodeId() {
        return nodeId;
    }

    /** {@return the lease of a process: named after the supervisor and the process, so applications never collide} */
    String leaseName(ManagedProcess process) {
        return leaseName(supervisorName, process.name);
    }

    /** {@return the lease of a supervisor's process} */
    static String leaseName(String supervisorName, String processName) {
        return supervisorName + "/" + processName;
    }

    // ---------------------------------------------------------------- the supervisor's side

    /**
     * Prepares the store when the supervisor starts: the first round does, and this waits for it at most the renewal
     * deadline. A store that cannot be reached, or that does not answer by then, is tried again by every round (a
     * call still hanging is left to its thread), singletons waiting in STANDBY meanwhile. Concurrent starts (two
     * {@code run()} calls at once) share one wait; a start once the store is prepared does not wait.
     *
     * @throws IllegalStateException if the store is misconfigured: the supervisor must not start
     */
    void start() {
        CompletableFuture<Void> preparing;
        Optional<ScheduledFuture<?>> timeout = Optional.empty();
        boolean closedMeanwhile;
        synchronized (lock) {
            if (closed || prepared) {
                return; // shut down before it started, or started already: no store to wait for
            }
            if (preparedAtStart != null) {
                // A concurrent start waits for the store already: a wait of its own would never be answered, since
                // the round answers one wait only, and rounds prepare the store once.
                preparing = preparedAtStart;
            } else {
                preparing = new CompletableFuture<>();
                preparedAtStart = preparing;
                startLoop();
                timeout = scheduleOrRefuse(() -> preparing.complete(null), timing.renewDeadline().toNanos());
                if (timeout.isEmpty()) {
                    preparing.complete(null); // no keeping: the singletons fail, whatever the store
                }
            }
        }
        try {
            preparing.join();
        } catch (CompletionException misconfigured) {
            synchronized (lock) {
                started = false;
                cancel(nextTick);
            }
            Throwable e = misconfigured.getCause();
            if (e instanceof RuntimeException && !(e instanceof LeaseStoreException)) {
                throw (RuntimeException) e;
            }
            throw new IllegalStateException("Supervisor \"" + supervisorName + "\" cannot use its lease store: "
                    + (e instanceof LeaseStoreException ? e.getMessage() : e.toString()), e);
        } finally {
            timeout.ifPresent(this::cancel);
            synchronized (lock) {
                preparedAtStart = null;
                closedMeanwhile = closed; // close() ended the wait, not the renewal deadline
            }
        }
        if (timeout.isPresent() && !closedMeanwhile && !prepared && failing.compareAndSet(false, true)) {
            LOG.warn("Supervisor \"{}\": lease store {} unavailable: it has not answered for {} ms at start; trying "
                    + "again every {} ms, singletons without their lease wait in STANDBY", supervisorName, store,
                    timing.renewDeadline().toMillis(), timing.renewInterval().toMillis());
        }
    }

    /** Starts the ticks, unless started. Under lock. */
    private void startLoop() {
        if (!started && !closed) {
            started = true;
            tick();
        }
    }

    /**
     * Stops the loop and gives back what processes have released, within the shutdown's deadline. A lease still
     * held (its run abandoned at the deadline) expires in the store.
     */
    void close(long deadlineNanos, DeferredInterrupts interrupts) {
        boolean releasing;
        ExecutorService lastWorker;
        Set<Thread> abandoned;
        synchronized (lock) {
            closed = true;
            if (preparedAtStart != null) {
                preparedAtStart.complete(null); // a start waiting for the store, whose timer may never run now
            }
            wanted.clear();
            cancel(nextTick);
            cancel(deadlineCheck);
            cancel(renewalRetry);
            releasing = !toRelease.isEmpty();
            requestRound(); // the last one: releases only
            lastWorker = worker;
            abandoned = abandonedThread == null ? Set.of() : Set.of(abandonedThread);
        }
        lastWorker.shutdown();
        // An idle worker only has to exit: a moment even when the processes used up the whole timeout.
        long joinDeadline = releasing ? deadlineNanos : OwnedThreads.deadlineAtLeast(deadlineNanos, WORKER_EXIT_NANOS);
        if (!interrupts.await(() -> workerThreads.joinAll(joinDeadline, abandoned))) {
            lastWorker.shutdownNow();
            LOG.warn("Supervisor \"{}\": the lease store did not answer before the shutdown deadline; leases not "
                    + "released expire after {} ms", supervisorName, timing.leaseTime().toMillis());
        }
    }

    /** {@return whether no round is running or due: for tests that drive time and then look} */
    boolean isIdle() {
        synchronized (lock) {
            return !roundRunning && toRelease.isEmpty();
        }
    }

    // ---------------------------------------------------------------- the processes' side (under their lock)

    /** The process waits in STANDBY for its lease: acquire it when free. */
    void want(ManagedProcess process) {
        synchronized (lock) {
            if (!closed) {
                wanted.add(process);
                if (timerRefusal != null) {
                    stopSingletons(); // it cannot be kept: fail it
                    return;
                }
                startLoop(); // a singleton registered after run(): its store is prepared by the first round
                requestRound();
            }
        }
    }

    /** The process no longer waits for its lease (stopped by an operator, or shut down). */
    void withdraw(ManagedProcess process) {
        synchronized (lock) {
            wanted.remove(process);
        }
    }

    /** The process is done with its lease: its run has ended. Give the lease back, if the store still has it. */
    void release(ManagedProcess process) {
        synchronized (lock) {
            Holding holding = held.remove(process);
            if (holding != null && !holding.gone) {
                toRelease.add(holding.lease);
                requestRound();
            }
        }
    }

    /**
     * {@return whether this acquisition is still the process's in the keeper: not released since it was made (an
     * operator's stop and start, or a group's restart, between the acquisition and its hand-over, releases it)}
     */
    boolean stillHeld(ManagedProcess process, Lease lease) {
        synchronized (lock) {
            Holding holding = held.get(process);
            return holding != null && holding.lease.equals(lease) && !holding.gone;
        }
    }

    /** The process's run was abandoned still running at shutdown: leave its lease to expire in the store. */
    void forget(ManagedProcess process) {
        synchronized (lock) {
            held.remove(process);
            wanted.remove(process);
        }
    }

    // ---------------------------------------------------------------- the loop

    /** Requests a round now and schedules the next tick. Under lock. */
    private void tick() {
        if (closed) {
            return;
        }
        abandonHangingRound();
        requestRound();
        scheduleOrRefuse(() -> {
            synchronized (lock) {
                tick();
            }
        }, timing.renewInterval().toNanos()).ifPresent(next -> nextTick = next);
    }

    /**
     * {@return the timer, or empty if the scheduler refused it}: the keeping ends then ({@link #stopSingletons}).
     * Under lock.
     */
    private Optional<ScheduledFuture<?>> scheduleOrRefuse(Runnable task, long delayNanos) {
        if (timerRefusal == null) {
            try {
                return Optional.of(scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS));
            } catch (RuntimeException | Error refused) {
                // An Error too (an OutOfMemoryError when no thread can be made, say): left to end the ticks, it would
                // leave the runs going under leases that nothing renews, nor gives up at their deadlines.
                timerRefusal = refused;
                LOG.log(LoggingListener.severityOf(refused), "Supervisor \"{}\": the scheduler refused the lease "
                        + "keeper's timer; no lease can be kept any more: singleton runs are stopped and singletons "
                        + "FAILED", supervisorName, refused);
                stopSingletons();
            }
        }
        return Optional.empty();
    }

    /**
     * After a refused timer: cancels the runs under a lease (they go to STANDBY, and come back here through
     * {@link #want}) and fails the singletons waiting for one, on a thread of its own, since the keeper calls no
     * process under its lock; on the worker's, after the round in progress, when no thread can be made. Under lock.
     */
    private void stopSingletons() {
        if (closed) {
            return;
        }
        try {
            threads.newThread(this::stopSingletonsNow).start();
        } catch (RuntimeException | Error noThread) {
            try {
                worker.execute(this::stopSingletonsNow);
            } catch (RuntimeException | Error noWorker) {
                LOG.log(LoggingListener.severityOf(noWorker), "Supervisor \"{}\": no thread to stop the singleton "
                        + "runs, which go on under leases that nothing renews", supervisorName, noWorker);
            }
        }
    }

    private void stopSingletonsNow() {
        List<ManagedProcess> holders = new ArrayList<>();
        List<ManagedProcess> waiting;
        Throwable refusal;
        synchronized (lock) {
            held.forEach((process, holding) -> {
                if (!holding.givenUp) {
                    holding.givenUp = true;
                    holders.add(process);
                }
            });
            waiting = new ArrayList<>(wanted);
            wanted.clear();
            refusal = timerRefusal;
        }
        holders.forEach(process -> process.leaseLost(LeaseLoss.RENEWAL_FAILED));
        waiting.forEach(process -> process.failWithoutLeases(refusal));
    }

    /** Runs a round on the worker, or another one right after the one in progress. Under lock. */
    private void requestRound() {
        if (!started) {
            return; // nothing to do before the loop starts
        }
        if (roundRunning) {
            roundAgain = true;
            return;
        }
        try {
            worker.execute(this::rounds);
            roundRunning = true;
            roundRefused = false;
        } catch (RejectedExecutionException shutDown) {
            // closed: the last round has been requested already
        } catch (RuntimeException | Error noThread) {
            // No thread for the worker (an OutOfMemoryError at the thread limit, say). As after a failed renewal, the
            // next tick tries again, and the deadline check stops a run whose lease no round renewed in time.
            if (roundRefused) {
                LOG.debug("Supervisor \"{}\": still no thread for a lease round: {}", supervisorName, noThread);
            } else {
                roundRefused = true;
                LOG.log(LoggingListener.severityOf(noThread), "Supervisor \"{}\": no thread for a lease round; "
                        + "trying again every {} ms, singleton runs whose lease is not renewed stop at their deadline",
                        supervisorName, timing.renewInterval().toMillis(), noThread);
            }
        }
    }

    /**
     * Leaves a round that has lasted the renewal deadline to its thread, and has the next one run on a new thread,
     * unless an earlier abandoned round still hangs too. Under lock.
     */
    private void abandonHangingRound() {
        if (roundThread == null || ticker.getAsLong() - roundStarted < timing.renewDeadline().toNanos()) {
            return;
        }
        long hangingMillis = TimeUnit.NANOSECONDS.toMillis(ticker.getAsLong() - roundStarted);
        if (abandonedThread != null && abandonedThread.isAlive()) {
            // Not abandoned, but an outage all the same, though the store may have answered since the earlier hang.
            if (failing.compareAndSet(false, true)) {
                LOG.warn("Supervisor \"{}\": lease store {} unavailable: a call has not returned for {} ms; the "
                        + "rounds wait for it, as thread \"{}\" still waits for an earlier one", supervisorName,
                        store, hangingMillis, abandonedThread.getName());
            }
            return;
        }
        if (failing.compareAndSet(false, true)) { // part of an outage, which is logged once
            LOG.warn("Supervisor \"{}\": lease store {} unavailable: a call has not returned for {} ms; leaving it to "
                    + "thread \"{}\" and keeping the leases on a new thread", supervisorName, store, hangingMillis,
                    roundThread.getName());
        } else {
            LOG.debug("Supervisor \"{}\": a call of lease store still hanging after {} ms left to thread \"{}\"",
                    supervisorName, hangingMillis, roundThread.getName());
        }
        abandonedThread = roundThread;
        roundThread = null;
        roundRunning = false;
        roundAgain = false;
        worker.shutdown(); // its thread ends once the hanging call returns
        worker = newWorker();
    }

    /** {@return whether the calling thread runs the keeper's rounds, rather than an abandoned one} Under lock. */
    private boolean isRoundThread() {
        return roundThread == Thread.currentThread();
    }

    private void rounds() {
        boolean again = true;
        while (again) {
            try {
                round();
            } catch (RuntimeException | Error unexpected) {
                // An Error too (a driver class that cannot be loaded, say): left to end the thread, it would leave the
                // round marked as running, and no round would run until a tick took the dead thread for a hanging one.
                LOG.log(LoggingListener.severityOf(unexpected), "Supervisor \"{}\": lease round failed",
                        supervisorName, unexpected);
            }
            synchronized (lock) {
                if (!isRoundThread()) {
                    return; // abandoned: the rounds go on on another thread
                }
                roundThread = null;
                again = roundAgain;
                roundAgain = false;
                roundRunning = again;
            }
        }
    }

    private void round() {
        long started = ticker.getAsLong();
        List<Lease> releases;
        Map<ManagedProcess, Lease> renewals = new LinkedHashMap<>();
        List<ManagedProcess> candidates;
        synchronized (lock) {
            roundThread = Thread.currentThread();
            roundStarted = started;
            // Left in toRelease until given back: a round abandoned before then leaves them to the next one.
            releases = new ArrayList<>(toRelease);
            if (!closed) {
                held.forEach((process, holding) -> {
                    if (!holding.gone) {
                        renewals.put(process, holding.lease);
                    }
                });
            }
            candidates = new ArrayList<>(wanted);
        }
        if (!prepared && (closed || !prepare())) {
            // Closed: nothing is acquired before the store is prepared, so the last round has nothing to give back,
            // and a store it prepared now (down, or not answering) would only hold the shutdown back.
            return;
        }
        for (Lease lease : releases) {
            giveBack(lease);
            synchronized (lock) {
                if (isRoundThread()) {
                    toRelease.remove(lease);
                }
            }
        }
        if (!renewals.isEmpty()) {
            renew(renewals);
        }
        if (!candidates.isEmpty()) {
            acquire(candidates, started);
        }
        scheduleDeadlineCheck();
    }

    /** Prepares the store, and tells a {@link #start} waiting for it how that went. */
    private boolean prepare() {
        try {
            store.prepare();
        } catch (LeaseStoreException | RuntimeException | LinkageError e) { // a driver that cannot be loaded, say
            boolean misconfigured = !(e instanceof LeaseStoreUnavailableException);
            if (!(misconfigured && failStart(e))) { // else start() throws it
                storeFailed("prepare", e);
                preparedAtStart().ifPresent(start -> start.complete(null));
            }
            return false;
        }
        synchronized (lock) {
            if (!isRoundThread()) {
                return false; // abandoned: a later round prepares again
            }
            prepared = true;
        }
        LOG.info("Supervisor \"{}\" keeps its singletons' leases in {} as node \"{}\"", supervisorName, store, nodeId);
        storeAnswered();
        preparedAtStart().ifPresent(start -> start.complete(null));
        return true;
    }

    /** {@return whether a start waiting for the store, not abandoned by this round, fails with this} */
    private boolean failStart(Throwable misconfiguration) {
        synchronized (lock) {
            return isRoundThread() && preparedAtStart != null
                    && preparedAtStart.completeExceptionally(misconfiguration);
        }
    }

    private Optional<CompletableFuture<Void>> preparedAtStart() {
        synchronized (lock) {
            return isRoundThread() ? Optional.ofNullable(preparedAtStart) : Optional.empty();
        }
    }

    private void giveBack(Lease lease) {
        try {
            store.release(lease);
            storeAnswered();
        } catch (LeaseStoreException | RuntimeException e) {
            storeFailed("release lease \"" + lease.name() + "\"", e); // it expires on its own
        }
    }

    private void renew(Map<ManagedProcess, Lease> renewals) {
        long sent = ticker.getAsLong();
        Set<Lease> renewed;
        try {
            renewed = store.renew(renewals.values());
            storeAnswered();
        } catch (LeaseStoreException | RuntimeException e) {
            storeFailed("renew " + renewals.size() + " lease(s)", e);
            retryBeforeDeadline();
            return;
        }
        List<ManagedProcess> lost = new ArrayList<>();
        synchronized (lock) {
            if (!isRoundThread()) {
                return; // abandoned: a later round renews them
            }
            renewals.forEach((process, lease) -> {
                Holding holding = held.get(process);
                if (holding == null || !holding.lease.equals(lease)) {
                    return; // released meanwhile
                }
                if (renewed.contains(lease)) {
                    holding.deadline = sent + timing.renewDeadline().toNanos();
                } else {
                    holding.gone = true;
                    if (!holding.givenUp) {
                        holding.givenUp = true;
                        lost.add(process);
                    }
                }
            });
        }
        lost.forEach(process -> process.leaseLost(LeaseLoss.EXPIRED));
    }

    /** @param started when the round began: its acquisitions stop once it has lasted a renewal interval */
    private void acquire(List<ManagedProcess> candidates, long started) {
        Map<String, Lease> holders;
        try {
            holders = store.holders(candidates.stream().map(this::leaseName).collect(Collectors.toList()));
            storeAnswered();
        } catch (LeaseStoreException | RuntimeException e) {
            storeFailed("read " + candidates.size() + " lease holder(s)", e);
            return;
        }
        boolean tried = false;
        for (ManagedProcess process : candidates) {
            Lease holder = holders.get(leaseName(process));
            process.leaseHolderSeen(holder == null ? "" : holder.owner());
            if (holder != null) {
                continue;
            }
            if (tried && ticker.getAsLong() - started >= timing.renewInterval().toNanos()) {
                // Many free leases on a slow store: one acquisition after another would hold back the renewals of
                // those held past their deadlines, stopping their runs. The next round, at once, renews first. Each
                // round acquires at least one, so that a store slow to renew still lets the rest be acquired.
                synchronized (lock) {
                    roundAgain = true;
                }
                return;
            }
            tried = true;
            if (!tryAcquire(process)) {
                return;
            }
        }
    }

    /** {@return whether to go on acquiring: the store answered, and the round was not abandoned} */
    private boolean tryAcquire(ManagedProcess process) {
        synchronized (lock) {
            if (!isRoundThread()) {
                return false;
            }
            if (!wanted.contains(process)) {
                return true;
            }
        }
        long sent = ticker.getAsLong();
        Optional<Lease> acquired;
        try {
            acquired = store.tryAcquire(leaseName(process), nodeId);
            storeAnswered();
        } catch (LeaseStoreException | RuntimeException e) {
            storeFailed("acquire lease \"" + leaseName(process) + "\"", e);
            return false;
        }
        if (acquired.isEmpty()) {
            return true;
        }
        Lease lease = acquired.get();
        long deadline = sent + timing.renewDeadline().toNanos();
        boolean kept;
        synchronized (lock) {
            // An answer that came back after its deadline may be of a lease that has expired in the store, and that
            // another node has taken since: a run started under it would be a second one.
            kept = !closed && timerRefusal == null && isRoundThread() && ticker.getAsLong() - deadline < 0
                    && wanted.remove(process);
            if (kept) {
                held.put(process, new Holding(lease, deadline));
            }
        }
        if (kept) {
            scheduleDeadlineCheck(); // before the run starts, so that nothing runs without a deadline
            kept = process.leaseAcquired(lease);
            boolean givenUpMeanwhile;
            synchronized (lock) {
                Holding holding = held.get(process);
                if (!kept && holding != null && holding.lease.equals(lease)) {
                    held.remove(process);
                }
                givenUpMeanwhile = kept && holding != null && holding.lease.equals(lease) && holding.givenUp;
            }
            if (givenUpMeanwhile) {
                // The deadline check ran before the process had the lease (its deadline passed during the
                // hand-over): it told a process without a lease, which ignored it. Tell it again now that it has one.
                process.leaseLost(LeaseLoss.RENEWAL_FAILED);
            }
        }
        if (!kept) {
            giveBack(lease); // too late, the process stopped wanting it meanwhile, or the round was abandoned
        }
        return true;
    }

    /**
     * After a failed renewal: has the next round come before the next tick, when that is sooner and still before
     * the earliest deadline, so that the holder gets another attempt in time.
     */
    private void retryBeforeDeadline() {
        synchronized (lock) {
            OptionalLong earliest = earliestDeadline();
            if (closed || !isRoundThread() || nextTick == null || earliest.isEmpty()) {
                return;
            }
            long untilDeadline = earliest.getAsLong() - ticker.getAsLong();
            long delay = timing.retryDelayNanos(untilDeadline);
            if (delay < untilDeadline && delay < nextTick.getDelay(TimeUnit.NANOSECONDS)) {
                cancel(renewalRetry);
                renewalRetry = scheduleOrRefuse(this::retryRound, delay).orElse(null);
            }
        }
    }

    private void retryRound() {
        synchronized (lock) {
            if (!closed) {
                requestRound();
            }
        }
    }

    /** {@return the earliest deadline of a lease not given up yet, in ticker nanoseconds} Under lock. */
    private OptionalLong earliestDeadline() {
        return held.values().stream().filter(holding -> !holding.givenUp).mapToLong(holding -> holding.deadline)
                .reduce((a, b) -> a - b < 0 ? a : b); // in the ticker's wrapping arithmetic
    }

    private void scheduleDeadlineCheck() {
        synchronized (lock) {
            cancel(deadlineCheck);
            deadlineCheck = null;
            if (closed) {
                return;
            }
            earliestDeadline().ifPresent(earliest -> deadlineCheck = scheduleOrRefuse(this::checkDeadlines,
                    Math.max(0, earliest - ticker.getAsLong())).orElse(null));
        }
    }

    /** Tells every process whose lease no renewal kept before its deadline that it lost its lease. */
    private void checkDeadlines() {
        List<ManagedProcess> expired = new ArrayList<>();
        synchronized (lock) {
            long now = ticker.getAsLong();
            held.forEach((process, holding) -> {
                if (!holding.givenUp && holding.deadline - now <= 0) {
                    holding.givenUp = true;
                    expired.add(process);
                }
            });
        }
        if (!expired.isEmpty()) {
            LOG.warn("Supervisor \"{}\": no lease renewal succeeded for {} ms; stopping {} singleton run(s)",
                    supervisorName, timing.renewDeadline().toMillis(), expired.size());
        }
        expired.forEach(process -> process.leaseLost(LeaseLoss.RENEWAL_FAILED));
        scheduleDeadlineCheck();
    }

    // ---------------------------------------------------------------- logging an outage once

    private void storeFailed(String what, Throwable e) {
        if (isAbandoned()) {
            return; // its answers are ignored, its failures too
        }
        if (!failing.compareAndSet(false, true)) {
            LOG.debug("Supervisor \"{}\": lease store still failing to {}: {}", supervisorName, what, e.toString());
            return;
        }
        if (e instanceof LeaseStoreUnavailableException) {
            LOG.warn("Supervisor \"{}\": lease store {} unavailable: could not {} ({}); trying again every {} ms, "
                    + "singletons without their lease wait in STANDBY", supervisorName, store, what, e.getMessage(),
                    timing.renewInterval().toMillis());
        } else {
            LOG.error("Supervisor \"{}\": lease store {} failed to {}; trying again every {} ms", supervisorName,
                    store, what, timing.renewInterval().toMillis(), e);
        }
    }

    private void storeAnswered() {
        if (!isAbandoned() && failing.compareAndSet(true, false)) {
            LOG.info("Supervisor \"{}\": lease store {} answers again", supervisorName, store);
        }
    }

    /** {@return whether the caller is the round abandoned last: an earlier one has ended before it was abandoned} */
    private boolean isAbandoned() {
        synchronized (lock) {
            return abandonedThread == Thread.currentThread();
        }
    }

    private void cancel(@Nullable ScheduledFuture<?> future) {
        Timers.cancel(scheduler, future);
    }
}
