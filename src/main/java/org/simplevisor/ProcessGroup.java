package org.simplevisor;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;

/**
 * A group of processes that restart together: the coordination of {@link GroupStrategy}. Its members keep their own
 * state machines; the group only cancels them, waits for their runs to end, and starts them again in start order.
 *
 * <h2>Locks</h2>
 * The order is: the supervisor's lifecycle lock, then a group's lock, then at most one process's lock (the whole
 * order is in docs/architecture.md, Locks). A process never calls its group, or another process, while it holds its
 * own lock: it tells the group about the end of a run after releasing it. The group acts on a member under its own
 * lock through the member's hooks, each of which takes the member's lock and checks that what the group acts on
 * still holds (an operator or shutdown may have acted in between); it submits runs to the executor only after
 * releasing its lock. A member whose end the group must hear of (a trigger, or one that exceeded its limit) counts
 * itself in {@link #reportWillFollow()} under its own lock, which takes no lock, so that the group does not start a
 * restart the report is on its way to join, or to give up. The semantics are in docs/contract.md, Process groups.
 */
final class ProcessGroup {

    private static final Logger LOG = LogManager.getLogger(Supervisor.class);
    /** What the group acts on when it acts on no report but on what happens now: numbered after every report. */
    private static final long NOW = Long.MAX_VALUE;

    /** What the group orders a member it cancels (or holds) to do once the member has no run. */
    enum Decision {
        /** Wait for the group's start, then restart with the trigger: counted in the totals. */
        RESTART(ProcessStatus.RESTARTING),
        /** Wait for the group's start, then start with a fresh restart count: an operator restarted the group. */
        START_AFRESH(ProcessStatus.RESTARTING),
        /** Stay stopped: a member whose policy is {@link RestartPolicy#NEVER} is not restarted with the group. */
        STOP(ProcessStatus.STOPPED),
        /** The group gave up. */
        FAIL(ProcessStatus.FAILED);

        private final ProcessStatus status;

        Decision(ProcessStatus status) {
            this.status = status;
        }

        /** {@return the member's status once it has no run} */
        ProcessStatus status() {
            return status;
        }

        /** {@return whether the member waits for the group to start it} */
        boolean holds() {
            return this == RESTART || this == START_AFRESH;
        }
    }

    /** A decision, and the delay a member held for a restart announces. */
    static final class Order {
        final Decision decision;
        final @Nullable Duration delay;

        Order(Decision decision, @Nullable Duration delay) {
            this.decision = decision;
            this.delay = delay;
        }
    }

    /**
     * What cancelling a member for its group did: the decision it follows ({@code null} if the member was not
     * concerned), and the run to wait for, if any.
     */
    static final class Cancellation {
        static final Cancellation NOT_CONCERNED = new Cancellation(null, null);

        final @Nullable Decision followed;
        final @Nullable ProcessRun ending;

        Cancellation(@Nullable Decision followed, @Nullable ProcessRun ending) {
            this.followed = followed;
            this.ending = ending;
        }
    }

    /**
     * A run the group cancelled and waits for, the check that reports it if it does not end in time, and the group
     * restart that waits for it.
     */
    private static final class Ending {
        final ProcessRun run;
        final @Nullable ScheduledFuture<?> check; // null if the scheduler refused it: the wait has no limit
        /**
         * The group restart that cancelled the run (or took it in since), which starts only once it has ended; null
         * for a run the group stops for good as it gives up, which holds back no later restart.
         */
        @Nullable Restart restart;

        Ending(ProcessRun run, @Nullable ScheduledFuture<?> check, @Nullable Restart restart) {
            this.run = run;
            this.check = check;
            this.restart = restart;
        }

        void cancelCheck(ScheduledExecutorService scheduler) {
            Timers.cancel(scheduler, check);
        }
    }

    /** A group restart in progress: who triggered it, who starts again, and when. */
    private static final class Restart {
        final Set<ManagedProcess> triggers = new HashSet<>();
        final Set<ManagedProcess> members = new HashSet<>();
        @Nullable String trigger;           // the last trigger's name, for the event; null when an operator restarted
        Duration delay = Duration.ZERO;
        @Nullable ScheduledFuture<?> timer; // the start, once no run the group cancelled is left
        long timerGeneration;               // tells a timer that fired as it was cancelled from the current one
        boolean delayPassed;                // the timer fired, but a trigger's report was on its way

        void cancelTimer(ScheduledExecutorService scheduler) {
            timerGeneration++;
            delayPassed = false;
            Timers.cancel(scheduler, timer);
            timer = null;
        }
    }

    final String name;
    final GroupStrategy strategy;
    private final ProcessHost host;
    private final Duration stopTimeout;
    private final Object lock = new Object();

    /** In start order. */
    @GuardedBy("lock") private final List<ManagedProcess> members = new ArrayList<>();
    /** The runs the group cancelled and waits for. */
    @GuardedBy("lock") private final Map<ManagedProcess, Ending> ending = new HashMap<>();
    /** The group restart in progress, until its members are started; null when none is. */
    @GuardedBy("lock") private @Nullable Restart pending;
    @GuardedBy("lock") private boolean closed;
    /**
     * Members whose run has ended but whose {@link #restartDue} or {@link #limitExceeded} has not taken the lock yet:
     * a member tells its group only after releasing its own lock. No restart starts while one is on its way, as a
     * trigger joins it, and a member that exceeded its limit gives it up.
     */
    private final AtomicInteger reportsOnTheirWay = new AtomicInteger();
    /**
     * Numbers the reports in the order of their members' ends. An operator's start of a member remembers the latest
     * number ({@link #latestReportNumber()}); a report numbered up to it, from an end before that start, leaves the
     * member alone, as it would have had it come before the start.
     */
    private final AtomicLong reportNumbers = new AtomicLong();

    /**
     * @param stopTimeout how long a member the group cancelled may take to end before it is reported and the group
     *                    gives up: the supervisor's shutdown timeout
     */
    ProcessGroup(String name, GroupStrategy strategy, ProcessHost host, Duration stopTimeout) {
        this.name = name;
        this.strategy = strategy;
        this.host = host;
        this.stopTimeout = stopTimeout;
    }

    void add(ManagedProcess member) {
        synchronized (lock) {
            members.add(member);
            members.sort(ManagedProcess.START_ORDER);
        }
    }

    /**
     * Starts a member for the first time, from {@link Supervisor#run()} or its registration after it: at once, or with
     * the group restart in progress.
     */
    void startRegistered(ManagedProcess member) {
        Runnable submission;
        synchronized (lock) {
            if (pending != null && !closed && !member.hasStarted()) {
                involve(pending, member, new Order(Decision.START_AFRESH, Duration.ZERO), true, NOW);
                return;
            }
            // Started under the lock, so that a group restart begins before the start, or finds the member started
            submission = member.firstStartSubmittingLater();
        }
        submission.run();
    }

    /**
     * A member's run ended and {@link #restartDue} or {@link #limitExceeded} follows once the member has released its
     * lock: called under that lock, so it takes none.
     *
     * @return the report's number, for {@link #restartDue} or {@link #limitExceeded}
     */
    long reportWillFollow() {
        reportsOnTheirWay.incrementAndGet();
        return reportNumbers.incrementAndGet();
    }

    /** {@return the number of the latest report counted so far; takes no lock} */
    long latestReportNumber() {
        return reportNumbers.get();
    }

    /**
     * The trigger's run ended and its own policy restarts it (within its limit): cancels the members the strategy
     * names and restarts them with it, once their runs have ended and the delay has passed. A restart already in
     * progress takes the trigger and its members in.
     *
     * @param report what {@link #reportWillFollow()} returned to the trigger
     */
    void restartDue(ManagedProcess trigger, Duration delay, long report) {
        List<Runnable> starts;
        synchronized (lock) {
            reportsOnTheirWay.decrementAndGet();
            boolean awaitsRestart = trigger.ownGroupRestartReported();
            if (closed) {
                return;
            }
            if (!awaitsRestart) {
                // An operator started, stopped or restarted it (or the group) meanwhile, or the group gave up on it
                // while the report was on its way: that replaces it
                starts = startHeldRestart();
            } else {
                starts = join(trigger, delay, report);
            }
        }
        starts.forEach(Runnable::run);
    }

    /** An operator restarts the whole group: every member, also one at rest, starts afresh in start order. */
    void restartAll() {
        List<Runnable> starts;
        synchronized (lock) {
            if (closed) {
                return;
            }
            Restart restart = pending != null ? pending : (pending = new Restart());
            restart.cancelTimer(host.scheduler);
            restart.triggers.clear();
            restart.trigger = null;
            restart.delay = Duration.ZERO;
            for (ManagedProcess member : members) {
                involve(restart, member, new Order(Decision.START_AFRESH, Duration.ZERO), true, NOW);
            }
            announce(restart, null);
            starts = startWhenStopped(restart);
        }
        starts.forEach(Runnable::run);
    }

    /**
     * The trigger exceeded its restart limit: the group gives up on the members the strategy names.
     *
     * @param report what {@link #reportWillFollow()} returned to the trigger
     */
    void limitExceeded(ManagedProcess trigger, long report) {
        List<Runnable> starts;
        synchronized (lock) {
            reportsOnTheirWay.decrementAndGet();
            if (closed) {
                return;
            }
            // Unless an operator started it again meanwhile
            if (strategy != GroupStrategy.ONE_FOR_ONE && trigger.snapshot().status() == ProcessStatus.FAILED) {
                giveUp(scopeOf(trigger), report);
            }
            starts = startHeldRestart();
        }
        starts.forEach(Runnable::run);
    }

    /** A member's run ended: if the group was waiting for it, the restart may go on. */
    void runEnded(ManagedProcess member, ProcessRun run) {
        List<Runnable> starts = List.of();
        synchronized (lock) {
            Ending awaited = ending.get(member);
            if (awaited == null || awaited.run != run) {
                return;
            }
            ending.remove(member);
            awaited.cancelCheck(host.scheduler);
            if (pending != null && !closed) {
                starts = startWhenStopped(pending);
            }
        }
        starts.forEach(Runnable::run);
    }

    /** Shutdown began: nothing restarts, and no timer of the group is left. */
    void close() {
        synchronized (lock) {
            closed = true;
            if (pending != null) {
                pending.cancelTimer(host.scheduler);
                pending = null;
            }
            ending.values().forEach(awaited -> awaited.cancelCheck(host.scheduler));
            ending.clear();
        }
    }

    // ---------------------------------------------------------------- under lock

    /**
     * Takes the trigger into the restart in progress, or begins one.
     *
     * @return the submissions to make outside the lock, in start order, if the members start now
     */
    private List<Runnable> join(ManagedProcess trigger, Duration delay, long report) {
        Restart restart = pending != null ? pending : (pending = new Restart());
        restart.cancelTimer(host.scheduler);
        restart.triggers.add(trigger);
        restart.members.add(trigger);
        restart.trigger = trigger.name;
        restart.delay = delay;
        for (ManagedProcess member : scopeOf(trigger)) {
            Decision decision = member.spec.policy == RestartPolicy.NEVER ? Decision.STOP : Decision.RESTART;
            involve(restart, member, new Order(decision, delay), false, report);
        }
        announce(restart, trigger.snapshot().lastExitReason());
        return startWhenStopped(restart);
    }

    /** {@return the submissions of the restart in progress, which a report on its way may have held back} */
    private List<Runnable> startHeldRestart() {
        return pending != null ? startWhenStopped(pending) : List.of();
    }

    /** {@return the members besides the trigger that the strategy restarts with it} */
    private List<ManagedProcess> scopeOf(ManagedProcess trigger) {
        switch (strategy) {
            case ONE_FOR_ALL:
                return members.stream().filter(m -> m != trigger).collect(Collectors.toList());
            case REST_FOR_ONE:
                return new ArrayList<>(members.subList(members.indexOf(trigger) + 1, members.size()));
            default:
                return List.of();
        }
    }

    /**
     * Cancels a member with an order, and keeps track of it: of the run to wait for, and, when the order holds it,
     * of the member as one the restart starts.
     *
     * @param report the number of the report the group acts on, or {@link #NOW} when it acts on nothing earlier
     */
    @SuppressWarnings("try") // the resource only scopes the ThreadContext entry
    private void involve(@Nullable Restart restart, ManagedProcess member, Order order, boolean alsoAtRest,
            long report) {
        Cancellation cancellation = member.cancelForGroup(order, alsoAtRest, report);
        if (cancellation.followed == null) {
            return;
        }
        if (restart != null && cancellation.followed.holds()) {
            restart.members.add(member);
        } else if (restart != null) {
            restart.members.remove(member);
        }
        ProcessRun run = cancellation.ending;
        Ending awaited = ending.get(member);
        if (run != null && (awaited == null || awaited.run != run)) {
            if (awaited != null) {
                awaited.cancelCheck(host.scheduler); // that run has ended; only its report to the group is still due
            }
            ScheduledFuture<?> check = null;
            try {
                check = host.scheduler.schedule(() -> checkEnded(member, run), stopTimeout.toNanos(),
                        TimeUnit.NANOSECONDS);
            } catch (RuntimeException | Error refused) { // a scheduler the user passed in and shut down, say
                try (ProcessLogContext context = ProcessLogContext.open(member.name)) {
                    LOG.log(LoggingListener.severityOf(refused), "Group \"{}\": the scheduler refused the check that"
                            + " process \"{}\" ends in time; the group waits for its run without a limit", name,
                            member.name, refused);
                }
            }
            ending.put(member, new Ending(run, check, restart));
        } else if (run != null && restart != null) {
            awaited.restart = restart; // a restart that takes in a run being stopped for good waits for it too
        }
    }

    /**
     * Gives up: the members in scope, and those a restart in progress would have started, are stopped and FAILED;
     * so is a trigger whose report is on its way, with the members its restart would cancel, as if its report had
     * come first (decided now, so that its late report undoes nothing an operator does after the giving up).
     * Members at rest stay as they are, and so do those an operator started after the end reported, unless the
     * restart given up holds them.
     */
    private void giveUp(Collection<ManagedProcess> scope, long report) {
        Set<ManagedProcess> failing = new HashSet<>(scope);
        for (ManagedProcess member : members) {
            if (member.ownGroupRestartOnItsWay()) {
                failing.add(member);
                failing.addAll(scopeOf(member));
            }
        }
        // Held for the restart given up, the group's since any operator's start: failed whatever the report, else
        // it would wait for a start that never comes
        Set<ManagedProcess> held = new HashSet<>();
        if (pending != null) {
            held.addAll(startingWith(pending));
            pending.cancelTimer(host.scheduler);
            pending = null;
        }
        Order fail = new Order(Decision.FAIL, null);
        for (ManagedProcess member : members) {
            if (held.contains(member)) {
                involve(null, member, fail, false, NOW);
            } else if (failing.contains(member)) {
                involve(null, member, fail, false, report);
            }
        }
    }

    /**
     * Never two runs of one member: a run the group cancelled that has not ended within the timeout is reported as
     * at shutdown, and the group gives up rather than restart around it, if the restart in progress waits for it.
     */
    private void checkEnded(ManagedProcess member, ProcessRun run) {
        synchronized (lock) {
            Ending awaited = ending.get(member);
            if (closed || awaited == null || awaited.run != run || !member.abandonForGroup(run)) {
                return; // it ended after all, or shutdown waits for it now
            }
            ending.remove(member);
            if (awaited.restart != null && awaited.restart == pending) {
                giveUp(List.of(), NOW);
            } // else a run stopped for good as the group gave up: a restart since never waited for it
        }
    }

    /** Announces the restart: the members that will start, in start order. */
    private void announce(Restart restart, @Nullable ExitReason reason) {
        List<String> starting = startingWith(restart).stream().map(m -> m.name).collect(Collectors.toList());
        host.events.publish(SupervisorEvent.groupRestarting(host.supervisorName, name, restart.trigger, reason,
                starting, restart.delay, host.clock.instant()));
    }

    /**
     * Once no run the restart waits for is left, starts the restart's members after its delay, unless a member's
     * report is on its way: a trigger joins the restart first, and starts it then; a member that exceeded its limit
     * gives it up.
     *
     * @return the submissions to make outside the lock, in start order, if the members start now
     */
    private List<Runnable> startWhenStopped(Restart restart) {
        if (restart.timer != null || ending.values().stream().anyMatch(awaited -> awaited.restart == restart)) {
            return List.of();
        }
        if (!restart.delay.isZero() && !restart.delayPassed) {
            long generation = restart.timerGeneration;
            try {
                restart.timer = host.scheduler.schedule(() -> startDue(restart, generation),
                        restart.delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RuntimeException | Error refused) {
                // The members cannot start after the delay: each fails as a process whose restart's delay is refused.
                pending = null;
                members.stream().filter(restart.members::contains).forEach(member -> member.failForGroup(refused));
            }
            return List.of();
        }
        return reportsOnTheirWay.get() > 0 ? List.of() : startMembers(restart);
    }

    /**
     * {@return the members the restart will start, in start order} Not one an operator has taken over since the group
     * involved it: its own start, stop or restart replaces the group's.
     */
    private List<ManagedProcess> startingWith(Restart restart) {
        return members.stream().filter(m -> restart.members.contains(m) && m.startsWithGroupRestart())
                .collect(Collectors.toList());
    }

    private void startDue(Restart restart, long generation) {
        List<Runnable> starts;
        synchronized (lock) {
            if (closed || pending != restart || restart.timerGeneration != generation) {
                return; // given up, shut down, or a later trigger restarted the wait
            }
            restart.timer = null;
            restart.delayPassed = true;
            starts = startWhenStopped(restart);
        }
        starts.forEach(Runnable::run);
    }

    private List<Runnable> startMembers(Restart restart) {
        pending = null;
        List<Runnable> starts = new ArrayList<>();
        for (ManagedProcess member : members) {
            Runnable start = restart.members.contains(member) ? member.startForGroup(restart.triggers.contains(member))
                    : null;
            if (start != null) {
                starts.add(start);
            }
        }
        return starts;
    }
}
