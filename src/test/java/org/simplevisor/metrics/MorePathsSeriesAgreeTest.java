package org.simplevisor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.GroupStrategy;
import org.simplevisor.LeaseTiming;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessStatus;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.testing.ClockLeaseStore;
import org.simplevisor.testing.DeafProcess;

/**
 * Both publishers agree, every series, on paths the main comparison does not drive: a process registered after run(),
 * a manual restart, a group restart, a lease taken over by another node, a run abandoned at shutdown.
 */
class MorePathsSeriesAgreeTest {

    private static final String DOMAIN = "test.more-paths.meters";
    private static final Set<String> WITH_POLICY = Set.of("simplevisor_processes_running",
            "simplevisor_process_started_total", "simplevisor_process_restarted_total");
    private static final Pattern SAMPLE = Pattern.compile("^(simplevisor_\\w+)\\{(.*)\\} (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ClockLeaseStore rows = new ClockLeaseStore(Clock.systemUTC(), LeaseTiming.of(Duration.ofSeconds(3)));
    private final Supervisor supervisor = Supervisor.builder().name("app").nodeId("node-a")
            .shutdownTimeout(Duration.ofMillis(300)).leaseStore(rows.connect())
            .group("pipeline", GroupStrategy.ONE_FOR_ALL).build();
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        release.countDown();
        supervisor.shutdown();
        prometheus.close();
    }

    @Test
    void restartsGroupRestartLeaseExpiryAndShutdownAbandonment() throws Exception {
        SupervisorMeterMBeans meters = SupervisorMeterMBeans.register(supervisor, server, DOMAIN,
                Map.of("context", "/app"));
        SupervisorMetrics metrics = SupervisorMetrics.monitor(prometheus, supervisor, Tags.of("context", "/app"));
        supervisor.register("a", ProcessContext::awaitCancellation, ProcessOption.inGroup("pipeline"),
                ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        supervisor.register("b", ProcessContext::awaitCancellation, ProcessOption.inGroup("pipeline"),
                ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        supervisor.register("relay", ProcessContext::awaitCancellation, ProcessOption.singleton());
        supervisor.run();
        supervisor.register("late-deaf", DeafProcess.until(release)); // after run(): abandoned at shutdown
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.snapshot("relay").lease().held()
                && supervisor.isRunning("a") && supervisor.isRunning("b") && supervisor.isRunning("late-deaf"));
        supervisor.restart("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.snapshot("a").totalStarts() == 2
                && supervisor.isRunning("a"));
        supervisor.restartGroup("pipeline");
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.snapshot("b").totalStarts() == 2
                && supervisor.isRunning("a") && supervisor.isRunning("b"));
        rows.takeOver("app/relay", "node-b"); // the next renewal fails: expired
        await().atMost(Duration.ofSeconds(15)).until(() -> !supervisor.snapshot("relay").lease().held()
                && supervisor.status("relay") == ProcessStatus.STANDBY);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(mbeanSamples())
                .isEqualTo(prometheusSamples()));

        supervisor.shutdown();
        assertThat(mbeanSamples()).isEqualTo(prometheusSamples())
                .containsEntry("simplevisor_shutdown_timeouts_total{context=/app,process_name=late-deaf}", 1.0)
                .containsEntry("simplevisor_process_stopped_total{context=/app,process_name=late-deaf,"
                        + "reason=shutdown}", 1.0)
                .containsEntry("simplevisor_group_restarted_total{context=/app,group=pipeline}", 1.0)
                .containsEntry("simplevisor_process_lease_lost_total{context=/app,process_name=relay,"
                        + "reason=expired}", 1.0)
                .containsEntry("simplevisor_process_lease_held{context=/app,process_name=relay}", 0.0)
                .containsEntry("simplevisor_processes_running{context=/app,process_name=late-deaf,"
                        + "restart_policy=never}", 0.0);
        meters.close();
        metrics.close();
        assertThat(server.queryNames(new ObjectName(DOMAIN + ":*"), null)).isEmpty();
        assertThat(prometheus.getMeters()).isEmpty();
    }

    private Map<String, Double> mbeanSamples() throws Exception {
        Map<String, Double> samples = new TreeMap<>();
        for (ObjectName name : server.queryNames(new ObjectName(DOMAIN + ":*"), null)) {
            Map<String, String> keys = new TreeMap<>(name.getKeyPropertyList());
            keys.remove("type");
            for (MBeanAttributeInfo info : server.getMBeanInfo(name).getAttributes()) {
                Map<String, String> labels = new TreeMap<>(keys);
                if (!WITH_POLICY.contains(info.getName())) {
                    labels.remove(SupervisorMetrics.TAG_RESTART_POLICY);
                }
                if (!info.getName().equals("simplevisor_restart_limit_exceeded_total")) {
                    labels.remove(SupervisorMetrics.TAG_MAX_RESTARTS);
                }
                Object value = server.getAttribute(name, info.getName());
                if (value instanceof CompositeData byReason) {
                    for (String reason : byReason.getCompositeType().keySet()) {
                        Map<String, String> withReason = new TreeMap<>(labels);
                        withReason.put(SupervisorMetrics.TAG_REASON, reason);
                        samples.put(key(info.getName(), withReason), ((Number) byReason.get(reason)).doubleValue());
                    }
                } else {
                    samples.put(key(info.getName(), labels), ((Number) value).doubleValue());
                }
            }
        }
        return samples;
    }

    private Map<String, Double> prometheusSamples() {
        Map<String, Double> samples = new TreeMap<>();
        prometheus.scrape().lines().map(SAMPLE::matcher).filter(Matcher::matches).forEach(m -> {
            Map<String, String> labels = new TreeMap<>();
            Matcher label = LABEL.matcher(m.group(2));
            while (label.find()) {
                labels.put(label.group(1), label.group(2));
            }
            samples.put(key(m.group(1), labels), Double.parseDouble(m.group(3)));
        });
        return samples;
    }

    private static String key(String name, Map<String, String> labels) {
        return name + labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }
}
