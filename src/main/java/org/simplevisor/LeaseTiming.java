package org.simplevisor;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How long a lease lasts and how its holder keeps it. The holder renews every {@code renewInterval}; if no renewal
 * has succeeded for {@code renewDeadline}, measured on the holder's own monotonic clock from before the last
 * successful renewal was sent, it stops its work, which leaves {@code leaseTime - renewDeadline} for the stop
 * before another node may take the lease. Nodes waiting for the lease try to acquire it every
 * {@code renewInterval}.
 *
 * <p>The three are checked as Kubernetes checks its leader election: {@code leaseTime > renewDeadline >
 * 1.2 × renewInterval}, so that a holder stops before its lease expires and gets a renewal attempt, with room for a
 * late tick, before its deadline. A failed renewal is tried again halfway to the deadline when that comes before the
 * next interval, but no sooner than half of {@code renewDeadline - renewInterval} later: so whatever the timing, a
 * holder whose first renewal after a success fails gets a second attempt before its deadline, and a store that keeps
 * failing is not tried ever more often as the deadline nears. {@link #of(Duration)} renews every sixth of the lease
 * time within a deadline of two thirds, which leaves three attempts after each success, all at intervals: its
 * retries never come sooner than the next interval (Kubernetes' defaults renew every 2 s within a 10 s deadline).
 *
 * @param leaseTime     how long a lease lasts after its acquisition or last renewal, in the store's time
 * @param renewDeadline how long a holder goes on without a successful renewal before it stops its work
 * @param renewInterval how often a holder renews, and a waiting node tries to acquire
 */
public record LeaseTiming(Duration leaseTime, Duration renewDeadline, Duration renewInterval) {

    /** The lease time unless configured otherwise: 30 s (renewals every 5 s, work stopped after 20 s without one). */
    public static final Duration DEFAULT_LEASE_TIME = Duration.ofSeconds(30);

    /** The default timing: {@code of(DEFAULT_LEASE_TIME)}. */
    public static final LeaseTiming DEFAULT = of(DEFAULT_LEASE_TIME);

    /**
     * Creates a timing, checking that the three durations fit together.
     *
     * @param leaseTime     how long a lease lasts after its acquisition or last renewal
     * @param renewDeadline how long a holder goes on without a successful renewal
     * @param renewInterval how often a holder renews
     * @throws IllegalArgumentException if a duration is not positive (the lease time must be at least one
     *                                  millisecond), or they do not satisfy
     *                                  {@code leaseTime > renewDeadline > 1.2 × renewInterval}
     */
    public LeaseTiming {
        requireLeaseTime(leaseTime);
        requirePositive("renewDeadline", renewDeadline);
        requirePositive("renewInterval", renewInterval);
        if (leaseTime.compareTo(renewDeadline) <= 0) {
            throw new IllegalArgumentException("leaseTime (" + leaseTime + ") must be longer than renewDeadline ("
                    + renewDeadline + ")");
        }
        // 1.2 × renewInterval < renewDeadline, in whole nanoseconds: 6 × renewInterval < 5 × renewDeadline.
        if (renewInterval.multipliedBy(6).compareTo(renewDeadline.multipliedBy(5)) >= 0) {
            throw new IllegalArgumentException("renewDeadline (" + renewDeadline
                    + ") must be longer than 1.2 × renewInterval (" + renewInterval + ")");
        }
    }

    /**
     * {@return the timing for a lease time: renewals every sixth of it, work stopped after two thirds without one}
     * After a successful renewal a holder thus makes three more attempts before its deadline (a sixth, two sixths and
     * three sixths of the lease time later; the deadline is at four sixths), so that one or two failed renewals in a
     * row do not stop its work; the third of the lease time after the deadline is left for the work to stop before
     * another node may take the lease.
     *
     * <p>Any lease time of at least 1 ms gives a valid timing: the sixth and the two thirds are whole nanoseconds,
     * rounded down, and never zero, and two thirds rounded down stay longer than 1.2 sixths.
     *
     * @param leaseTime how long a lease lasts after its acquisition or last renewal
     * @throws IllegalArgumentException if {@code leaseTime} is shorter than 1 ms
     */
    public static LeaseTiming of(Duration leaseTime) {
        // First: a lease time too short for whole sixths would be reported as a zero renewDeadline or renewInterval.
        requireLeaseTime(leaseTime);
        return new LeaseTiming(leaseTime, leaseTime.multipliedBy(2).dividedBy(3), leaseTime.dividedBy(6));
    }

    /**
     * {@return how long after a failed renewal the holder tries again, in nanoseconds, unless its next interval comes
     * sooner} Halfway to its deadline, but no sooner than half of what the deadline leaves after one interval.
     *
     * @param untilDeadlineNanos how long the holder has left before its deadline
     */
    long retryDelayNanos(long untilDeadlineNanos) {
        return Math.max(untilDeadlineNanos / 2, (renewDeadline.toNanos() - renewInterval.toNanos()) / 2);
    }

    /** The lease time is written to the store in whole milliseconds. */
    private static void requireLeaseTime(Duration leaseTime) {
        requirePositive("leaseTime", leaseTime);
        if (leaseTime.toMillis() == 0) {
            throw new IllegalArgumentException("leaseTime must be at least 1 ms, was " + leaseTime);
        }
    }

    private static void requirePositive(String property, Duration value) {
        Objects.requireNonNull(value, property);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(property + " must be positive, was " + value);
        }
        if (value.compareTo(ProcessOption.LONGEST) > 0) {
            throw new IllegalArgumentException(property + " must be at most " + ProcessOption.LONGEST + ", was "
                    + value);
        }
    }

    // Declared: generated ones can keep a web application's class loader alive (ClassLoaderReleaseTest).
    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof LeaseTiming that && Objects.equals(leaseTime, that.leaseTime)
                && Objects.equals(renewDeadline, that.renewDeadline)
                && Objects.equals(renewInterval, that.renewInterval);
    }

    @Override
    public int hashCode() {
        return Objects.hash(leaseTime, renewDeadline, renewInterval);
    }

    @Override
    public String toString() {
        return "LeaseTiming[leaseTime=" + leaseTime + ", renewDeadline=" + renewDeadline
                + ", renewInterval=" + renewInterval + "]";
    }
}
