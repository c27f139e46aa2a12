package org.simplevisor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.GroupStrategy;
import org.simplevisor.LeaseTiming;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessStatus;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.jmx.SupervisorJmx;
import org.simplevisor.testing.ClockLeaseStore;
import org.simplevisor.testing.DeafProcess;

/**
 * A singleton member its group abandoned (it outlived the stop timeout after the group cancelled it) keeps its
 * lease renewed while its thread runs. If the supervisor then shuts down while that thread is still stuck, nothing
 * renews the lease any more: the lease_held gauges of both publishers return to 0 and the lease loss is counted
 * (expired), as for a run abandoned at shutdown itself.
 */
class GroupAbandonedSingletonMetricsTest {

    private final ClockLeaseStore rows = new ClockLeaseStore(Clock.systemUTC(), LeaseTiming.of(Duration.ofSeconds(3)));
    private final Supervisor supervisor = Supervisor.builder().name("app").nodeId("node-a")
            .shutdownTimeout(Duration.ofMillis(300)).leaseStore(rows.connect())
            .group("pipeline", GroupStrategy.ONE_FOR_ALL).build();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch readerFails = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        release.countDown();
        supervisor.shutdown();
    }

    /** A reader and a singleton writer deaf to cancellation run; the reader fails, the group abandons the writer. */
    private void groupAbandonsTheWriter() {
        supervisor.register("reader", ctx -> {
            readerFails.await();
            throw new Exception("feed closed");
        }, ProcessOption.inGroup("pipeline"), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO));
        supervisor.register("writer", DeafProcess.until(release), ProcessOption.inGroup("pipeline"),
                ProcessOption.singleton(), ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        supervisor.run();
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.snapshot("writer").running());
        readerFails.countDown(); // the group cancels the writer, which outlives the stop timeout: abandoned
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.status("writer") == ProcessStatus.FAILED);
    }

    @Test
    void leaseHeldGaugeReturnsToZeroAfterShutdownOfAGroupAbandonedSingleton() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SupervisorMetrics metrics = SupervisorMetrics.monitor(registry, supervisor, Tags.empty());
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        SupervisorMeterMBeans meters = SupervisorMeterMBeans.register(supervisor, server, "m", Map.of());
        groupAbandonsTheWriter();
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.get(SupervisorMetrics.SHUTDOWN_TIMEOUTS)
                .tag(SupervisorMetrics.TAG_PROCESS_NAME, "writer").counter().count() == 1);
        assertThat(supervisor.snapshot("writer").lease().held()).as("renewed while its thread runs").isTrue();

        supervisor.shutdown(); // the writer's thread is still stuck: nothing renews its lease any more
        assertThat(supervisor.isTerminated()).isTrue();

        ObjectName writer = new ObjectName("m:type=simplevisor.process,process_name=writer,restart_policy=always,"
                + "max_restarts=3");
        double micrometerHeld = registry.get(SupervisorMetrics.PROCESS_LEASE_HELD)
                .tag(SupervisorMetrics.TAG_PROCESS_NAME, "writer").gauge().value();
        Object mbeanHeld = server.getAttribute(writer, "simplevisor_process_lease_held");
        double expiredLosses = registry.get(SupervisorMetrics.PROCESS_LEASE_LOST)
                .tag(SupervisorMetrics.TAG_PROCESS_NAME, "writer").tag(SupervisorMetrics.TAG_REASON, "expired")
                .counter().count();
        long mbeanLosses = (Long) ((CompositeData) server.getAttribute(writer, "simplevisor_process_lease_lost_total"))
                .get("expired");
        try {
            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(supervisor.snapshot("writer").lease().held())
                    .as("snapshot after termination: no one renews this lease any more").isFalse();
            soft.assertThat(micrometerHeld).as("SupervisorMetrics lease_held after termination").isZero();
            soft.assertThat(mbeanHeld).as("SupervisorMeterMBeans lease_held after termination").isEqualTo(0);
            soft.assertThat(expiredLosses).as("SupervisorMetrics lease_lost{expired}").isEqualTo(1);
            soft.assertThat(mbeanLosses).as("SupervisorMeterMBeans lease_lost{expired}").isEqualTo(1);
            soft.assertAll();
        } finally {
            metrics.close();
            meters.close();
        }
    }

    /**
     * The shutdown-timeout alert of a singleton its group abandoned does not say its lease is left to expire: a run
     * its group abandons keeps its lease renewed until its thread ends, so no other node can start it meanwhile.
     */
    @Test
    void theAlertOfAGroupAbandonedSingletonDoesNotSayItsLeaseIsLeftToExpire() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        SupervisorJmx jmx = SupervisorJmx.register(supervisor, server, "j", "/app");
        groupAbandonsTheWriter();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.getAttribute(jmx.alertsObjectName(), "LastAlert")
                != null);
        assertThat(supervisor.snapshot("writer").lease().held()).as("its lease is renewed, not left to expire")
                .isTrue();
        assertThat((String) server.getAttribute(jmx.alertsObjectName(), "LastAlert"))
                .startsWith("SHUTDOWN TIMEOUT: writer").doesNotContain("left to expire");
    }
}
