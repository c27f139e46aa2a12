package org.simplevisor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
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
import org.simplevisor.testing.CrashOnceGroup;
import org.simplevisor.testing.ClockLeaseStore;
import org.simplevisor.testing.DeafProcess;

/**
 * The meter MBeans in a real MBean server give, read as the shipped exporter rules read them (the name's keys as
 * labels, an attribute's name as the series' name, a composite item as its {@code reason}), exactly the series that
 * {@link SupervisorMetrics} gives in a Prometheus registry bound to the same supervisor: same names, labels and
 * values, through crashes, the restart limit, a completed and a manually stopped run, a group restart and a
 * singleton's lease.
 */
class SupervisorMeterMBeansTest {

    private static final String DOMAIN = "test.meters";
    private static final Set<String> WITH_POLICY = Set.of("simplevisor_processes_running",
            "simplevisor_process_started_total", "simplevisor_process_restarted_total");
    private static final Pattern SAMPLE = Pattern.compile("^(simplevisor_\\w+)\\{(.*)\\} (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ClockLeaseStore rows = new ClockLeaseStore(Clock.systemUTC(), LeaseTiming.of(Duration.ofSeconds(3)));
    private final Supervisor supervisor = Supervisor.builder().name("meters-test").nodeId("node-a")
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
    void everySeriesIsTheOneSupervisorMetricsGivesInPrometheus() throws Exception {
        SupervisorMeterMBeans meters = SupervisorMeterMBeans.register(supervisor, server, DOMAIN,
                Map.of("context", "/app"));
        SupervisorMetrics metrics = SupervisorMetrics.monitor(prometheus, supervisor, Tags.of("context", "/app"));
        // registered after both: their meters come with the REGISTERED event
        supervisor.register("steady", ProcessContext::awaitCancellation,
                ProcessOption.withRestart(RestartPolicy.ALWAYS, 5, Duration.ZERO));
        supervisor.register("crash, \"loop\"=1", ctx -> {
            throw new IllegalStateException("crash");
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ZERO));
        supervisor.register("once", ctx -> { }, ProcessOption.withRestart(RestartPolicy.NEVER, 0, Duration.ZERO));
        supervisor.register("relay", ProcessContext::awaitCancellation, ProcessOption.singleton());
        CrashOnceGroup.registerIn(supervisor, "pipeline");
        supervisor.run();
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.status("crash, \"loop\"=1")
                == ProcessStatus.FAILED
                && supervisor.snapshot("relay").lease().held() && supervisor.snapshot("processor").totalRestarts() == 1
                && supervisor.status("steady") == ProcessStatus.RUNNING);
        supervisor.stop("steady");
        supervisor.stop("relay");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(mbeanSamples())
                .isEqualTo(prometheusSamples())
                .containsEntry("simplevisor_restart_limit_exceeded_total{context=/app,max_restarts=2,"
                        + "process_name=crash, \"loop\"=1}", 1.0)
                .containsEntry("simplevisor_process_stopped_total{context=/app,process_name=steady,reason=manual}", 1.0)
                .containsEntry("simplevisor_process_stopped_total{context=/app,process_name=once,reason=completed}",
                        1.0)
                .containsEntry("simplevisor_process_lease_lost_total{context=/app,process_name=relay,reason=released}",
                        1.0)
                .containsEntry("simplevisor_group_restarted_total{context=/app,group=pipeline}", 1.0)
                .containsEntry("simplevisor_process_status{context=/app,process_name=crash, \"loop\"=1}", -2.0));
        supervisor.shutdown();
        assertThat(mbeanSamples()).as("the final state, until closed").isEqualTo(prometheusSamples());

        meters.close();
        metrics.close();
        assertThat(server.queryNames(new ObjectName(DOMAIN + ":*"), null)).isEmpty();
    }

    @Test
    void aProcessMBeanIsNamedWithTheCommonTagsInOrderThenItsOwnTags() throws Exception {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("zone", "eu:1");
        tags.put("context", "/app");
        supervisor.register("worker", ProcessContext::awaitCancellation,
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 4, Duration.ZERO));
        try (SupervisorMeterMBeans meters = SupervisorMeterMBeans.register(supervisor, server, DOMAIN, tags)) {
            ObjectName process = new ObjectName(DOMAIN + ":type=simplevisor.process,zone=\"eu:1\",context=/app,"
                    + "process_name=worker,restart_policy=on_failure,max_restarts=4");
            assertThat(server.isRegistered(process)).isTrue();
            assertThat(server.getObjectInstance(process).getObjectName().getKeyPropertyListString())
                    .isEqualTo("type=simplevisor.process,zone=\"eu:1\",context=/app,process_name=worker,"
                            + "restart_policy=on_failure,max_restarts=4");
            assertThat(server.isRegistered(new ObjectName(DOMAIN
                    + ":type=simplevisor.group,zone=\"eu:1\",context=/app,group=pipeline"))).isTrue();
            assertThat(server.getMBeanInfo(process).getAttributes()).extracting(MBeanAttributeInfo::getName)
                    .containsExactly("simplevisor_processes_running", "simplevisor_process_restart_count",
                            "simplevisor_process_status", "simplevisor_process_started_total",
                            "simplevisor_process_restarted_total", "simplevisor_process_stopped_total",
                            "simplevisor_process_panics_total", "simplevisor_restart_limit_exceeded_total",
                            "simplevisor_shutdown_timeouts_total");
            assertThat(((CompositeData) server.getAttribute(process, "simplevisor_process_stopped_total"))
                    .getCompositeType().keySet()).as("no lease_lost: not a singleton")
                    .containsExactlyInAnyOrder("completed", "failed", "crashed", "cancelled", "shutdown", "manual",
                            "group");
            assertThat(server.getAttribute(process, "simplevisor_process_status")).isEqualTo(0);
        }
    }

    @Test
    void aTagThatWouldReplaceAKeyOfTheMBeansOwnIsRejected() {
        for (String reserved : new String[] {"type", "process_name", "restart_policy", "max_restarts", "group"}) {
            assertThatThrownBy(() -> SupervisorMeterMBeans.register(supervisor, server, DOMAIN,
                    Map.of(reserved, "x"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reserved);
        }
        assertThatThrownBy(() -> SupervisorMeterMBeans.register(supervisor, server, DOMAIN, Map.of("a,b", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid MBean name");
        assertThat(server.queryNames(null, null)).noneMatch(name -> name.getDomain().equals(DOMAIN));
    }

    @Test
    void aForgottenRegistrationKeepsNoSupervisorAlive() throws Exception {
        ObjectName worker = new ObjectName(DOMAIN + ":type=simplevisor.process,process_name=worker,"
                + "restart_policy=never,max_restarts=3");
        WeakReference<Supervisor> forgotten = registerAndForget(worker);

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            System.gc();
            return forgotten.get() == null;
        });
        assertThat(server.getAttribute(worker, "simplevisor_process_status")).isNull();
        assertThat(server.getAttribute(worker, "simplevisor_process_started_total")).isEqualTo(1L);
    }

    /** Registers the MBeans of a supervisor, runs it and shuts it down, then drops both without closing. */
    private WeakReference<Supervisor> registerAndForget(ObjectName worker) throws Exception {
        Supervisor forgotten = Supervisor.builder().name("forgotten").build();
        forgotten.register("worker", ProcessContext::awaitCancellation);
        SupervisorMeterMBeans.register(forgotten, server, DOMAIN, Map.of());
        forgotten.run();
        await().atMost(Duration.ofSeconds(10)).until(() -> forgotten.isRunning("worker"));
        assertThat(server.getAttribute(worker, "simplevisor_process_status")).isEqualTo(1);
        forgotten.shutdown();
        assertThat(server.getAttribute(worker, "simplevisor_process_status")).isEqualTo(0);
        return new WeakReference<>(forgotten);
    }

    // ---------------------------------------------------------------- the two renderings

    /**
     * Both publishers agree on the paths the test above does not drive: a process registered after run(), a manual
     * restart, a group restart, a lease taken over by another node, a run abandoned at shutdown.
     */
    @Test
    void theSeriesAgreeThroughRestartsAGroupRestartALeaseExpiryAndAnAbandonmentAtShutdown() throws Exception {
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
        rows.takeOver("meters-test/relay", "node-b"); // the next renewal fails: expired
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

    /** Every series of the MBeans, read as the exporter rules read them, as {@code name{k=v,...}} to its value. */
    private Map<String, Double> mbeanSamples() throws Exception {
        Map<String, Double> samples = new TreeMap<>();
        for (ObjectName name : server.queryNames(new ObjectName(DOMAIN + ":*"), null)) {
            Map<String, String> keys = new TreeMap<>(name.getKeyPropertyList());
            keys.remove("type");
            keys.replaceAll((key, value) -> value.startsWith("\"") ? ObjectName.unquote(value) : value);
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

    /** Every simplevisor series of the Prometheus registry, as {@code name{k=v,...}} to its value. */
    private Map<String, Double> prometheusSamples() {
        Map<String, Double> samples = new TreeMap<>();
        prometheus.scrape().lines().map(SAMPLE::matcher).filter(Matcher::matches).forEach(m -> {
            Map<String, String> labels = new TreeMap<>();
            Matcher label = LABEL.matcher(m.group(2));
            while (label.find()) {
                labels.put(label.group(1), label.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
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
