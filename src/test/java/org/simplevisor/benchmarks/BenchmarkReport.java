package org.simplevisor.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs every benchmark on each JDK and writes {@code BENCHMARKS.md}: JMH (restart path, queries, event
 * latency) with forks, and the harness (scale, watchdog) in a fresh JVM per configuration. Run it with
 * {@code ./mvnw -Pbenchmarks verify}, which starts it in a JVM of its own with the test class path.
 *
 * <p>Arguments: the output file, then the home of a second JDK (used when it exists and differs from this one).
 * System properties: {@code benchmarks.quick=true} for a short run (fewer forks, iterations and repetitions: to
 * try the harness, not to quote), {@code benchmarks.only=jmh|harness} to run one half, {@code
 * benchmarks.sizeFactor=0.01} to scale the process counts of the scale runs down (to try the harness).
 *
 * <p>A section of the existing file between {@value #FINDINGS_BEGIN} and {@value #FINDINGS_END} (the findings,
 * written by hand after profiling) is kept across runs.
 */
public final class BenchmarkReport {

    static final String FINDINGS_BEGIN = "<!-- findings: kept when the file is regenerated -->";
    static final String FINDINGS_END = "<!-- end of findings -->";
    static final String JMH_INCLUDE = "org\\.simplevisor\\.benchmarks\\.(RestartPath|Query|EventLatency)Benchmark\\.";
    static final String LOG_CONFIG = "-Dlog4j2.configurationFile=log4j2-benchmarks.xml";

    private final boolean quick = Boolean.getBoolean("benchmarks.quick");
    private final String only = System.getProperty("benchmarks.only", "all");
    private final double sizeFactor = Double.parseDouble(System.getProperty("benchmarks.sizeFactor", "1"));
    private final Path workDir = Path.of("target", "benchmarks");

    /** Above this 1-minute load average per core, the machine counts as busy. */
    private static final double BUSY_LOAD_PER_CORE = 0.5;
    /** How long the report waits for a busy machine to settle before it starts anyway. */
    private static final java.time.Duration QUIET_WAIT = java.time.Duration.ofMinutes(3);

    /** Processes in the repeated stop: enough threads for the stop to cost, few enough for 11 runs per JVM. */
    static final int REPEATED_STOP_N = 3_000;
    /** Measured runs of the repeated stop, after the harness's unmeasured ones. */
    private static final int REPEATED_STOP_RUNS = 8;

    /** What one JDK gave. */
    static final class JdkRun {
        final String home;
        String version = "?";
        int feature;
        Collection<RunResult> jmh = List.of();
        final List<ScaleBenchmark.Result> scale = new ArrayList<>();
        /** The stop measured several times in one JVM per system: {@link #REPEATED_STOP_N} platform threads. */
        final List<ScaleBenchmark.Result> repeatedStop = new ArrayList<>();
        final List<Map<String, String>> watchdog = new ArrayList<>();
        final List<String> failures = new ArrayList<>();

        JdkRun(String home) {
            this.home = home;
        }

        String label() {
            return "JDK " + feature;
        }
    }

    /** The machine and the run, for the report's header. */
    static final class Context {
        String command = "./mvnw -Pbenchmarks verify";
        String loadBefore = loadAverage();
        String loadAfter = loadBefore;
        String started = now();
        String finished = started;
        String settings = "";
        int scaleRepetitions = 1;
    }

    public static void main(String[] args) throws Exception {
        Path output = Path.of(args.length > 0 ? args[0] : "BENCHMARKS.md");
        List<String> homes = new ArrayList<>();
        homes.add(System.getProperty("java.home"));
        if (args.length > 1 && Files.isExecutable(Path.of(args[1], "bin", "java"))
                && !Path.of(args[1]).toRealPath().equals(Path.of(homes.get(0)).toRealPath())) {
            homes.add(args[1]);
        }
        new BenchmarkReport().run(output, homes);
    }

    void run(Path output, List<String> homes) throws Exception {
        Files.createDirectories(workDir);
        if (!quick) {
            awaitQuietMachine();
        }
        Context context = new Context();
        context.scaleRepetitions = quick ? 1 : 5;
        context.settings = quick
                ? "quick run (benchmarks.quick): JMH 1 fork, 1 warm-up and 2 measurement iterations of 1 s; scale 1 run"
                  + " per configuration: NOT FOR QUOTING"
                : "JMH: 2 forks each; restart path 5 warm-up and 5 measurement iterations of 2 s, queries 3 + 5 of 1 s,"
                  + " event latency 5 + 5 of 1 s; errors are JMH's 99.9% confidence half-intervals. Scale: "
                  + context.scaleRepetitions + " JVMs per configuration, the systems compared taking turns JVM by JVM,"
                  + " medians (lowest–highest).";
        List<JdkRun> runs = new ArrayList<>();
        for (String home : homes) {
            JdkRun run = new JdkRun(home);
            run.version = javaVersion(home);
            run.feature = feature(run.version);
            System.out.println("==== benchmarks on " + run.version + " (" + home + ")");
            if (!only.equals("harness")) {
                run.jmh = runJmh(run);
            }
            if (!only.equals("jmh")) {
                runHarness(run, context.scaleRepetitions);
            }
            runs.add(run);
        }
        context.loadAfter = loadAverage();
        context.finished = now();
        String findings = existingFindings(output);
        Files.writeString(output, render(context, runs, findings), StandardCharsets.UTF_8);
        System.out.println("==== wrote " + output.toAbsolutePath());
    }

    // ---------------------------------------------------------------- running

    private Collection<RunResult> runJmh(JdkRun run) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(JMH_INCLUDE)
                .jvm(Path.of(run.home, "bin", "java").toString())
                .jvmArgsAppend("-Xmx1g", LOG_CONFIG)
                .resultFormat(ResultFormatType.JSON)
                .result(workDir.resolve("jmh-jdk" + run.feature + ".json").toString());
        if (quick) {
            options.forks(1).warmupIterations(1).measurementIterations(2);
        }
        return new Runner(options.build()).run();
    }

    private void runHarness(JdkRun run, int repetitions) throws Exception {
        List<String> threadKinds = run.feature >= 21 ? List.of("platform", "virtual") : List.of("platform");
        for (String threads : threadKinds) {
            for (int n : threads.equals("platform") ? sized(1_000, 10_000) : sized(10_000, 100_000)) {
                // The systems compared take turns, JVM by JVM: this machine drifts by tens of percent within
                // minutes, and the JVMs of one system in a row would compare it with the others at another time.
                for (int i = 0; i < repetitions; i++) {
                    for (String system : new String[] {"simplevisor", "guava", "threads"}) {
                        run.scale.addAll(harness(run, new ScaleBenchmark.Config(system, threads, n,
                                Observed.Observers.ALL), 1));
                    }
                }
            }
        }
        Observed.Observers all = Observed.Observers.ALL;
        for (String system : new String[] {"simplevisor", "guava", "threads"}) {
            ScaleBenchmark.Config config = new ScaleBenchmark.Config(system, "platform", sized(REPEATED_STOP_N)[0], all);
            run.repeatedStop.addAll(harness(run, config, quick ? 2 : REPEATED_STOP_RUNS));
        }
        // What each observer costs on the heap (one run each: the histogram is exact).
        for (Observed.Observers observers : new Observed.Observers[] {Observed.Observers.NONE,
                Observed.Observers.METRICS_SIMPLE, Observed.Observers.METRICS, Observed.Observers.JMX,
                Observed.Observers.JMX_METRICS_SIMPLE}) {
            run.scale.addAll(harness(run, new ScaleBenchmark.Config("simplevisor", "platform", sized(10_000)[0],
                    observers), 1));
        }
        List<String> watchdogArgs = quick ? List.of("10", "50", "100", "10") : List.of("10", "300", "100", "50", "1000", "10");
        List<String> lines = child(run, "-Xmx1g", WatchdogBenchmark.class.getName(), watchdogArgs);
        for (String line : lines) {
            if (line.startsWith("RESULT ")) {
                run.watchdog.add(keyValues(line));
            }
        }
    }

    private int[] sized(int... counts) {
        return java.util.Arrays.stream(counts).map(n -> Math.max(10, (int) Math.round(n * sizeFactor))).toArray();
    }

    /**
     * Runs a configuration of the scale harness in a fresh JVM, measured {@code times} times there.
     *
     * @return its results, each with the largest classes of the last run; none if it failed (noted in the run)
     */
    private List<ScaleBenchmark.Result> harness(JdkRun run, ScaleBenchmark.Config config, int times) {
        List<String> args = List.of(config.system(), config.threads(), Integer.toString(config.n()),
                config.observers().name().toLowerCase(Locale.ROOT), Integer.toString(times));
        try {
            List<String> lines = child(run, "-Xmx6g", ScaleBenchmark.class.getName(), args);
            Files.write(workDir.resolve("harness-jdk" + run.feature + ".txt"), lines, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            List<String> classes = lines.stream().filter(l -> l.startsWith("CLASS "))
                    .map(l -> l.substring("CLASS ".length())).collect(Collectors.toList());
            List<ScaleBenchmark.Result> results = lines.stream().filter(l -> l.startsWith("RESULT "))
                    .peek(l -> System.out.println("  " + l))
                    .map(l -> ScaleBenchmark.Result.parse(l, classes)).collect(Collectors.toList());
            if (results.size() < times) {
                run.failures.add(config.label() + ": " + results.size() + " of " + times + " results ("
                        + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())) + ")");
            }
            return results;
        } catch (Exception e) {
            run.failures.add(config.label() + ": " + e);
            return List.of();
        }
    }

    /** Runs a main class of this class path in a fresh JVM of the given JDK; returns its output lines. */
    private List<String> child(JdkRun run, String heap, String mainClass, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(run.home, "bin", "java").toString(), heap,
                LOG_CONFIG, "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        System.out.println("  [" + run.label() + "] " + mainClass.substring(mainClass.lastIndexOf('.') + 1) + " "
                + String.join(" ", args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        }
        if (!process.waitFor(30, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        return lines;
    }

    private static String javaVersion(String home) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(Path.of(home, "bin", "java").toString(), "-version")
                .redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return text.lines().map(String::trim).collect(Collectors.joining("; "));
    }

    static int feature(String version) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("version \"(\\d+)").matcher(version);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    static Map<String, String> keyValues(String line) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String part : line.substring(line.indexOf(' ') + 1).split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                values.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return values;
    }

    // ---------------------------------------------------------------- the machine

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return String.format(Locale.ROOT, "%.2f (1 min)",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static String now() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String memory() {
        long bytes = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    private static String existingFindings(Path output) throws IOException {
        if (!Files.exists(output)) {
            return null;
        }
        String text = Files.readString(output);
        int begin = text.indexOf(FINDINGS_BEGIN);
        int end = text.indexOf(FINDINGS_END);
        return begin >= 0 && end > begin ? text.substring(begin, end + FINDINGS_END.length()) : null;
    }

    // ---------------------------------------------------------------- rendering

    static String render(Context context, List<JdkRun> runs, String findings) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Supervision overhead, scale, queries, event latency and watchdog lateness of simplevisor, side by side ")
                .append("with what a user would pick instead, measured in the same run. Generated by ")
                .append("`org.simplevisor.benchmarks.BenchmarkReport`; the sources are in ")
                .append("`src/test/java/org/simplevisor/benchmarks/`.\n\n");
        int cores = Runtime.getRuntime().availableProcessors();
        double load1 = parseLoad(context.loadBefore);
        double load1After = parseLoad(context.loadAfter);
        md.append("## The run\n\n");
        md.append("| | |\n| --- | --- |\n");
        md.append("| command | `").append(context.command).append("` |\n");
        md.append("| when | ").append(context.started).append(" to ").append(context.finished).append(" |\n");
        md.append("| machine | ").append(cores).append(" cores (").append(cpuModel()).append("), ").append(memory())
                .append(" memory, ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append(' ').append(System.getProperty("os.arch"))
                .append(" |\n");
        md.append("| load average (1, 5, 15 min) | before: ").append(context.loadBefore).append("; after: ")
                .append(context.loadAfter).append(" |\n");
        for (JdkRun run : runs) {
            md.append("| ").append(run.label()).append(" | ").append(run.version).append(" |\n");
        }
        md.append("| settings | ").append(context.settings).append(" |\n");
        md.append("| logging | Log4j 2 at its default level for the library (INFO; crashes at ERROR with the stack trace), ")
                .append("a `File` appender with Log4j's defaults (buffered, flushed per event) writing to `/dev/null`: ")
                .append("every line is formatted and written, nothing reaches a disk (`src/test/resources/log4j2-benchmarks.xml`) |\n");
        md.append("| observers | unless a row says otherwise: the meters as `SupervisorMeterMBeans` (the container ")
                .append("default) and the MBeans and notifications of `SupervisorJmx` in the platform MBean server |\n\n");
        // Judged by the load before the run: the load after it is mostly the benchmarks' own forks.
        boolean busy = isBusy(load1);
        if (busy || context.settings.startsWith("quick")) {
            md.append("> **Caution.** ");
            if (busy) {
                md.append("The machine was busy with other work during this run (1-minute load average ")
                        .append(String.format(Locale.ROOT, "%.2f before, %.2f after, on %d cores", load1, load1After,
                                cores))
                        .append("): the figures are lower and noisier than on an idle machine, and will be re-run. ");
            }
            if (context.settings.startsWith("quick")) {
                md.append("This was a quick run: too few iterations to quote. ");
            }
            md.append("\n\n");
        }

        renderTargets(md, runs);
        renderRestartPath(md, runs);
        renderScale(md, runs, context);
        renderRepeatedStop(md, runs);
        renderQueries(md, runs);
        renderLatency(md, runs);
        renderWatchdog(md, runs);
        for (JdkRun run : runs) {
            if (!run.failures.isEmpty()) {
                md.append("**Failed runs on ").append(run.label()).append(":** ")
                        .append(String.join("; ", run.failures)).append("\n\n");
            }
        }
        md.append("## Findings\n\n");
        md.append(findings != null ? findings : FINDINGS_BEGIN + "\n\n(none yet)\n\n" + FINDINGS_END).append("\n");
        return md.toString();
    }

    /**
     * Waits, at most {@link #QUIET_WAIT}, for the 1-minute load average to fall below the level the report calls
     * busy: the build that starts the report has just compiled, and its load would otherwise count as the machine's.
     */
    private static void awaitQuietMachine() throws InterruptedException {
        long deadline = System.nanoTime() + QUIET_WAIT.toNanos();
        while (isBusy(parseLoad(loadAverage())) && System.nanoTime() < deadline) {
            System.out.println("==== waiting for the load average to fall: " + loadAverage());
            Thread.sleep(5_000);
        }
    }

    /** @return whether a 1-minute load average means other work competes with the benchmarks */
    private static boolean isBusy(double load1) {
        return load1 > BUSY_LOAD_PER_CORE * Runtime.getRuntime().availableProcessors();
    }

    private static double parseLoad(String load) {
        try {
            return Double.parseDouble(load.trim().split("\\s+")[0]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    // -------------------------------- JMH result access

    static Optional<RunResult> find(JdkRun run, String benchmark, Map<String, String> params) {
        return run.jmh.stream().filter(r -> r.getParams().getBenchmark().endsWith("." + benchmark))
                .filter(r -> params.entrySet().stream().allMatch(e -> e.getValue().equals(r.getParams().getParam(e.getKey()))))
                .findFirst();
    }

    static Optional<RunResult> find(JdkRun run, String benchmark) {
        return find(run, benchmark, Map.of());
    }

    private static String scoreWithError(Result<?> result, String format) {
        double error = result.getScoreError();
        return String.format(Locale.ROOT, format, result.getScore())
                + (Double.isNaN(error) ? "" : " ± " + String.format(Locale.ROOT, format, error));
    }

    /** @return a ± b as a ratio x / y with its relative errors combined */
    private static String ratio(Result<?> x, Result<?> y) {
        double r = x.getScore() / y.getScore();
        double ex = relError(x);
        double ey = relError(y);
        double e = r * Math.sqrt(ex * ex + ey * ey);
        return e == 0 ? sig(r) : String.format(Locale.ROOT, "%s ± %s", sig(r), sig(e));
    }

    private static double relError(Result<?> r) {
        double e = r.getScoreError();
        return Double.isNaN(e) ? 0 : e / r.getScore();
    }

    static String sig(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        double abs = Math.abs(value);
        if (abs >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        } else if (abs >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        } else if (abs >= 1) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }

    // -------------------------------- 1. restart path

    static final Map<String, String> HEADLINE = Map.of("observers", "jmx+metrics", "logging", "info");

    private static void renderRestartPath(StringBuilder md, List<JdkRun> runs) {
        md.append("## 1. Restart path\n\n");
        md.append("A process that fails at once (a fresh `IllegalStateException`) is restarted with zero delay, for ever ")
                .append("(`RestartPathBenchmark`). Restarts per second (JMH throughput, 200 restarts per operation); CPU ")
                .append("per restart from ThreadMXBean (all Java threads) and from the process's CPU time (GC and JIT ")
                .append("included), divided by the rate. The ratio column is the supervisor's headline rate (meters, ")
                .append("MBeans, logging at INFO) over the row's.\n\n");
        for (JdkRun run : runs) {
            if (run.jmh.isEmpty()) {
                continue;
            }
            Optional<RunResult> headline = find(run, "RestartPathBenchmark.simplevisor", HEADLINE);
            md.append("**").append(run.label()).append("**\n\n");
            md.append("| variant | restarts/s | CPU µs/restart (Java threads) | CPU µs/restart (process) | headline ÷ this |\n");
            md.append("| --- | ---: | ---: | ---: | ---: |\n");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"simplevisor: meters + MBeans, logging INFO (headline)", "simplevisor", "jmx+metrics", "info"});
            rows.add(new String[] {"simplevisor: meters + MBeans, logging off", "simplevisor", "jmx+metrics", "off"});
            rows.add(new String[] {"simplevisor: no meters or MBeans, logging INFO", "simplevisor", "none", "info"});
            rows.add(new String[] {"simplevisor: no meters or MBeans, logging off", "simplevisor", "none", "off"});
            rows.add(new String[] {"bare retry loop on one thread (the limit)", "bareRetryLoop", null, null});
            rows.add(new String[] {"bare executor-resubmit loop (cached pool)", "executorResubmit", null, null});
            rows.add(new String[] {"Failsafe 3.3.2 RetryPolicy, unlimited, sync", "failsafe", null, null});
            rows.add(new String[] {"Failsafe 3.3.2 RetryPolicy, unlimited, runAsync on a cached pool", "failsafeAsync", null, null});
            for (String[] row : rows) {
                Map<String, String> params = row[2] == null ? Map.of() : Map.of("observers", row[2], "logging", row[3]);
                Optional<RunResult> result = find(run, "RestartPathBenchmark." + row[1], params);
                if (result.isEmpty()) {
                    continue;
                }
                Result<?> primary = result.get().getPrimaryResult();
                md.append("| ").append(row[0]).append(" | ").append(scoreWithError(primary, "%,.0f")).append(" | ")
                        .append(cpuPerRestart(result.get(), "threadCpuNanos")).append(" | ")
                        .append(cpuPerRestart(result.get(), "processCpuNanos")).append(" | ")
                        .append(headline.map(h -> h == result.get() ? "1" : ratio(h.getPrimaryResult(), primary))
                                .orElse("")).append(" |\n");
            }
            md.append("\n");
        }
    }

    private static String cpuPerRestart(RunResult result, String counter) {
        Result<?> cpu = result.getSecondaryResults().get(counter);
        if (cpu == null) {
            return "";
        }
        return sig(cpu.getScore() / result.getPrimaryResult().getScore() / 1000.0);
    }

    // -------------------------------- 2. scale

    /**
     * The median of one figure over the JVMs of a configuration, then its lowest and highest value: one JVM in a few
     * here is slower by half (a safepoint that waits for thousands of exiting threads, a neighbour's burst of work),
     * and a mean would follow it.
     */
    static double[] stats(List<ScaleBenchmark.Result> results, Function<ScaleBenchmark.Result, Double> figure) {
        double[] sorted = results.stream().mapToDouble(figure::apply).sorted().toArray();
        int last = sorted.length - 1;
        return sorted.length == 0 ? new double[] {Double.NaN, Double.NaN, Double.NaN}
                : new double[] {sorted[last / 2], sorted[0], sorted[last]}; // the median as quartiles() takes it
    }

    static String medianRange(double[] s) {
        return s[1] == s[2] ? sig(s[0]) : sig(s[0]) + " (" + sig(s[1]) + "–" + sig(s[2]) + ")";
    }

    static List<ScaleBenchmark.Result> select(JdkRun run, Predicate<ScaleBenchmark.Config> which) {
        return run.scale.stream().filter(r -> which.test(r.config())).collect(Collectors.toList());
    }

    static Predicate<ScaleBenchmark.Config> config(String system, String threads, int n, Observed.Observers o) {
        return c -> c.system().equals(system) && c.threads().equals(threads) && c.n() == n
                && (!system.equals("simplevisor") || c.observers() == o);
    }

    private static void renderScale(StringBuilder md, List<JdkRun> runs, Context context) {
        md.append("## 2. Scale\n\n");
        md.append("N processes that wait for cancellation (`ScaleBenchmark`, one JVM per run, `-Xmx6g`, after a warm-up ")
                .append("run of 200 in the same JVM). simplevisor: **register** = build the supervisor, register N, ")
                .append("bind the meters, register the MBeans; **start** = `run()` until every process is RUNNING; ")
                .append("**events** = `run()` until the last listener has every STARTED event (meters counted, ")
                .append("notifications queued); **stop** = `shutdown()` until it returns (every process STOPPED, ")
                .append("threads joined, MBeans unregistered); **threads ended** = stop until every thread the system started ")
                .append("has ended; **last run returned** = stop until the last process body returned; **runs interrupted** ")
                .append("= process bodies the stop interrupted. Guava 33.4.8 ")
                .append("`ServiceManager` with N `AbstractExecutionThreadService`s: register = build the services and the ")
                .append("manager; start = `startAsync().awaitHealthy()`; stop = `stopAsync().awaitStopped()`, which does ")
                .append("not wait for the services' threads to end (threads ended: they are joined after it, as a web ")
                .append("application must before undeploy); its `executor()` starts a thread per service, named after it, ")
                .append("virtual on virtual threads. **Bare threads** (the limit): start N threads that each wait on a latch ")
                .append("of their own until all run; stop = release them one by one and join them. **Heap** = live bytes after a full GC (class histogram), ")
                .append("after minus before, per process, thread stacks excluded (platform stacks are off-heap; the ")
                .append("`StackChunk`s of parked virtual threads are subtracted). Times in ms, the median (lowest–highest) over ")
                .append(context.scaleRepetitions).append(" JVMs; \"Guava ÷ simplevisor\" > 1 means simplevisor is faster; ")
                .append("for the stop, the first figure compares `awaitStopped()` with `shutdown()`, the one in brackets ")
                .append("compares the two with their threads ended.\n\n");
        for (JdkRun run : runs) {
            if (run.scale.isEmpty()) {
                continue;
            }
            md.append("**").append(run.label()).append("**\n\n");
            md.append("| threads | N | system | register ms | start ms | events ms | stop ms | threads ended ms ")
                    .append("| last run returned ms | runs interrupted | heap B/process | Guava ÷ simplevisor, start ")
                    .append("| Guava ÷ simplevisor, stop (threads ended) |\n");
            md.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (String threads : new String[] {"platform", "virtual"}) {
                for (int n : sizes(run)) {
                    List<ScaleBenchmark.Result> sv = select(run, config("simplevisor", threads, n, Observed.Observers.ALL));
                    List<ScaleBenchmark.Result> gu = select(run, config("guava", threads, n, null));
                    if (sv.isEmpty() && gu.isEmpty()) {
                        continue;
                    }
                    double[] svStart = stats(sv, ScaleBenchmark.Result::startMs);
                    double[] svStop = stats(sv, ScaleBenchmark.Result::stopMs);
                    double[] guStart = stats(gu, ScaleBenchmark.Result::startMs);
                    double[] guStop = stats(gu, ScaleBenchmark.Result::stopMs);
                    if (!sv.isEmpty()) {
                        md.append("| ").append(threads).append(" | ").append(String.format(Locale.ROOT, "%,d", n))
                                .append(" | simplevisor | ").append(medianRange(stats(sv, ScaleBenchmark.Result::registerMs)))
                                .append(" | ").append(medianRange(svStart)).append(" | ")
                                .append(medianRange(stats(sv, ScaleBenchmark.Result::eventsMs))).append(" | ")
                                .append(medianRange(svStop)).append(allStopped(sv)).append(" | ")
                                .append(medianRange(stats(sv, ScaleBenchmark.Result::joinedMs))).append(" | ")
                                .append(medianRange(stats(sv, ScaleBenchmark.Result::endedMs))).append(" | ")
                                .append(medianRange(stats(sv, ScaleBenchmark.Result::interruptedRuns))).append(" | ")
                                .append(medianRange(stats(sv, ScaleBenchmark.Result::heapPerProcess))).append(" | ")
                                .append(gu.isEmpty() ? "" : sig(guStart[0] / svStart[0])).append(" | ")
                                .append(gu.isEmpty() ? "" : stopRatios(sv, gu)).append(" |\n");
                    }
                    List<ScaleBenchmark.Result> bare = select(run, config("threads", threads, n, null));
                    if (!bare.isEmpty()) {
                        md.append("| ").append(threads).append(" | ").append(String.format(Locale.ROOT, "%,d", n))
                                .append(" | bare threads (the limit) | – | ")
                                .append(medianRange(stats(bare, ScaleBenchmark.Result::startMs))).append(" | – | ")
                                .append(medianRange(stats(bare, ScaleBenchmark.Result::stopMs))).append(" | ")
                                .append(medianRange(stats(bare, ScaleBenchmark.Result::joinedMs))).append(" | ")
                                .append(medianRange(stats(bare, ScaleBenchmark.Result::endedMs))).append(" | ")
                                .append(medianRange(stats(bare, ScaleBenchmark.Result::interruptedRuns))).append(" | ")
                                .append(medianRange(stats(bare, ScaleBenchmark.Result::heapPerProcess))).append(" | | |\n");
                    }
                    if (!gu.isEmpty()) {
                        md.append("| ").append(threads).append(" | ").append(String.format(Locale.ROOT, "%,d", n))
                                .append(" | Guava ServiceManager | ")
                                .append(medianRange(stats(gu, ScaleBenchmark.Result::registerMs))).append(" | ")
                                .append(medianRange(guStart)).append(" | – | ").append(medianRange(guStop)).append(allStopped(gu))
                                .append(" | ").append(medianRange(stats(gu, ScaleBenchmark.Result::joinedMs)))
                                .append(" | ").append(medianRange(stats(gu, ScaleBenchmark.Result::endedMs)))
                                .append(" | ").append(medianRange(stats(gu, ScaleBenchmark.Result::interruptedRuns)))
                                .append(" | ").append(medianRange(stats(gu, ScaleBenchmark.Result::heapPerProcess)))
                                .append(" | | |\n");
                    }
                }
            }
            md.append("\n");
            List<ScaleBenchmark.Result> breakdown = new ArrayList<>();
            int breakdownN = run.scale.stream().filter(r -> r.config().observers() == Observed.Observers.NONE)
                    .mapToInt(r -> r.config().n()).max().orElse(10_000);
            for (Observed.Observers o : new Observed.Observers[] {Observed.Observers.NONE,
                    Observed.Observers.METRICS_SIMPLE, Observed.Observers.METRICS, Observed.Observers.JMX,
                    Observed.Observers.JMX_METRICS_SIMPLE, Observed.Observers.ALL}) {
                select(run, config("simplevisor", "platform", breakdownN, o)).stream().findFirst().ifPresent(breakdown::add);
            }
            if (breakdown.size() > 1) {
                md.append("Heap per process by observer (").append(run.label())
                        .append(String.format(Locale.ROOT, ", %,d platform-thread processes, one run each):%n%n", breakdownN));
                md.append("| observers | heap B/process | start ms | stop ms |\n| --- | ---: | ---: | ---: |\n");
                for (ScaleBenchmark.Result r : breakdown) {
                    md.append("| ").append(observerLabel(r.config().observers())).append(" | ")
                            .append(sig(r.heapPerProcess())).append(" | ").append(sig(r.startMs())).append(" | ")
                            .append(sig(r.stopMs())).append(" |\n");
                }
                md.append("\n");
                ScaleBenchmark.Result full = breakdown.get(breakdown.size() - 1);
                if (!full.topClasses().isEmpty()) {
                    md.append("<details><summary>Largest classes per process, meters + MBeans, ").append(run.label())
                            .append("</summary>\n\n| bytes/process | instances/process | class |\n| ---: | ---: | --- |\n");
                    for (String c : full.topClasses()) {
                        String[] p = c.split(" ", 3);
                        md.append("| ").append(p[0]).append(" | ").append(p[1]).append(" | `").append(p[2]).append("` |\n");
                    }
                    md.append("\n</details>\n\n");
                }
            }
        }
    }

    /** Median and quartiles of one figure: {q1, median, q3} (nearest rank). */
    static double[] quartiles(List<ScaleBenchmark.Result> results, Function<ScaleBenchmark.Result, Double> figure) {
        double[] sorted = results.stream().mapToDouble(figure::apply).sorted().toArray();
        if (sorted.length == 0) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        int last = sorted.length - 1;
        return new double[] {sorted[last / 4], sorted[last / 2], sorted[(3 * last + 3) / 4]};
    }

    static String medianQuartiles(double[] q) {
        return sig(q[1]) + " (" + sig(q[0]) + "–" + sig(q[2]) + ")";
    }

    private static void renderRepeatedStop(StringBuilder md, List<JdkRun> runs) {
        if (runs.stream().allMatch(r -> r.repeatedStop.isEmpty())) {
            return;
        }
        md.append("### The stop, repeated in one JVM\n\n");
        md.append("At thousands of platform threads, one JVM per run varies by about a third from run to run, more ")
                .append("than most changes to the stop. Here each system starts and stops the same N platform-thread ")
                .append("processes in one JVM (`ScaleBenchmark <system> platform N all ").append(REPEATED_STOP_RUNS)
                .append("`): a warm-up run of 200, 3 unmeasured runs of N, then the measured runs; each stop after a ")
                .append("full GC. Median (quartiles) in ms; **CPU** = the JVM's CPU time (all threads, GC and JIT ")
                .append("included, counted in 10 ms ticks) from stop until threads ended; **runs interrupted** = the ")
                .append("process bodies the stop interrupted (median): a run waiting in `awaitCancellation` is woken ")
                .append("without an interrupt. \"Guava ÷ simplevisor\" > 1 means simplevisor is ")
                .append("faster (medians).\n\n");
        md.append("| JDK | N | system | runs | stop ms | threads ended ms | CPU ms | runs interrupted per stop ")
                .append("| Guava ÷ simplevisor: stop; threads ended; CPU |\n")
                .append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (JdkRun run : runs) {
            List<ScaleBenchmark.Result> sv = repeated(run, "simplevisor");
            List<ScaleBenchmark.Result> gu = repeated(run, "guava");
            for (String system : new String[] {"simplevisor", "guava", "threads"}) {
                List<ScaleBenchmark.Result> results = repeated(run, system);
                if (results.isEmpty()) {
                    continue;
                }
                md.append("| ").append(run.label()).append(" | ")
                        .append(String.format(Locale.ROOT, "%,d", results.get(0).config().n())).append(" | ")
                        .append(systemLabel(system)).append(" | ").append(results.size()).append(" | ")
                        .append(medianQuartiles(quartiles(results, ScaleBenchmark.Result::stopMs)))
                        .append(allStopped(results)).append(" | ")
                        .append(medianQuartiles(quartiles(results, ScaleBenchmark.Result::joinedMs))).append(" | ")
                        .append(medianQuartiles(quartiles(results, ScaleBenchmark.Result::joinedCpuMs))).append(" | ")
                        .append(sig(quartiles(results, ScaleBenchmark.Result::interruptedRuns)[1])).append(" | ")
                        .append(system.equals("simplevisor") && !gu.isEmpty() ? repeatedStopRatios(sv, gu) : "")
                        .append(" |\n");
            }
        }
        md.append('\n');
    }

    private static List<ScaleBenchmark.Result> repeated(JdkRun run, String system) {
        return run.repeatedStop.stream().filter(r -> r.config().system().equals(system)).collect(Collectors.toList());
    }

    private static String systemLabel(String system) {
        switch (system) {
            case "guava":
                return "Guava ServiceManager";
            case "threads":
                return "bare threads (the limit)";
            default:
                return system;
        }
    }

    /** @return Guava's medians over the supervisor's: stop; threads ended; CPU */
    private static String repeatedStopRatios(List<ScaleBenchmark.Result> sv, List<ScaleBenchmark.Result> gu) {
        List<String> ratios = new ArrayList<>();
        for (Function<ScaleBenchmark.Result, Double> figure : List.<Function<ScaleBenchmark.Result, Double>>of(
                ScaleBenchmark.Result::stopMs, ScaleBenchmark.Result::joinedMs, ScaleBenchmark.Result::joinedCpuMs)) {
            ratios.add(sig(quartiles(gu, figure)[1] / quartiles(sv, figure)[1]));
        }
        return String.join("; ", ratios);
    }

    private static int[] sizes(JdkRun run) {
        return run.scale.stream().mapToInt(r -> r.config().n()).distinct().sorted().toArray();
    }

    private static String allStopped(List<ScaleBenchmark.Result> results) {
        return results.stream().allMatch(ScaleBenchmark.Result::allStopped) ? "" : " (not all stopped!)";
    }

    static String observerLabel(Observed.Observers o) {
        switch (o) {
            case NONE:
                return "none (logging only)";
            case METRICS_SIMPLE:
                return "meters in a SimpleMeterRegistry";
            case METRICS:
                return "meters as MBeans (SupervisorMeterMBeans)";
            case JMX:
                return "MBeans and notifications";
            case JMX_METRICS_SIMPLE:
                return "meters in a SimpleMeterRegistry + MBeans";
            default:
                return "meters as MBeans + MBeans (the container default)";
        }
    }

    // -------------------------------- 3. queries

    private static void renderQueries(StringBuilder md, List<JdkRun> runs) {
        md.append("## 3. Queries\n\n");
        md.append("`QueryBenchmark`, ns per call (JMH average time), with 102 processes registered. *idle*: the process ")
                .append("queried waits for cancellation; *restart storm*: it crashes and is restarted with zero delay the ")
                .append("whole time, so each query races a restart of that very process (on 2 cores the storm also takes ")
                .append("CPU from the querying thread). `ConcurrentHashMap.get` of the name is the floor.\n\n");
        md.append("| query |");
        for (JdkRun run : runs) {
            md.append(' ').append(run.label()).append(", idle | ").append(run.label()).append(", restart storm |");
        }
        md.append("\n| --- |");
        runs.forEach(r -> md.append(" ---: | ---: |"));
        md.append('\n');
        for (String q : new String[] {"isRunning", "status", "snapshot", "jmxGetAttribute", "mapLookup"}) {
            md.append("| ").append(q.equals("jmxGetAttribute") ? "`MBeanServer.getAttribute(process, \"Status\")`"
                    : q.equals("mapLookup") ? "`ConcurrentHashMap.get(name)` (floor)" : "`" + q + "(name)`").append(" |");
            for (JdkRun run : runs) {
                for (String bg : new String[] {"idle", "restart-storm"}) {
                    md.append(' ').append(find(run, "QueryBenchmark." + q, Map.of("background", bg))
                            .map(r -> scoreWithError(r.getPrimaryResult(), "%.1f")).orElse("")).append(" |");
                }
            }
            md.append('\n');
        }
        md.append('\n');
    }

    // -------------------------------- 4. latency

    private static void renderLatency(StringBuilder md, List<JdkRun> runs) {
        md.append("## 4. Event to notification\n\n");
        md.append("`EventLatencyBenchmark`, µs from releasing a process that then throws at once to the listener ")
                .append("having the failure (JMH sample time; the restart between samples is not timed). The crash is ")
                .append("logged at ERROR with its stack trace first, as by default. *handoff* is the floor: the same ")
                .append("two thread wake-ups with no supervisor in between.\n\n");
        md.append("| path | JDK | mean | p50 | p90 | p99 | p99.9 | samples |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (String[] b : new String[][] {{"jmxNotification", "local JMX listener on the supervisor MBean"},
                {"supervisorListener", "SupervisorListener (event to listener)"}, {"handoff", "handoff (floor)"}}) {
            for (JdkRun run : runs) {
                find(run, "EventLatencyBenchmark." + b[0]).ifPresent(r -> {
                    Statistics s = r.getPrimaryResult().getStatistics();
                    md.append("| ").append(b[1]).append(" | ").append(run.label()).append(" | ")
                            .append(scoreWithError(r.getPrimaryResult(), "%.1f")).append(" | ")
                            .append(sig(s.getPercentile(50))).append(" | ").append(sig(s.getPercentile(90))).append(" | ")
                            .append(sig(s.getPercentile(99))).append(" | ").append(sig(s.getPercentile(99.9)))
                            .append(" | ").append(String.format(Locale.ROOT, "%,d", s.getN())).append(" |\n");
                });
            }
        }
        md.append('\n');
    }

    // -------------------------------- 5. watchdog

    private static void renderWatchdog(StringBuilder md, List<JdkRun> runs) {
        md.append("## 5. Watchdog\n\n");
        md.append("`WatchdogBenchmark`: a process that never calls `heartbeat()`, restarted with zero delay after each ")
                .append("detection. Lateness in ms beyond the timeout: *detected* = the HUNG event's time minus the run's ")
                .append("start (the supervisor's clock); *seen* = until the process's `awaitCancellation()` returns ")
                .append("(`System.nanoTime()`, its thread's wake-up included).\n\n");
        md.append("| timeout | JDK | samples | detected mean | detected p50 | detected p99 | detected max | seen p50 | seen p99 | seen max |\n");
        md.append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (JdkRun run : runs) {
            for (Map<String, String> w : run.watchdog) {
                md.append("| ").append(w.get("timeoutMs")).append(" ms | ").append(run.label()).append(" | ")
                        .append(w.get("samples")).append(" | ").append(w.get("detectedMean")).append(" | ")
                        .append(w.get("detectedP50")).append(" | ").append(w.get("detectedP99")).append(" | ")
                        .append(w.get("detectedMax")).append(" | ").append(w.get("seenP50")).append(" | ")
                        .append(w.get("seenP99")).append(" | ").append(w.get("seenMax")).append(" |\n");
            }
        }
        md.append('\n');
    }

    // -------------------------------- targets

    private static void renderTargets(StringBuilder md, List<JdkRun> runs) {
        md.append("## Targets\n\n");
        md.append("| target | ");
        md.append(runs.stream().map(JdkRun::label).collect(Collectors.joining(" | "))).append(" |\n| --- |");
        runs.forEach(r -> md.append(" --- |"));
        md.append('\n');
        targetRow(md, runs, "restart path ≥ ½ of the executor-resubmit loop", run -> restartRatio(run, "executorResubmit", 0.5));
        targetRow(md, runs, "restart path faster than Failsafe (sync; async)", run -> {
            String sync = restartRatio(run, "failsafe", 1.0);
            String async = restartRatio(run, "failsafeAsync", 1.0);
            return sync.isEmpty() ? "" : sync + "; " + async;
        });
        targetRow(md, runs, "10,000 platform-thread processes started within 1 s", run -> time(run, "platform", 10_000, true, 1000));
        targetRow(md, runs, "10,000 platform-thread processes stopped within 1 s", run -> time(run, "platform", 10_000, false, 1000));
        targetRow(md, runs, "100,000 virtual-thread processes started within 2 s", run -> time(run, "virtual", 100_000, true, 2000));
        targetRow(md, runs, "100,000 virtual-thread processes stopped within 2 s", run -> time(run, "virtual", 100_000, false, 2000));
        targetRow(md, runs, "≤ 8 KiB heap per process with the container default: MBeans and meters as MBeans (10,000 platform; 100,000 virtual)", run -> {
            String p = heap(run, "platform", 10_000, Observed.Observers.ALL, 8192);
            String v = heap(run, "virtual", 100_000, Observed.Observers.ALL, 8192);
            return v.isEmpty() ? p : p + "; " + v;
        });
        targetRow(md, runs, "≤ 4 KiB heap per process with MBeans and meters in a SimpleMeterRegistry (10,000 platform)",
                run -> heap(run, "platform", 10_000, Observed.Observers.JMX_METRICS_SIMPLE, 4096));
        targetRow(md, runs, "register + start no slower than ServiceManager's start (platform 1,000 and 10,000)",
                BenchmarkReport::registerAndStartVersusGuava);
        targetRow(md, runs, "≥ 2× faster than ServiceManager to start (each N)", run -> versusGuava(run, true));
        targetRow(md, runs, "≥ 2× faster than ServiceManager to stop (each N)", run -> versusGuava(run, false));
        targetRow(md, runs, "`isRunning` < 50 ns (idle; restart storm)", run -> query(run, "isRunning"));
        targetRow(md, runs, "`status` < 50 ns (idle; restart storm)", run -> query(run, "status"));
        md.append('\n');
    }

    private static void targetRow(StringBuilder md, List<JdkRun> runs, String target, Function<JdkRun, String> cell) {
        md.append("| ").append(target).append(" |");
        for (JdkRun run : runs) {
            String c;
            try {
                c = cell.apply(run);
            } catch (RuntimeException e) {
                c = "";
            }
            md.append(' ').append(c.isEmpty() ? "not measured" : c).append(" |");
        }
        md.append('\n');
    }

    private static String verdict(boolean met) {
        return met ? "**met**" : "**missed**";
    }

    private static String restartRatio(JdkRun run, String baseline, double needed) {
        Optional<RunResult> sv = find(run, "RestartPathBenchmark.simplevisor", HEADLINE);
        Optional<RunResult> b = find(run, "RestartPathBenchmark." + baseline);
        if (sv.isEmpty() || b.isEmpty()) {
            return "";
        }
        double r = sv.get().getPrimaryResult().getScore() / b.get().getPrimaryResult().getScore();
        return verdict(needed == 1.0 ? r > 1.0 : r >= needed) + String.format(Locale.ROOT, " (%s×: %,.0f vs %,.0f/s)",
                sig(r), sv.get().getPrimaryResult().getScore(), b.get().getPrimaryResult().getScore());
    }

    private static String time(JdkRun run, String threads, int n, boolean start, double limitMs) {
        List<ScaleBenchmark.Result> sv = select(run, config("simplevisor", threads, n, Observed.Observers.ALL));
        if (sv.isEmpty()) {
            return "";
        }
        Function<ScaleBenchmark.Result, Double> phase = start ? ScaleBenchmark.Result::startMs : ScaleBenchmark.Result::stopMs;
        double ms = stats(sv, phase)[0];
        List<ScaleBenchmark.Result> bare = select(run, config("threads", threads, n, null));
        String floor = bare.isEmpty() ? "" : String.format(Locale.ROOT, "; bare threads %s ms", sig(stats(bare, phase)[0]));
        return verdict(ms <= limitMs) + String.format(Locale.ROOT, " (%s ms, %s× the limit%s)", sig(ms), sig(ms / limitMs), floor);
    }

    private static String heap(JdkRun run, String threads, int n, Observed.Observers observers, int limit) {
        List<ScaleBenchmark.Result> sv = select(run, config("simplevisor", threads, n, observers));
        if (sv.isEmpty()) {
            return "";
        }
        double bytes = stats(sv, ScaleBenchmark.Result::heapPerProcess)[0];
        return verdict(bytes <= limit) + String.format(Locale.ROOT, " (%s B, %s× the limit, %s)", sig(bytes),
                sig(bytes / limit), threads);
    }

    /** Guava's start over the supervisor's register + start (medians), per N: met where it is at least 1. */
    private static String registerAndStartVersusGuava(JdkRun run) {
        List<String> cells = new ArrayList<>();
        boolean met = true;
        for (int n : new int[] {1_000, 10_000}) {
            List<ScaleBenchmark.Result> sv = select(run, config("simplevisor", "platform", n, Observed.Observers.ALL));
            List<ScaleBenchmark.Result> gu = select(run, config("guava", "platform", n, null));
            if (sv.isEmpty() || gu.isEmpty()) {
                continue;
            }
            double ours = stats(sv, r -> r.registerMs() + r.startMs())[0];
            double guava = stats(gu, ScaleBenchmark.Result::startMs)[0];
            met &= guava >= ours;
            cells.add(String.format(Locale.ROOT, "%,d: %s× (%s vs %s ms)", n, sig(guava / ours), sig(ours), sig(guava)));
        }
        return cells.isEmpty() ? "" : verdict(met) + " (" + String.join(", ", cells) + ")";
    }

    private static String versusGuava(JdkRun run, boolean start) {
        List<Optional<Comparison>> cells = new ArrayList<>();
        for (String threads : new String[] {"platform", "virtual"}) {
            for (int n : sizes(run)) {
                cells.add(versusGuavaCell(String.format(Locale.ROOT, "%s %,d", threads, n), start, (r, f) -> stats(r, f)[0],
                        select(run, config("simplevisor", threads, n, Observed.Observers.ALL)),
                        select(run, config("guava", threads, n, null)), select(run, config("threads", threads, n, null))));
            }
        }
        if (!start && !run.repeatedStop.isEmpty()) {
            cells.add(versusGuavaCell(String.format(Locale.ROOT, "platform %,d repeated in one JVM (medians)",
                            run.repeatedStop.get(0).config().n()), false, (r, f) -> quartiles(r, f)[1],
                    repeated(run, "simplevisor"), repeated(run, "guava"), repeated(run, "threads")));
        }
        List<Comparison> measured = cells.stream().flatMap(Optional::stream).collect(Collectors.toList());
        return measured.isEmpty() ? "" : verdict(measured.stream().allMatch(Comparison::met)) + " ("
                + measured.stream().map(Comparison::text).collect(Collectors.joining(", ")) + ")";
    }

    /** One cell of a target: what it says, and whether the target is met there. */
    record Comparison(String text, boolean met) {
    }

    /**
     * @param centre the median of a figure, over JVMs or over the runs in one JVM
     * @return Guava over the supervisor, for start or stop (with threads ended), and where twice Guava's speed would
     *         be faster than the bare threads, the physical limit, what it would take; empty without both systems
     */
    private static Optional<Comparison> versusGuavaCell(String label, boolean start,
            BiFunction<List<ScaleBenchmark.Result>, Function<ScaleBenchmark.Result, Double>, Double> centre,
            List<ScaleBenchmark.Result> sv, List<ScaleBenchmark.Result> gu, List<ScaleBenchmark.Result> bare) {
        if (sv.isEmpty() || gu.isEmpty()) {
            return Optional.empty();
        }
        Function<ScaleBenchmark.Result, Double> phase = start ? ScaleBenchmark.Result::startMs
                : ScaleBenchmark.Result::stopMs;
        double r = centre.apply(gu, phase) / centre.apply(sv, phase);
        StringBuilder cell = new StringBuilder(label).append(": ").append(sig(r)).append('×');
        if (!start) {
            cell.append(" (threads ended: ").append(sig(centre.apply(gu, ScaleBenchmark.Result::joinedMs)
                    / centre.apply(sv, ScaleBenchmark.Result::joinedMs))).append("×)");
        }
        double twiceGuava = centre.apply(gu, phase) / 2;
        if (!bare.isEmpty() && centre.apply(bare, phase) > twiceGuava) {
            cell.append(String.format(Locale.ROOT, " [2× needs %s ms; bare threads take %s]", sig(twiceGuava),
                    sig(centre.apply(bare, phase))));
        }
        return Optional.of(new Comparison(cell.toString(), r >= 2));
    }

    /**
     * @return Guava's stop over the supervisor's: {@code awaitStopped()} over {@code shutdown()}, and in brackets
     *         the two with their threads ended
     */
    private static String stopRatios(List<ScaleBenchmark.Result> sv, List<ScaleBenchmark.Result> gu) {
        return sig(guavaOver(gu, sv, ScaleBenchmark.Result::stopMs)) + " ("
                + sig(guavaOver(gu, sv, ScaleBenchmark.Result::joinedMs)) + ")";
    }

    /** @return Guava's median of a figure over the supervisor's: above 1, the supervisor is faster */
    private static double guavaOver(List<ScaleBenchmark.Result> gu, List<ScaleBenchmark.Result> sv,
            Function<ScaleBenchmark.Result, Double> figure) {
        return stats(gu, figure)[0] / stats(sv, figure)[0];
    }

    private static String query(JdkRun run, String q) {
        Optional<RunResult> idle = find(run, "QueryBenchmark." + q, Map.of("background", "idle"));
        Optional<RunResult> storm = find(run, "QueryBenchmark." + q, Map.of("background", "restart-storm"));
        if (idle.isEmpty()) {
            return "";
        }
        double i = idle.get().getPrimaryResult().getScore();
        double s = storm.map(r -> r.getPrimaryResult().getScore()).orElse(Double.NaN);
        return verdict(i < 50 && (Double.isNaN(s) || s < 50)) + String.format(Locale.ROOT, " (%s ns; %s ns)", sig(i), sig(s));
    }

    /** For tests: options of a smoke run of one benchmark class, in this JVM. */
    static ChainedOptionsBuilder smokeOptions(String include) {
        return new OptionsBuilder().include(include).forks(0).warmupIterations(1)
                .warmupTime(TimeValue.milliseconds(100)).measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100)).shouldFailOnError(true);
    }
}
