package org.simplevisor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;

/**
 * Proves that every benchmark still runs, at the least cost, inside {@code ./mvnw verify}: each JMH {@code @Benchmark}
 * method of this package once (in this JVM, one warm-up and one measurement iteration of 100 ms, one value per
 * param), the scale harness with 50 processes, the watchdog harness with 3 samples, and the report rendering. The
 * figures mean nothing here; {@code ./mvnw -Pbenchmarks verify} measures.
 */
class BenchmarksSmokeTest {

    private static URL configBefore;

    @BeforeAll
    static void benchmarkLogging() throws URISyntaxException {
        // As in the benchmark JVMs: the library at INFO into /dev/null, not the tests' debug console.
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        configBefore = context.getConfiguration().getConfigurationSource().getURL();
        context.setConfigLocation(BenchmarksSmokeTest.class.getResource("/log4j2-benchmarks.xml").toURI());
        System.setProperty("jmh.ignoreLock", "true"); // a benchmark run elsewhere on the machine must not fail this
    }

    @AfterAll
    static void testLogging() throws URISyntaxException {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        if (configBefore != null) {
            context.setConfigLocation(configBefore.toURI());
        } else {
            context.reconfigure();
        }
    }

    @Test
    void everyJmhBenchmarkRunsAndGivesAResult() throws Exception {
        Set<String> benchmarks = benchmarkMethods();
        assertThat(benchmarks).contains("RestartPathBenchmark.simplevisor", "QueryBenchmark.isRunning",
                "EventLatencyBenchmark.jmxNotification");

        Collection<RunResult> results = new Runner(BenchmarkReport.smokeOptions("org\\.simplevisor\\.benchmarks\\.")
                .param("observers", "jmx+metrics").param("logging", "info").param("background", "restart-storm")
                .build()).run();

        Set<String> ran = new TreeSet<>();
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark();
            ran.add(name.substring("org.simplevisor.benchmarks.".length()));
            double score = result.getPrimaryResult().getScore();
            assertThat(score).as(name).isFinite().isPositive();
        }
        assertThat(ran).isEqualTo(benchmarks);

        // The report renders what JMH gave.
        BenchmarkReport.JdkRun run = new BenchmarkReport.JdkRun(System.getProperty("java.home"));
        run.feature = Runtime.version().feature();
        run.jmh = results;
        String md = BenchmarkReport.render(new BenchmarkReport.Context(), List.of(run), null);
        assertThat(md).contains("## 1. Restart path", "Failsafe 3.3.2", "## 3. Queries", "## 4. Event to notification",
                "restart path ≥ ½ of the executor-resubmit loop");
    }

    @Test
    void scaleHarnessRunsEveryConfiguration() throws Exception {
        List<ScaleBenchmark.Config> configs = new ArrayList<>(List.of(
                new ScaleBenchmark.Config("simplevisor", "platform", 50, Observed.Observers.ALL),
                new ScaleBenchmark.Config("simplevisor", "platform", 50, Observed.Observers.METRICS_SIMPLE),
                new ScaleBenchmark.Config("simplevisor", "platform", 50, Observed.Observers.JMX_METRICS_SIMPLE),
                new ScaleBenchmark.Config("guava", "platform", 50, Observed.Observers.ALL),
                new ScaleBenchmark.Config("threads", "platform", 50, Observed.Observers.ALL)));
        if (Runtime.version().feature() >= 21) {
            configs.add(new ScaleBenchmark.Config("simplevisor", "virtual", 50, Observed.Observers.ALL));
            configs.add(new ScaleBenchmark.Config("guava", "virtual", 50, Observed.Observers.ALL));
            configs.add(new ScaleBenchmark.Config("threads", "virtual", 50, Observed.Observers.ALL));
        }
        BenchmarkReport.JdkRun run = new BenchmarkReport.JdkRun(System.getProperty("java.home"));
        run.feature = Runtime.version().feature();
        for (ScaleBenchmark.Config config : configs) {
            ScaleBenchmark.Result result = ScaleBenchmark.run(config);
            assertThat(result.allStopped()).as(config.label()).isTrue();
            assertThat(result.startMs()).as(config.label()).isPositive();
            assertThat(result.stopMs()).as(config.label()).isPositive();
            assertThat(result.joinedMs()).as(config.label() + ": threads end after the stop")
                    .isGreaterThanOrEqualTo(result.stopMs());
            assertThat(result.joinedCpuMs()).as(config.label() + ": CPU (10 ms resolution)").isNotNegative();
            assertThat(result.heapPerProcess()).as(config.label()).isFinite();
            assertThat(ScaleBenchmark.Result.parse(result.line(), List.of()).line()).isEqualTo(result.line());
            run.scale.add(result);
            if (config.threads().equals("platform") && config.observers() == Observed.Observers.ALL) {
                run.repeatedStop.add(result);
            }
        }

        WatchdogBenchmark.Result watchdog = WatchdogBenchmark.run(10, 3);
        assertThat(watchdog.detectedMs()).hasSize(3);
        assertThat(java.util.Arrays.stream(watchdog.detectedMs()).min().orElseThrow()).isGreaterThan(-1.0);
        run.watchdog.add(BenchmarkReport.keyValues(watchdog.line()));

        String md = BenchmarkReport.render(new BenchmarkReport.Context(), List.of(run), null);
        assertThat(md).contains("## 2. Scale", "Guava ServiceManager", "threads ended ms", "## 5. Watchdog",
                "| 10 ms |",
                "### The stop, repeated in one JVM", "repeated in one JVM (medians): ",
                "register + start no slower than ServiceManager's start", "MBeans and meters in a SimpleMeterRegistry");
    }

    /** @return {@code Class.method} of every {@code @Benchmark} method compiled in this package */
    private static Set<String> benchmarkMethods() throws IOException, ClassNotFoundException, URISyntaxException {
        Path dir = Path.of(BenchmarksSmokeTest.class.getResource("BenchmarksSmokeTest.class").toURI()).getParent();
        List<String> classes;
        try (Stream<Path> files = Files.list(dir)) {
            classes = files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".class") && !f.contains("$"))
                    .map(f -> f.substring(0, f.length() - ".class".length())).collect(Collectors.toList());
        }
        Set<String> methods = new TreeSet<>();
        for (String simpleName : classes) {
            Class<?> type = Class.forName(BenchmarksSmokeTest.class.getPackageName() + "." + simpleName);
            for (Method method : type.getDeclaredMethods()) {
                if (method.isAnnotationPresent(Benchmark.class)) {
                    methods.add(simpleName + "." + method.getName());
                }
            }
        }
        return methods;
    }
}
