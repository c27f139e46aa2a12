package org.simplevisor;

import java.time.Duration;
import java.time.Instant;

/**
 * What a process looked like at one moment: status, counts, last failure and times. Immutable; taken without
 * locking, and consistent in itself (all values are of the same moment).
 *
 * @param name            the registered name
 * @param status          the status
 * @param restartPolicy   the restart policy
 * @param restartCount    restarts counted toward the limit (within the restart window if there is one)
 * @param maxRestarts     the restart limit; 0 or less is unlimited
 * @param restartDelay    the base delay before a restart
 * @param priority        the start-order priority
 * @param totalStarts     runs begun since registration
 * @param totalExits      runs ended since registration, however they ended
 * @param totalFailures   runs ended by a checked exception or declared hung
 * @param totalCrashes    runs ended by a {@link RuntimeException} or {@link Error}
 * @param totalRestarts   restarts performed since registration (not reset by a healthy run)
 * @param totalRecoverFailures calls of the recover handler that themselves threw
 * @param lastExitReason  how the last run ended, or {@code null} before the first end
 * @param lastFailure     what the last failed or crashed run threw, or {@code null}
 * @param lastFailureTime when that was, or {@code null}
 * @param lastStartTime   when the last run began, or {@code null}
 * @param lease           a singleton's lease as this node knows it, or {@code null} for a process that is not a
 *                        singleton
 * @param takenAt         the moment this snapshot describes
 */
public record ProcessSnapshot(
        String name,
        ProcessStatus status,
        RestartPolicy restartPolicy,
        int restartCount,
        int maxRestarts,
        Duration restartDelay,
        int priority,
        long totalStarts,
        long totalExits,
        long totalFailures,
        long totalCrashes,
        long totalRestarts,
        long totalRecoverFailures,
        ExitReason lastExitReason,
        Throwable lastFailure,
        Instant lastFailureTime,
        Instant lastStartTime,
        LeaseState lease,
        Instant takenAt) {

    /** {@return whether the process is a singleton: it runs on one node of those sharing its lease store} */
    public boolean singleton() {
        return lease != null;
    }

    /** @return whether a run is in progress */
    public boolean running() {
        return status == ProcessStatus.RUNNING;
    }

    /** @return how long the current run has lasted, or {@link Duration#ZERO} when none is in progress */
    public Duration uptime() {
        return running() && lastStartTime != null ? Duration.between(lastStartTime, takenAt) : Duration.ZERO;
    }

    /** @return the last failure as {@code "class: message"}, or {@code null} if there was none */
    public String lastFailureDescription() {
        return lastFailure == null ? null : lastFailure.toString();
    }

    /** @return this snapshot as seen at {@code instant} (only the uptime depends on it) */
    ProcessSnapshot at(Instant instant) {
        return new ProcessSnapshot(name, status, restartPolicy, restartCount, maxRestarts, restartDelay, priority,
                totalStarts, totalExits, totalFailures, totalCrashes, totalRestarts, totalRecoverFailures,
                lastExitReason, lastFailure, lastFailureTime, lastStartTime, lease, instant);
    }
}
