package org.simplevisor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.simplevisor.metrics.MeterValues.awaitMeters;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.ExitReason;
import org.simplevisor.LeaseLoss;
import org.simplevisor.LeaseTiming;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.Supervisor;
import org.simplevisor.testing.ClockLeaseStore;

/** The lease meters of a singleton: held, acquired, lost by reason; none of them on an ordinary process. */
class SupervisorMetricsLeaseTest {

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final Supervisor supervisor = Supervisor.builder().name("app").nodeId("node-a")
            .leaseStore(new ClockLeaseStore(Clock.systemUTC(), LeaseTiming.of(Duration.ofSeconds(3))).connect())
            .build();
    private final SupervisorMetrics metrics = SupervisorMetrics.monitor(registry, supervisor, Tags.empty());

    @AfterEach
    void shutDown() {
        supervisor.shutdown();
        metrics.close();
    }

    private double leaseLost(LeaseLoss reason) {
        return registry.get(SupervisorMetrics.PROCESS_LEASE_LOST).tag(SupervisorMetrics.TAG_PROCESS_NAME, "relay")
                .tag(SupervisorMetrics.TAG_REASON, reason.tagValue()).counter().count();
    }

    private double gauge(String meter, String process) {
        return registry.get(meter).tag(SupervisorMetrics.TAG_PROCESS_NAME, process).gauge().value();
    }

    @Test
    void aSingletonCountsItsLeasesAndShowsWhetherItHoldsOne() {
        supervisor.register("relay", ProcessContext::awaitCancellation, ProcessOption.singleton());
        supervisor.register("plain", ProcessContext::awaitCancellation);
        supervisor.run();

        awaitMeters(Duration.ofSeconds(10)).until(() -> gauge(SupervisorMetrics.PROCESS_LEASE_HELD, "relay") == 1
                && registry.get(SupervisorMetrics.PROCESS_LEASE_ACQUIRED).counter().count() == 1);
        assertThat(registry.find(SupervisorMetrics.PROCESS_LEASE_HELD).tag(SupervisorMetrics.TAG_PROCESS_NAME,
                "plain").gauge()).isNull();
        assertThat(registry.find(SupervisorMetrics.PROCESS_STOPPED).tag(SupervisorMetrics.TAG_PROCESS_NAME, "plain")
                .tag(SupervisorMetrics.TAG_REASON, ExitReason.LEASE_LOST.tagValue()).counter()).isNull();

        supervisor.stop("relay");

        awaitMeters(Duration.ofSeconds(10)).until(() -> leaseLost(LeaseLoss.RELEASED) == 1);
        assertThat(gauge(SupervisorMetrics.PROCESS_LEASE_HELD, "relay")).isZero();
        assertThat(leaseLost(LeaseLoss.EXPIRED)).isZero();
        assertThat(leaseLost(LeaseLoss.RENEWAL_FAILED)).isZero();
        assertThat(registry.get(SupervisorMetrics.PROCESS_STOPPED).tag(SupervisorMetrics.TAG_PROCESS_NAME, "relay")
                .tag(SupervisorMetrics.TAG_REASON, ExitReason.LEASE_LOST.tagValue()).counter().count()).isZero();
    }
}
