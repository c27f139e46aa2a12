package org.simplevisor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.simplevisor.metrics.MeterValues.awaitMeters;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;

/** The MBean names of {@link TaggedJmxNames}: every tag a key of its own, in the platform MBean server. */
class TaggedJmxNamesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String DOMAIN = "simplevisor-tagged-test";
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private final JmxMeterRegistry registry = TaggedJmxNames.registry(new JmxConfig() {
        @Override
        public String get(String key) {
            return null;
        }

        @Override
        public String domain() {
            return DOMAIN;
        }
    }, Clock.SYSTEM);
    private final Supervisor supervisor = Supervisor.builder().name("tagged").build();

    @AfterEach
    void tearDown() {
        supervisor.shutdown();
        registry.close();
    }

    @Test
    void everyMeterOfAProcessIsAnMBeanWithItsTagsAsKeys() throws Exception {
        supervisor.register("worker", ProcessContext::awaitCancellation,
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ZERO));
        SupervisorMetrics metrics = SupervisorMetrics.monitor(registry, supervisor, Tags.of("context", "/app"));
        supervisor.run();

        String process = ",context=/app,process_name=worker";
        Set<String> expected = new java.util.TreeSet<>(Set.of(
                "name=simplevisor.processes.running,type=gauges" + process + ",restart_policy=on_failure",
                "name=simplevisor.process.restart.count,type=gauges" + process,
                "name=simplevisor.process.status,type=gauges" + process,
                "name=simplevisor.process.started,type=meters" + process + ",restart_policy=on_failure",
                "name=simplevisor.process.restarted,type=meters" + process + ",restart_policy=on_failure",
                "name=simplevisor.process.panics,type=meters" + process,
                "name=simplevisor.restart.limit.exceeded,type=meters,context=/app,max_restarts=2,process_name=worker",
                "name=simplevisor.shutdown.timeouts,type=meters" + process));
        for (String reason : new String[] {"completed", "failed", "crashed", "cancelled", "shutdown", "manual"}) {
            expected.add("name=simplevisor.process.stopped,type=meters" + process + ",reason=" + reason);
        }
        awaitMeters(WAIT).untilAsserted(() -> assertThat(keyPropertyLists()).isEqualTo(expected));
        // the key order of the names as written (tags by key, as Micrometer sorts them), which the exporter sees
        ObjectName status = new ObjectName(DOMAIN + ":name=simplevisor.process.status,type=gauges" + process);
        awaitMeters(WAIT).untilAsserted(() ->
                assertThat(((Number) SERVER.getAttribute(status, "Value")).doubleValue()).isEqualTo(1.0));
        ObjectName started = new ObjectName(DOMAIN + ":name=simplevisor.process.started,type=meters" + process
                + ",restart_policy=on_failure");
        assertThat(SERVER.getAttribute(started, "Count")).isEqualTo(1L);

        metrics.close();
        assertThat(keyPropertyLists()).isEmpty();
    }

    @Test
    void valuesThatNeedItAreQuotedAndKeysOfItsOwnAreRenamed() throws Exception {
        Counter counter = Counter.builder("odd.meter").tag("name", "a,b").tag("type", "x").tag("where?", "c=\"d\"")
                .tag("empty", "").register(registry);
        counter.increment(3);

        ObjectName name = SERVER.queryNames(new ObjectName(DOMAIN + ":name=odd.meter,*"), null).iterator().next();
        assertThat(name.getKeyPropertyListString()).startsWith("name=odd.meter,type=meters,");
        assertThat(ObjectName.unquote(name.getKeyProperty("tag_name"))).isEqualTo("a,b");
        assertThat(name.getKeyProperty("tag_type")).isEqualTo("x");
        assertThat(ObjectName.unquote(name.getKeyProperty("where_"))).isEqualTo("c=\"d\"");
        assertThat(name.getKeyProperty("empty")).isEmpty();
        assertThat(SERVER.getAttribute(name, "Count")).isEqualTo(3L);
    }

    private static Set<String> keyPropertyLists() throws Exception {
        return SERVER.queryNames(new ObjectName(DOMAIN + ":*"), null).stream()
                .map(ObjectName::getKeyPropertyListString)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }
}
