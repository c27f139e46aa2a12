package org.simplevisor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One step in the life of a supervised process, or of the supervisor itself. Every run that begins produces one
 * {@link Type#STARTED} and, when it ends, exactly one of {@link Type#COMPLETED}, {@link Type#FAILED},
 * {@link Type#CRASHED} or {@link Type#STOPPED}.
 *
 * <p>Only the supervisor makes events: this class has no public constructor, so that the values later versions
 * add are new accessors and never break a listener. Two events are equal when all their values are.
 */
public final class SupervisorEvent {

    private final Type type;
    private final String supervisor;
    private final @Nullable String processName;
    private final @Nullable ProcessStatus previousStatus;
    private final @Nullable ProcessSnapshot snapshot;
    private final @Nullable ExitReason reason;
    private final @Nullable Throwable error;
    private final @Nullable Duration delay;
    private final boolean restart;
    private final Instant time;
    private final @Nullable String group;
    private final @Nullable String trigger;
    private final List<String> members;

    SupervisorEvent(Type type, String supervisor, @Nullable String processName, @Nullable ProcessStatus previousStatus,
            @Nullable ProcessSnapshot snapshot, @Nullable ExitReason reason, @Nullable Throwable error,
            @Nullable Duration delay, boolean restart, Instant time) {
        this(type, supervisor, processName, previousStatus, snapshot, reason, error, delay, restart, time,
                snapshot == null ? null : snapshot.group(), null, List.of());
    }

    private SupervisorEvent(Type type, String supervisor, @Nullable String processName,
            @Nullable ProcessStatus previousStatus, @Nullable ProcessSnapshot snapshot, @Nullable ExitReason reason,
            @Nullable Throwable error, @Nullable Duration delay, boolean restart, Instant time, @Nullable String group,
            @Nullable String trigger, List<String> members) {
        this.type = type;
        this.supervisor = supervisor;
        this.processName = processName;
        this.previousStatus = previousStatus;
        this.snapshot = snapshot;
        this.reason = reason;
        this.error = error;
        this.delay = delay;
        this.restart = restart;
        this.time = time;
        this.group = group;
        this.trigger = trigger;
        this.members = members;
    }

    /**
     * {@return the event of a group restart} The trigger is {@code null} when an operator restarted the group, and
     * so is the reason, which is otherwise how the trigger's run ended.
     */
    static SupervisorEvent groupRestarting(String supervisor, String group, @Nullable String trigger,
            @Nullable ExitReason reason, List<String> members, Duration delay, Instant time) {
        return new SupervisorEvent(Type.GROUP_RESTARTING, supervisor, null, null, null, reason, null, delay, false,
                time, group, trigger, List.copyOf(members));
    }

    /** The kinds of event. */
    public enum Type {
        /** A process was registered (before or after {@link Supervisor#run()}). */
        REGISTERED,
        /** A run began; {@link SupervisorEvent#restart()} tells whether it is a restart. */
        STARTED,
        /** A run returned normally. */
        COMPLETED,
        /** A run threw a checked exception, or ended after the watchdog declared it hung. */
        FAILED,
        /** A run threw a {@link RuntimeException} or an {@link Error}. */
        CRASHED,
        /**
         * A run ended after it was cancelled (shutdown, stop, restart, its group, a lost lease, or an outside
         * interrupt); {@link SupervisorEvent#reason()} says which.
         */
        STOPPED,
        /** A restart is due after {@link SupervisorEvent#delay()}; the restart itself is the next STARTED. */
        RESTARTING,
        /**
         * A run ended once more than the restart limit allows (it failed or crashed, or under
         * {@link RestartPolicy#ALWAYS} completed: {@link SupervisorEvent#reason()} says which); it is now
         * {@code FAILED}.
         */
        RESTART_LIMIT_EXCEEDED,
        /** The watchdog saw no heartbeat within its timeout; the run is being cancelled. */
        HUNG,
        /**
         * The run did not end within the shutdown timeout, or within the time its group gave it (reason
         * {@link ExitReason#GROUP}); it was abandoned and its late end is ignored.
         */
        SHUTDOWN_TIMEOUT,
        /**
         * The status changed with none of the other events: a start was requested, a pending restart or a start
         * that had not begun was cancelled, or the executor refused the run (or the scheduler a timer it needs: a
         * restart's delay, its watchdog's first check, its group restart's delay), which {@link #error()} carries.
         */
        STATUS_CHANGED,
        /**
         * This node acquired a singleton's lease; a run with the new {@link LeaseState#fencingToken()} follows. Each is
         * followed, in time, by exactly one {@link #LEASE_LOST}.
         */
        LEASE_ACQUIRED,
        /**
         * This node stopped holding a singleton's lease; {@link LeaseState#lastLoss()} says why. When the lease is
         * left to expire under a run that may still be working, {@link SupervisorEvent#reason()} says who gave up on
         * that run: {@link ExitReason#SHUTDOWN} or {@link ExitReason#GROUP}; otherwise it is {@code null}.
         */
        LEASE_LOST,
        /**
         * A group restart began: {@link SupervisorEvent#members()} are being cancelled as needed and will start
         * again, in that order, once their runs have ended and {@link SupervisorEvent#delay()} has passed. Names no
         * process: see {@link SupervisorEvent#group()} and {@link SupervisorEvent#trigger()}.
         */
        GROUP_RESTARTING,
        /** The supervisor finished its shutdown: the last event it emits. */
        TERMINATED
    }

    /** {@return what happened} */
    public Type type() {
        return type;
    }

    /** {@return the name of the supervisor} */
    public String supervisor() {
        return supervisor;
    }

    /**
     * {@return the process it happened to, or {@code null} for {@link Type#TERMINATED} and
     * {@link Type#GROUP_RESTARTING}}
     */
    public @Nullable String processName() {
        return processName;
    }

    /** {@return the process's status at its previous event, or {@code null} for an event of no process} */
    public @Nullable ProcessStatus previousStatus() {
        return previousStatus;
    }

    /** {@return the process right after the event, or {@code null} for an event of no process} */
    public @Nullable ProcessSnapshot snapshot() {
        return snapshot;
    }

    /**
     * {@return how the run ended, for the events that end a run and those that follow from it (restarting, restart
     * limit exceeded, a group restart a run's end triggered); otherwise {@code null}}
     */
    public @Nullable ExitReason reason() {
        return reason;
    }

    /**
     * {@return what the run threw (failed, crashed, and the restarting or restart limit that follows), the hang, the
     * unstopped thread's stack, or the refusal of a {@link Type#STATUS_CHANGED} to {@code FAILED}; otherwise
     * {@code null}}
     */
    public @Nullable Throwable error() {
        return error;
    }

    /**
     * {@return the {@link #error()} as {@code "class: message"}, or {@code null} without one} An exception whose
     * {@code toString()} throws is named by its class.
     */
    public @Nullable String errorDescription() {
        return error == null ? null : Descriptions.of(error);
    }

    /**
     * {@return the delay before the restart, for {@link Type#RESTARTING} and {@link Type#GROUP_RESTARTING};
     * otherwise {@code null}}
     */
    public @Nullable Duration delay() {
        return delay;
    }

    /**
     * {@return whether the run is a restart by the restart policy, for {@link Type#STARTED}; {@code false} for the
     * other events}
     */
    public boolean restart() {
        return restart;
    }

    /** {@return when it happened, by the supervisor's clock} */
    public Instant time() {
        return time;
    }

    /** {@return the group of the process, or the group that is restarting; {@code null} for an event of neither} */
    public @Nullable String group() {
        return group;
    }

    /**
     * {@return the member whose end restarts the group, for {@link Type#GROUP_RESTARTING}; {@code null} when an
     * operator restarted it, and for the other events}
     */
    public @Nullable String trigger() {
        return trigger;
    }

    /**
     * {@return the members that will start again, in start order, for {@link Type#GROUP_RESTARTING}; otherwise an
     * empty list} The list cannot be changed.
     */
    public List<String> members() {
        return members;
    }

    /** {@return whether the process's status differs from its status at the previous event} */
    public boolean statusChanged() {
        return snapshot != null && snapshot.status() != previousStatus;
    }

    /** {@return whether {@code other} is an event with the same values} */
    @Override
    public boolean equals(@Nullable Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof SupervisorEvent)) {
            return false;
        }
        SupervisorEvent that = (SupervisorEvent) other;
        return type == that.type && restart == that.restart && supervisor.equals(that.supervisor)
                && Objects.equals(processName, that.processName) && previousStatus == that.previousStatus
                && Objects.equals(snapshot, that.snapshot) && reason == that.reason
                && Objects.equals(error, that.error) && Objects.equals(delay, that.delay) && time.equals(that.time)
                && Objects.equals(group, that.group) && Objects.equals(trigger, that.trigger)
                && members.equals(that.members);
    }

    /** {@return a hash of all the values} */
    @Override
    public int hashCode() {
        return Objects.hash(type, supervisor, processName, previousStatus, snapshot, reason, error, delay, restart,
                time, group, trigger, members);
    }

    /** {@return all the values, for logs and messages} */
    @Override
    public String toString() {
        return "SupervisorEvent[type=" + type + ", supervisor=" + supervisor + ", processName=" + processName
                + ", previousStatus=" + previousStatus + ", snapshot=" + snapshot + ", reason=" + reason + ", error="
                + error + ", delay=" + delay + ", restart=" + restart + ", time=" + time + ", group=" + group
                + ", trigger=" + trigger + ", members=" + members + "]";
    }
}
