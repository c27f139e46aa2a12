package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The lease timing rule: leaseTime > renewDeadline > 1.2 × renewInterval, as Kubernetes leader election. */
class LeaseTimingTest {

    @Test
    void aLeaseTimeIsRenewedEveryThirdAndGivenUpAfterTwoThirds() {
        assertThat(LeaseTiming.of(Duration.ofSeconds(30))).isEqualTo(LeaseTiming.DEFAULT)
                .isEqualTo(new LeaseTiming(Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(10)));
        assertThat(LeaseTiming.of(Duration.ofMillis(900)))
                .isEqualTo(new LeaseTiming(Duration.ofMillis(900), Duration.ofMillis(600), Duration.ofMillis(300)));
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
    void aLeaseTimeTooShortIsNamedAsSuchNotAsTheThirdsDerivedFromIt() {
        // Only the lease time was given (JdbcLeaseStore.builder().leaseTime, simplevisor.cluster.lease-time): the
        // message names it and its value, not a zero renewDeadline or renewInterval the user never set.
        assertThatThrownBy(() -> LeaseTiming.of(Duration.ofNanos(2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseTime must be at least 1 ms, was PT0.000000002S");
        assertThatThrownBy(() -> LeaseTiming.of(Duration.ofNanos(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseTime must be at least 1 ms, was PT0.000000001S");
    }
}
