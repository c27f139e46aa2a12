package org.simplevisor;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a process looked like at one moment: status, counts, last failure and times. Immutable; taken without
 * locking, and consistent in itself (all values are of the same moment).
 *
 * <p>Only the supervisor makes snapshots: this class has no public constructor, so that the values later versions
 * add are new accessors and never break a caller. Two snapshots are equal when all their values are.
 */
public final class ProcessSnapshot {

    private final String name;
    private final ProcessStatus status;
    private final RestartPolicy restartPolicy;
    private final int restartCount;
    private final int maxRestarts;
    private final Duration restartDelay;
    private final int priority;
    private final @Nullable String group;
    private final long totalStarts;
    private final long totalExits;
    private final long totalFailures;
    private final long totalCrashes;
    private final long totalRestarts;
    private final long totalRecoverFailures;
    private final @Nullable ExitReason lastExitReason;
    private final @Nullable Throwable lastFailure;
    private final @Nullable Instant lastFailureTime;
    private final @Nullable Instant lastStartTime;
    private final @Nullable LeaseState lease;
    private final Instant takenAt;

    ProcessSnapshot(String name, ProcessStatus status, RestartPolicy restartPolicy, int restartCount,
            int maxRestarts, Duration restartDelay, int priority, @Nullable String group, long totalStarts,
            long totalExits, long totalFailures, long totalCrashes, long totalRestarts, long totalRecoverFailures,
            @Nullable ExitReason lastExitReason, @Nullable Throwable lastFailure, @Nullable Instant lastFailureTime,
            @Nullable Instant lastStartTime, @Nullable LeaseState lease, Instant takenAt) {
        this.name = name;
        this.status = status;
        this.restartPolicy = restartPolicy;
        this.restartCount = restartCount;
        this.maxRestarts = maxRestarts;
        this.restartDelay = restartDelay;
        this.priority = priority;
        this.group = group;
        this.totalStarts = totalStarts;
        this.totalExits = totalExits;
        this.totalFailures = totalFailures;
        this.totalCrashes = totalCrashes;
        this.totalRestarts = totalRestarts;
        this.totalRecoverFailures = totalRecoverFailures;
        this.lastExitReason = lastExitReason;
        this.lastFailure = lastFailure;
        this.lastFailureTime = lastFailureTime;
        this.lastStartTime = lastStartTime;
        this.lease = lease;
        this.takenAt = takenAt;
    }

    /** {@return this snapshot as seen at {@code instant}} Only the uptime depends on it. */
    ProcessSnapshot at(Instant instant) {
        return new ProcessSnapshot(name, status, restartPolicy, restartCount, maxRestarts, restartDelay, priority,
                group, totalStarts, totalExits, totalFailures, totalCrashes, totalRestarts, totalRecoverFailures,
                lastExitReason, lastFailure, lastFailureTime, lastStartTime, lease, instant);
    }

    /** {@return the registered name} */
    public String name() {
        return name;
    }

    /** {@return the status} */
    public ProcessStatus status() {
        return status;
    }

    /** {@return the restart policy} */
    public RestartPolicy restartPolicy() {
        return restartPolicy;
    }

    /** {@return how many restarts are counted toward the limit} Within the restart window, if there is one. */
    public int restartCount() {
        return restartCount;
    }

    /** {@return the restart limit} 0 or less is unlimited. */
    public int maxRestarts() {
        return maxRestarts;
    }

    /** {@return the base delay before a restart} */
    public Duration restartDelay() {
        return restartDelay;
    }

    /** {@return the start-order priority} */
    public int priority() {
        return priority;
    }

    /** {@return the group the process is a member of, or {@code null} if it is in none} */
    public @Nullable String group() {
        return group;
    }

    /** {@return how many runs began since registration} */
    public long totalStarts() {
        return totalStarts;
    }

    /** {@return how many runs ended since registration, however they ended} */
    public long totalExits() {
        return totalExits;
    }

    /** {@return how many runs ended by a checked exception or were declared hung} */
    public long totalFailures() {
        return totalFailures;
    }

    /** {@return how many runs ended by a {@link RuntimeException} or an {@link Error}} */
    public long totalCrashes() {
        return totalCrashes;
    }

    /** {@return how many restarts were performed since registration} A healthy run does not reset it. */
    public long totalRestarts() {
        return totalRestarts;
    }

    /** {@return how many calls of the recover handler threw themselves} */
    public long totalRecoverFailures() {
        return totalRecoverFailures;
    }

    /** {@return how the last run ended, or {@code null} before the first end} */
    public @Nullable ExitReason lastExitReason() {
        return lastExitReason;
    }

    /**
     * {@return the last failure: what the last failed or crashed run threw, the {@link ProcessHungException} of a run
     * the watchdog declared hung, or what the executor or scheduler threw when it refused a run or a timer the process
     * needed (it is then {@link ProcessStatus#FAILED}); {@code null} if there was none}
     */
    public @Nullable Throwable lastFailure() {
        return lastFailure;
    }

    /** {@return when the {@linkplain #lastFailure() last failure} happened, or {@code null} if there was none} */
    public @Nullable Instant lastFailureTime() {
        return lastFailureTime;
    }

    /** {@return when the last run began, or {@code null} before the first run} */
    public @Nullable Instant lastStartTime() {
        return lastStartTime;
    }

    /** {@return the moment this snapshot describes} */
    public Instant takenAt() {
        return takenAt;
    }

    /**
     * {@return a singleton's lease as this node knows it: holder, fencing token, whether this node holds it; or
     * {@code null} for a process that is not a singleton}
     */
    public @Nullable LeaseState lease() {
        return lease;
    }

    /** {@return whether the process is a singleton: it runs on one node of those sharing its lease store} */
    public boolean singleton() {
        return lease != null;
    }

    /** {@return whether a run is in progress} */
    public boolean running() {
        return status == ProcessStatus.RUNNING;
    }

    /**
     * {@return how long the current run has lasted, on the supervisor's clock, or {@link Duration#ZERO} when none is
     * in progress} Zero too while that clock reads earlier than the run's start, after it was set back.
     */
    public Duration uptime() {
        if (!running() || lastStartTime == null || takenAt.isBefore(lastStartTime)) {
            return Duration.ZERO;
        }
        return Duration.between(lastStartTime, takenAt);
    }

    /**
     * {@return the last failure as {@code "class: message"}, or {@code null} if there was none} An exception whose
     * {@code toString()} throws is named by its class.
     */
    public @Nullable String lastFailureDescription() {
        return lastFailure == null ? null : Descriptions.of(lastFailure);
    }

    /** {@return whether {@code other} is a snapshot with the same values} */
    @Override
    public boolean equals(@Nullable Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof ProcessSnapshot)) {
            return false;
        }
        ProcessSnapshot that = (ProcessSnapshot) other;
        return restartCount == that.restartCount && maxRestarts == that.maxRestarts && priority == that.priority
                && totalStarts == that.totalStarts && totalExits == that.totalExits
                && totalFailures == that.totalFailures && totalCrashes == that.totalCrashes
                && totalRestarts == that.totalRestarts && totalRecoverFailures == that.totalRecoverFailures
                && name.equals(that.name) && status == that.status && restartPolicy == that.restartPolicy
                && lastExitReason == that.lastExitReason && restartDelay.equals(that.restartDelay)
                && Objects.equals(group, that.group)
                && Objects.equals(lastFailure, that.lastFailure)
                && Objects.equals(lastFailureTime, that.lastFailureTime)
                && Objects.equals(lastStartTime, that.lastStartTime) && Objects.equals(lease, that.lease)
                && takenAt.equals(that.takenAt);
    }

    /** {@return a hash of all the values} */
    @Override
    public int hashCode() {
        return Objects.hash(name, status, restartPolicy, restartCount, maxRestarts, restartDelay, priority, group,
                totalStarts, totalExits, totalFailures, totalCrashes, totalRestarts, totalRecoverFailures,
                lastExitReason, lastFailure, lastFailureTime, lastStartTime, lease, takenAt);
    }

    /** {@return all the values, for logs and messages} */
    @Override
    public String toString() {
        return "ProcessSnapshot[name=" + name + ", status=" + status + ", restartPolicy=" + restartPolicy
                + ", restartCount=" + restartCount + ", maxRestarts=" + maxRestarts + ", restartDelay=" + restartDelay
                + ", priority=" + priority + ", group=" + group + ", totalStarts=" + totalStarts + ", totalExits="
                + totalExits + ", totalFailures=" + totalFailures + ", totalCrashes=" + totalCrashes
                + ", totalRestarts=" + totalRestarts + ", totalRecoverFailures=" + totalRecoverFailures
                + ", lastExitReason=" + lastExitReason + ", lastFailure=" + lastFailure + ", lastFailureTime="
                + lastFailureTime
                + ", lastStartTime=" + lastStartTime + ", lease=" + lease + ", takenAt=" + takenAt + "]";
    }
}
