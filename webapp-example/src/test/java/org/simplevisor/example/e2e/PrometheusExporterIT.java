package org.simplevisor.example.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.Test;
import org.simplevisor.ProcessStatus;
import org.simplevisor.example.tomcat.StandaloneTomcat;
import org.simplevisor.metrics.SupervisorMetrics;

/**
 * The example on standalone Tomcat 11 with the standard Prometheus JMX exporter ({@code jmx_prometheus_javaagent})
 * and the shipped {@code tomcat-config/jmx-exporter.yaml}, the container default {@code simplevisor.metrics=jmx}:
 * the scrape holds exactly the nine Prometheus names of the Go package for simplevisor, one series per process (and
 * reason), with the labels {@code context}, {@code process_name}, {@code restart_policy}, {@code reason},
 * {@code max_restarts}, and the values the process MBeans show at the same moment; and the example's process group's
 * restarts, {@code simplevisor_group_restarted_total{context, group}}.
 */
class PrometheusExporterIT {

    private static final String PATH = StandaloneTomcat.EXAMPLE_PATH;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> REASONS =
            List.of("completed", "failed", "crashed", "cancelled", "shutdown", "manual", "group");
    private static final String GROUP_RESTARTED = "simplevisor_group_restarted_total";
    private static final List<String> ATTRIBUTES = List.of("Name", "Group", "Status", "Running", "RestartPolicy",
            "RestartCount", "MaxRestarts", "TotalStarts", "TotalRestarts", "TotalFailures", "TotalCrashes");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void scrapeHasTheNineGoNamesWithTheirLabelsAndTheValuesOfTheProcessMBeans() throws Exception {
        try (StandaloneTomcat tomcat = EndToEndSetup.prepareTomcatWithExporter("e2e.tomcat11.home", "exporter-")) {
            tomcat.installWar(EndToEndSetup.war(), PATH);
            tomcat.start(Duration.ofMinutes(3));
            try (JMXConnector connector = tomcat.connectJmx("monitor")) {
                MBeanServerConnection monitor = connector.getMBeanServerConnection();
                // the crash loop has ended in FAILED: every kind of value is then non-zero somewhere
                await().atMost(WAIT).until(() -> processes(monitor).stream()
                        .anyMatch(p -> p.get("Status").equals("FAILED")));

                await().atMost(WAIT).untilAsserted(() -> {
                    List<Map<String, Object>> before = processes(monitor);
                    Set<Sample> scraped = scrape(tomcat.metricsUrl());
                    Set<Sample> groupRestarts = scraped.stream().filter(s -> s.name().equals(GROUP_RESTARTED))
                            .collect(Collectors.toSet());
                    scraped.removeAll(groupRestarts);
                    assertThat(groupRestarts).extracting(Sample::labels)
                            .containsExactly(Map.of("context", PATH, "group", "order-pipeline"));
                    // the meters' counters follow the events a moment after the MBeans: retried until both agree
                    assertThat(processes(monitor)).as("process MBeans unchanged during the scrape").isEqualTo(before);
                    assertThat(scraped).as("simplevisor series").isEqualTo(expectedSeries(before));
                });
                assertThat(scrape(tomcat.metricsUrl()).stream().map(Sample::name).collect(Collectors.toSet()))
                        .containsExactlyInAnyOrder("simplevisor_processes_running",
                                "simplevisor_process_restart_count", "simplevisor_process_status",
                                "simplevisor_process_started_total", "simplevisor_process_stopped_total",
                                "simplevisor_process_restarted_total", "simplevisor_process_panics_total",
                                "simplevisor_restart_limit_exceeded_total", "simplevisor_shutdown_timeouts_total",
                                GROUP_RESTARTED);
            }
        }
    }

    /** The series the exporter must give for the processes, from their MBean attributes. */
    private static Set<Sample> expectedSeries(List<Map<String, Object>> processes) {
        Set<Sample> series = new HashSet<>();
        for (Map<String, Object> p : processes) {
            Map<String, String> process = Map.of("context", PATH, "process_name", (String) p.get("Name"));
            Map<String, String> withPolicy = with(process, "restart_policy",
                    ((String) p.get("RestartPolicy")).toLowerCase(Locale.ROOT));
            boolean running = (Boolean) p.get("Running");
            String status = (String) p.get("Status");
            long starts = (Long) p.get("TotalStarts");
            long failures = (Long) p.get("TotalFailures");
            long crashes = (Long) p.get("TotalCrashes");
            long ended = starts - (running ? 1 : 0);

            series.add(new Sample("simplevisor_processes_running", withPolicy, running ? 1 : 0));
            series.add(new Sample("simplevisor_process_restart_count", process, (Integer) p.get("RestartCount")));
            series.add(new Sample("simplevisor_process_status", process,
                    SupervisorMetrics.statusValue(ProcessStatus.valueOf(status))));
            series.add(new Sample("simplevisor_process_started_total", withPolicy, starts));
            series.add(new Sample("simplevisor_process_restarted_total", withPolicy, (Long) p.get("TotalRestarts")));
            series.add(new Sample("simplevisor_process_panics_total", process, crashes));
            // Nobody stops, restarts or shuts down here: every run that ended did so on its own, or, in the order
            // pipeline, was ended by its group (whose members never complete on their own).
            String endedOtherwise = p.get("Group") == null ? "completed" : "group";
            for (String reason : REASONS) {
                double count = switch (reason) {
                    case "failed" -> failures;
                    case "crashed" -> crashes;
                    default -> reason.equals(endedOtherwise) ? ended - failures - crashes : 0;
                };
                series.add(new Sample("simplevisor_process_stopped_total", with(process, "reason", reason), count));
            }
            // without an operator's restart, FAILED here is the one time the restart limit was exceeded
            series.add(new Sample("simplevisor_restart_limit_exceeded_total",
                    with(process, "max_restarts", String.valueOf(p.get("MaxRestarts"))),
                    status.equals("FAILED") ? 1 : 0));
            series.add(new Sample("simplevisor_shutdown_timeouts_total", process, 0));
        }
        return series;
    }

    private static List<Map<String, Object>> processes(MBeanServerConnection monitor) throws Exception {
        ObjectName all = new ObjectName("org.simplevisor:type=Process,context=" + PATH + ",*");
        List<Map<String, Object>> processes = new java.util.ArrayList<>();
        for (ObjectName name : new java.util.TreeSet<>(monitor.queryNames(all, null))) {
            Map<String, Object> attributes = new LinkedHashMap<>();
            for (Attribute attribute : monitor.getAttributes(name, ATTRIBUTES.toArray(String[]::new)).asList()) {
                attributes.put(attribute.getName(), attribute.getValue());
            }
            processes.add(attributes);
        }
        assertThat(processes).hasSize(7);
        return processes;
    }

    // ---------------------------------------------------------------- the Prometheus text format

    /** One series of a scrape: name, labels, value. */
    record Sample(String name, Map<String, String> labels, double value) {
        Sample {
            labels = new TreeMap<>(labels);
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** @return the series of the scrape whose names begin with {@code simplevisor} or hold it (default format) */
    private Set<Sample> scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Set<Sample> samples = new HashSet<>();
        for (String line : response.body().lines().toList()) {
            Matcher sample = SAMPLE.matcher(line);
            if (line.startsWith("#") || !sample.matches() || !sample.group(1).contains("simplevisor")) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            Matcher label = LABEL.matcher(sample.group(2) == null ? "" : sample.group(2));
            while (label.find()) {
                labels.put(label.group(1), label.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
            }
            samples.add(new Sample(sample.group(1), labels, Double.parseDouble(sample.group(3))));
        }
        return samples;
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> more = new TreeMap<>(labels);
        more.put(key, value);
        return more;
    }
}
