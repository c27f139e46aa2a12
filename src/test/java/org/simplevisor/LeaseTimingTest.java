package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lease timing rule: leaseTime > renewDeadline > 1.2 × renewInterval, as Kubernetes leader election. */
class LeaseTimingTest {

    @Test
    void aLeaseTimeIsRenewedEverySixthAndGivenUpAfterTwoThirds() {
        assertThat(LeaseTiming.of(Duration.ofSeconds(30))).isEqualTo(LeaseTiming.DEFAULT)
                .isEqualTo(new LeaseTiming(Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(5)));
        assertThat(LeaseTiming.of(Duration.ofMillis(900)))
                .isEqualTo(new LeaseTiming(Duration.ofMillis(900), Duration.ofMillis(600), Duration.ofMillis(150)));
    }

    @Test
    void theDefaultSplitLeavesThreeRenewalAttemptsAfterASuccessBeforeTheDeadline() {
        for (LeaseTiming timing : List.of(LeaseTiming.DEFAULT, LeaseTiming.of(Duration.ofMillis(1)),
                LeaseTiming.of(Duration.ofMillis(7)), LeaseTiming.of(Duration.ofSeconds(9)))) {
            assertThat(timing.renewInterval().multipliedBy(3)).as("%s", timing)
                    .isLessThan(timing.renewDeadline());
        }
        assertThat(LeaseTiming.DEFAULT.renewInterval().multipliedBy(4)).as("the fourth attempt comes at the deadline")
                .isEqualTo(LeaseTiming.DEFAULT.renewDeadline());
    }

    /**
     * Whatever the valid timing, a holder whose first renewal after a success fails (one interval later) tries again
     * before its deadline: at the next interval if that comes first, else halfway to the deadline.
     */
    @Test
    void aFailedRenewalIsTriedAgainBeforeTheDeadlineWhateverTheTiming() {
        Duration interval = Duration.ofSeconds(10);
        for (LeaseTiming timing : List.of(LeaseTiming.DEFAULT, LeaseTiming.of(Duration.ofMillis(1)),
                new LeaseTiming(Duration.ofSeconds(30), interval.multipliedBy(6).dividedBy(5).plusNanos(1), interval),
                new LeaseTiming(Duration.ofSeconds(30), Duration.ofSeconds(15), interval),
                new LeaseTiming(Duration.ofSeconds(30), Duration.ofSeconds(20), interval),
                new LeaseTiming(Duration.ofSeconds(30), Duration.ofSeconds(29), interval))) {
            long firstAttempt = timing.renewInterval().toNanos();
            long deadline = timing.renewDeadline().toNanos();
            long retry = Math.min(timing.renewInterval().toNanos(), timing.retryDelayNanos(deadline - firstAttempt));
            assertThat(firstAttempt + retry).as("%s", timing).isLessThan(deadline);
        }
    }

    /** The default timing's retries come no sooner than its next interval: its load is that of its renewals. */
    @Test
    void theDefaultTimingRetriesAFailedRenewalAtTheNextIntervalOnly() {
        for (long untilDeadline : new long[] {0, 1, LeaseTiming.DEFAULT.renewDeadline().toNanos()}) {
            assertThat(LeaseTiming.DEFAULT.retryDelayNanos(untilDeadline))
                    .as("%d ns before the deadline", untilDeadline)
                    .isGreaterThanOrEqualTo(LeaseTiming.DEFAULT.renewInterval().toNanos());
        }
    }

    @Test
    void theShortestLeaseTimeOfOneMillisecondGivesAValidTiming() {
        assertThat(LeaseTiming.of(Duration.ofMillis(1))).isEqualTo(new LeaseTiming(Duration.ofMillis(1),
                Duration.ofNanos(666_666), Duration.ofNanos(166_666)));
        // Rounded down to whole nanoseconds, every lease time from 1 ms up passes the constructor's checks.
        for (long nanos = 1_000_000; nanos < 1_000_100; nanos++) {
            LeaseTiming timing = LeaseTiming.of(Duration.ofNanos(nanos));
            assertThat(timing.renewInterval()).as("%d ns", nanos).isPositive();
            assertThat(timing.leaseTime()).isEqualTo(Duration.ofNanos(nanos));
        }
        assertThat(LeaseTiming.of(ProcessOption.LONGEST).renewInterval())
                .isEqualTo(ProcessOption.LONGEST.dividedBy(6));
        assertThatThrownBy(() -> LeaseTiming.of(Duration.ofNanos(999_999))).isInstanceOf(
                IllegalArgumentException.class).hasMessage("leaseTime must be at least 1 ms, was PT0.000999999S");
    }

    @Test
    void theDeadlineMustExceedOnePointTwoRenewalIntervalsStrictly() {
        new LeaseTiming(Duration.ofSeconds(30), Duration.ofMillis(12_001), Duration.ofSeconds(10));

        assertThatThrownBy(() -> new LeaseTiming(Duration.ofSeconds(30), Duration.ofSeconds(12),
                Duration.ofSeconds(10))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("renewDeadline (PT12S) must be longer than 1.2 × renewInterval (PT10S)");
    }

    @Test
    void theLeaseTimeMustExceedTheDeadlineStrictly() {
        assertThatThrownBy(() -> new LeaseTiming(Duration.ofSeconds(20), Duration.ofSeconds(20),
                Duration.ofSeconds(10))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseTime (PT20S) must be longer than renewDeadline (PT20S)");
    }

    @Test
    void everyDurationMustBePositiveAndTheLeaseTimeAWholeMillisecondAtLeast() {
        assertThatThrownBy(() -> LeaseTiming.of(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseTime must be positive, was PT-0.001S");
        assertThatThrownBy(() -> new LeaseTiming(Duration.ofNanos(900_000), Duration.ofNanos(600_000),
                Duration.ofNanos(300_000))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseTime must be at least 1 ms, was PT0.0009S");
        assertThatThrownBy(() -> new LeaseTiming(Duration.ofSeconds(3), null, Duration.ofSeconds(1)))
                .isInstanceOf(NullPointerException.class).hasMessage("renewDeadline");
    }

    @Test
    void aLeaseTimeTooShortIsNamedAsSuchNotAsTheFractionsDerivedFromIt() {
        // Only the lease time was given (JdbcLeaseStore.builder().leaseTime, simplevisor.cluster.lease-time): the
        // message names it and its value, not a zero renewDeadline or renewInterval the user never set.
        assertThatThrownBy(() -> LeaseTiming.of(Duration.ofNanos(2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseTime must be at least 1 ms, was PT0.000000002S");
        assertThatThrownBy(() -> LeaseTiming.of(Duration.ofNanos(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseTime must be at least 1 ms, was PT0.000000001S");
    }
}
