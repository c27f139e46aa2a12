package org.simplevisor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.ProcessStatus;
import org.simplevisor.Supervisor;
import org.simplevisor.testing.ActingClock;

/**
 * A scrape reads a process's meter MBean with one {@code getAttributes} call (the Prometheus exporter does): its
 * gauges show one state of the process, never {@code simplevisor_process_status} 1 (running) with
 * {@code simplevisor_processes_running} 0.
 */
class MeterMBeansOneStatePerCallTest {

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ActingClock clock = new ActingClock();
    private final Supervisor supervisor = Supervisor.builder().name("one-state").clock(clock)
            .shutdownTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void tearDown() {
        supervisor.shutdown();
    }

    @Test
    void theGaugesOfOneCallReadOneSnapshot() throws Exception {
        supervisor.register("worker", ctx -> ctx.awaitCancellation());
        try (SupervisorMeterMBeans meters = SupervisorMeterMBeans.register(supervisor, server, "test.meters",
                Map.of("context", "/app"))) {
            supervisor.run();
            await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.status("worker") == ProcessStatus.RUNNING);
            Set<ObjectName> names = server.queryNames(new ObjectName("test.meters:type="
                    + SupervisorMeterMBeans.PROCESS_TYPE + ",*"), null);
            assertThat(names).hasSize(1);

            // stopped after the first gauge's snapshot, before the next one's
            clock.onNextRead(() -> {
                supervisor.stop("worker");
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> supervisor.status("worker") == ProcessStatus.STOPPED);
            });
            Map<String, Object> values = new HashMap<>();
            for (Attribute a : server.getAttributes(names.iterator().next(),
                    new String[] {"simplevisor_process_status", "simplevisor_processes_running"}).asList()) {
                values.put(a.getName(), a.getValue());
            }

            assertThat(supervisor.status("worker")).as("stopped during the call").isEqualTo(ProcessStatus.STOPPED);
            assertThat(values).containsEntry("simplevisor_process_status", 1)
                    .containsEntry("simplevisor_processes_running", 1);
        }
    }
}
