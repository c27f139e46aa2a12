package org.simplevisor;

import java.time.Duration;
import java.time.Instant;

/**
 * One step in the life of a supervised process, or of the supervisor itself. Every run that begins produces one
 * {@link Type#STARTED} and, when it ends, exactly one of {@link Type#COMPLETED}, {@link Type#FAILED},
 * {@link Type#CRASHED} or {@link Type#STOPPED}.
 *
 * @param type        what happened
 * @param supervisor  the name of the supervisor
 * @param processName the process it happened to, or {@code null} for {@link Type#TERMINATED}
 * @param previousStatus the process's status at its previous event, or {@code null} for {@link Type#TERMINATED}
 * @param snapshot    the process right after the event, or {@code null} for {@link Type#TERMINATED}
 * @param reason      how the run ended, for run-end events; otherwise {@code null}
 * @param error       what the run threw (failed, crashed), the hang or the unstopped thread's stack; or
 *                    {@code null}
 * @param delay       the delay before the restart, for {@link Type#RESTARTING}; otherwise {@code null}
 * @param restart     for {@link Type#STARTED}: whether the run is a restart by the restart policy
 * @param time        when it happened, by the supervisor's clock
 */
public record SupervisorEvent(
        Type type,
        String supervisor,
        String processName,
        ProcessStatus previousStatus,
        ProcessSnapshot snapshot,
        ExitReason reason,
        Throwable error,
        Duration delay,
        boolean restart,
        Instant time) {

    /** The kinds of event. */
    public enum Type {
        /** A process was registered (before or after {@link Supervisor#run()}). */
        REGISTERED,
        /** A run began; {@link ProcessSnapshot#restartCount()} tells whether it is a restart. */
        STARTED,
        /** A run returned normally. */
        COMPLETED,
        /** A run threw a checked exception, or ended after the watchdog declared it hung. */
        FAILED,
        /** A run threw a {@link RuntimeException} or an {@link Error}. */
        CRASHED,
        /** A run ended after it was cancelled (shutdown, stop, restart, or an outside interrupt). */
        STOPPED,
        /** A restart is due after {@link SupervisorEvent#delay()}; the restart itself is the next STARTED. */
        RESTARTING,
        /** The process failed once more than its restart limit allows; it is now {@code FAILED}. */
        RESTART_LIMIT_EXCEEDED,
        /** The watchdog saw no heartbeat within its timeout; the run is being cancelled. */
        HUNG,
        /** The run did not end within the shutdown timeout; it was abandoned and its late end is ignored. */
        SHUTDOWN_TIMEOUT,
        /**
         * The status changed with none of the other events: a start was requested, a pending restart or a start
         * that had not begun was cancelled, or the executor refused the run.
         */
        STATUS_CHANGED,
        /**
         * This node acquired a singleton's lease; a run with the new {@link LeaseState#fencingToken()} follows. Each is
         * followed, in time, by exactly one {@link #LEASE_LOST}.
         */
        LEASE_ACQUIRED,
        /** This node stopped holding a singleton's lease; {@link LeaseState#lastLoss()} says why. */
        LEASE_LOST,
        /** The supervisor finished its shutdown: the last event it emits. */
        TERMINATED
    }

    /** @return whether the process's status differs from its status at the previous event */
    public boolean statusChanged() {
        return snapshot != null && snapshot.status() != previousStatus;
    }
}
