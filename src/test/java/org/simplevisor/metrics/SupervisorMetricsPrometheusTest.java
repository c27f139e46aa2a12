package org.simplevisor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.metrics.MeterValues.awaitMeters;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.GroupStrategy;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.testing.CrashOnceGroup;
import org.simplevisor.testing.RecordingListener;

/** With Prometheus naming, the meters carry exactly the Go package's metric and label names. */
class SupervisorMetricsPrometheusTest {

    /** The Go names and the labels each has here (context is the common tag a container adds). */
    private static final Map<String, Set<String>> GO_NAMES = new TreeMap<>(Map.of(
            "simplevisor_processes_running", Set.of("context", "process_name", "restart_policy"),
            "simplevisor_process_restart_count", Set.of("context", "process_name"),
            "simplevisor_process_status", Set.of("context", "process_name"),
            "simplevisor_process_started_total", Set.of("context", "process_name", "restart_policy"),
            "simplevisor_process_stopped_total", Set.of("context", "process_name", "reason"),
            "simplevisor_process_restarted_total", Set.of("context", "process_name", "restart_policy"),
            "simplevisor_process_panics_total", Set.of("context", "process_name"),
            "simplevisor_restart_limit_exceeded_total", Set.of("context", "process_name", "max_restarts"),
            "simplevisor_shutdown_timeouts_total", Set.of("context", "process_name")));

    private static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{(.*)\\} (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Supervisor supervisor = Supervisor.builder().name("prometheus-test").build();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        supervisor.shutdown();
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    /** Crashes once, is restarted by ON_FAILURE, then runs until cancelled. */
    private void registerCrashOnce() {
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("worker", ctx -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("crash once");
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 5, Duration.ZERO));
    }

    /**
     * A binding that fails part-way (the registry rejects a counter because a meter of another type has its name and
     * tags, here the application's own) leaves nothing behind: none of the meters registered before the failure, no
     * listener that makes the meters of a process registered later. The binder is as if never bound, so it binds once
     * the conflict is gone. (Micrometer 1.17 no longer rejects a meter whose tag keys differ from those of another of
     * its name, as Prometheus 1.5 accepts them.)
     */
    @Test
    void aBindingThatFailsPartWayLeavesNoMeterBehind() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Gauge foreign = Gauge.builder(SupervisorMetrics.PROCESS_PANICS, () -> 0)
                .tags("context", "/app", "process_name", "worker")
                .register(registry); // the binder registers its counter after most of a process's meters
        supervisor.register("worker", ProcessContext::awaitCancellation);
        SupervisorMetrics metrics = new SupervisorMetrics(supervisor, Tags.of("context", "/app"));
        toClose.add(metrics);

        assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalArgumentException.class);

        assertThat(registry.getMeters()).containsExactly(foreign);
        RecordingListener events = new RecordingListener(); // called after any listener the binding left
        supervisor.addListener(events);
        supervisor.register("later", ProcessContext::awaitCancellation);
        events.await("later", SupervisorEvent.Type.REGISTERED);
        assertThat(registry.getMeters()).as("made by a listener left behind").containsExactly(foreign);

        registry.remove(foreign);
        metrics.bindTo(registry);
        assertThat(registry.find(SupervisorMetrics.PROCESS_PANICS).tag("process_name", "later").counter())
                .isNotNull();
    }

    @Test
    void scrapeShowsTheGoMetricAndLabelNames() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        toClose.add(registry::close);
        toClose.add(SupervisorMetrics.monitor(registry, supervisor, Tags.of("context", "/app")));
        registerCrashOnce();
        supervisor.run();
        awaitMeters(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(samples(registry.scrape()).get("simplevisor_process_restarted_total{context=/app,"
                    + "process_name=worker,restart_policy=on_failure}")).isEqualTo(1.0);
        });

        String scrape = registry.scrape();
        Map<String, Set<String>> labelsByName = new TreeMap<>();
        for (String line : scrape.lines().filter(l -> l.startsWith("simplevisor")).collect(Collectors.toList())) {
            Matcher sample = SAMPLE.matcher(line);
            assertThat(sample.matches()).as(line).isTrue();
            Set<String> labels = new TreeSet<>();
            Matcher label = LABEL.matcher(sample.group(2));
            while (label.find()) {
                labels.add(label.group(1));
            }
            Set<String> previous = labelsByName.put(sample.group(1), labels);
            assertThat(previous == null || previous.equals(labels)).as(line).isTrue();
        }
        assertThat(labelsByName).isEqualTo(GO_NAMES);

        Map<String, Double> values = samples(scrape).entrySet().stream()
                .filter(e -> e.getKey().contains("process_name=worker"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(values).containsEntry("simplevisor_processes_running{context=/app,process_name=worker,"
                + "restart_policy=on_failure}", 1.0)
                .containsEntry("simplevisor_process_status{context=/app,process_name=worker}", 1.0)
                .containsEntry("simplevisor_process_restart_count{context=/app,process_name=worker}", 1.0)
                .containsEntry("simplevisor_process_started_total{context=/app,process_name=worker,"
                        + "restart_policy=on_failure}", 2.0)
                .containsEntry("simplevisor_process_panics_total{context=/app,process_name=worker}", 1.0)
                .containsEntry("simplevisor_process_stopped_total{context=/app,process_name=worker,reason=crashed}",
                        1.0)
                .containsEntry("simplevisor_process_stopped_total{context=/app,process_name=worker,reason=shutdown}",
                        0.0)
                .containsEntry("simplevisor_restart_limit_exceeded_total{context=/app,max_restarts=5,"
                        + "process_name=worker}", 0.0)
                .containsEntry("simplevisor_shutdown_timeouts_total{context=/app,process_name=worker}", 0.0);
        assertThat(values.keySet().stream().filter(k -> k.startsWith("simplevisor_process_stopped_total"))
                .map(k -> k.replaceAll(".*reason=(\\w+).*", "$1")).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("completed", "failed", "crashed", "cancelled", "shutdown", "manual",
                        "group");
        assertThat(scrape).contains("# HELP simplevisor_process_status Process status (1=running, 0=stopped, "
                + "-1=restarting, -2=failed)");
    }

    @Test
    void namingConventionRendersTheGoNames() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        toClose.add(SupervisorMetrics.monitor(registry, supervisor, Tags.of("context", "/app")));
        registerCrashOnce();
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.getMeters().size() == 15); // on REGISTERED

        PrometheusNamingConvention convention = new PrometheusNamingConvention();
        Map<String, Set<String>> rendered = new TreeMap<>();
        for (Meter meter : registry.getMeters()) {
            Meter.Id id = meter.getId();
            // Micrometer 1.13+ leaves the _total suffix of counters to the Prometheus client's exposition.
            String name = id.getConventionName(convention) + (id.getType() == Meter.Type.COUNTER ? "_total" : "");
            Set<String> keys = id.getConventionTags(convention).stream().map(Tag::getKey)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(keys).containsExactlyInAnyOrderElementsOf(
                    id.getTags().stream().map(Tag::getKey).collect(Collectors.toSet()));
            rendered.merge(name, keys, (a, b) -> {
                assertThat(a).isEqualTo(b);
                return a;
            });
        }
        assertThat(rendered).isEqualTo(GO_NAMES);
    }

    @Test
    void aGroupRestartCountsInTheGroupsCounterAndItsCancelledRunsStopWithReasonGroup() {
        Supervisor grouped = Supervisor.builder().name("prometheus-groups")
                .group("pipeline", GroupStrategy.ONE_FOR_ALL).build();
        toClose.add(grouped::shutdown);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        toClose.add(registry::close);
        SupervisorMetrics metrics = SupervisorMetrics.monitor(registry, grouped, Tags.of("context", "/app"));
        toClose.add(metrics);
        assertThat(samples(registry.scrape())).as("registered at 0 before the first restart")
                .containsEntry("simplevisor_group_restarted_total{context=/app,group=pipeline}", 0.0);
        CrashOnceGroup.registerIn(grouped, "pipeline");
        grouped.run();

        awaitMeters(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(samples(registry.scrape()))
                .containsEntry("simplevisor_group_restarted_total{context=/app,group=pipeline}", 1.0)
                .containsEntry("simplevisor_process_stopped_total{context=/app,process_name=processor,reason=group}",
                        1.0)
                .containsEntry("simplevisor_process_restarted_total{context=/app,process_name=processor,"
                        + "restart_policy=always}", 1.0));
        assertThat(registry.scrape()).contains("# HELP simplevisor_group_restarted_total Total number of process"
                + " group restarts");
        metrics.close();
        assertThat(registry.scrape()).doesNotContain("simplevisor_group_restarted_total");
    }

    /** @return every sample of the scrape as {@code name{k=v,...}} (labels sorted) to its value */
    private static Map<String, Double> samples(String scrape) {
        Map<String, Double> samples = new LinkedHashMap<>();
        scrape.lines().map(SAMPLE::matcher).filter(Matcher::matches).forEach(m -> {
            Map<String, String> labels = new TreeMap<>();
            Matcher label = LABEL.matcher(m.group(2));
            while (label.find()) {
                labels.put(label.group(1), label.group(2));
            }
            String key = m.group(1) + labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(",", "{", "}"));
            samples.put(key, Double.parseDouble(m.group(3)));
        });
        return samples;
    }
}
