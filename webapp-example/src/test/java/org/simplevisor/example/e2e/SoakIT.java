package org.simplevisor.example.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.simplevisor.example.e2e.SoakSamples.Sample;
import org.simplevisor.example.e2e.SoakSamples.Tolerance;
import org.simplevisor.example.tomcat.ManagerClient;
import org.simplevisor.example.tomcat.StandaloneTomcat;

/**
 * The soak test: the example on a standalone Tomcat for a while ({@code -Dsoak.duration}, ISO-8601,
 * default two minutes; the README shows an hour), under churn, with its JVM's heap after a full GC, live threads and
 * open file descriptors sampled over remote JMX; they must stay flat, and Tomcat must log no leak warning and no
 * SEVERE message, and its manager's {@code findleaks} must find at most the one class loader the JVM's compiled code
 * can keep: nothing or one copy after the cycles, and besides it nothing or the example once the example is undeployed
 * too.
 *
 * <p>The churn, for the whole duration:
 * <ul>
 * <li>a process that crash-loops without end: {@value #CRASH_LOOP}, the example's payment-gateway client declared a
 *     second time through context parameters of the deployment's context descriptor (as an operator adds them),
 *     restarted {@code always}, without limit, {@value #CRASH_LOOP_DELAY} apart;</li>
 * <li>a process that exceeds its restart limit again and again: the example's payment-gateway (3 restarts, then
 *     FAILED), which the test, as an operator, restarts over JMX each time it finds it FAILED;</li>
 * <li>a second copy of the WAR deployed and undeployed through the manager, over and over, at another path.</li>
 * </ul>
 * Tomcat 11 only by default, to keep the build short; {@code -Dsoak.tomcats=10.1,11} runs it on both.
 */
class SoakIT {

    static final Duration DURATION = Duration.parse(System.getProperty("soak.duration", "PT2M"));
    /** Samples enough for the medians of a short run, and at most one every two minutes in a long one. */
    static final Duration SAMPLE_INTERVAL = clamp(DURATION.dividedBy(24), Duration.ofSeconds(5), Duration.ofMinutes(2));
    /** JIT compilation, Tomcat's thread pools and caches, the JMX connections: the first quarter is not compared. */
    static final Duration WARM_UP = DURATION.dividedBy(4);

    /**
     * How much each figure may rise from the baseline to the end; measured on Tomcat 11 with the example deployed,
     * between cycles: about 12.5 MiB of heap after GC, 39 threads, 58 open file descriptors, and a deployed copy adds
     * about 2.6 MiB, 8 threads and 10 to 27 descriptors.
     * <ul>
     * <li>Heap: 10 MiB or 20 %, whichever is more. Between samples it moves by a few hundred KiB (caches, log files
     *     rolling over); a copy whose class loader stays reachable keeps its 2.6 MiB, so four leaked cycles cross it,
     *     of the forty or more of two minutes; a leak per crash-loop restart (over a thousand in two minutes) crosses
     *     it at 10 KiB each.</li>
     * <li>Threads: 3, the end-to-end tests' tolerance for Tomcat's and the JMX connector's pools, which grow and
     *     shrink on their own; one copy left running has 8 more.</li>
     * <li>Open file descriptors: 10. Tomcat opens an application's JARs (17 in the example's WEB-INF/lib) when it
     *     reads from them and its background processor closes them once idle, so a sample can see 9 more than the one
     *     before; a descriptor leaked per cycle or per restart adds 40 or more in two minutes.</li>
     * </ul>
     */
    static final List<Tolerance> TOLERANCES = List.of(
            new Tolerance("heap after GC (KiB)", s -> s.heapUsedBytes() / 1024, 10 * 1024, 0.20),
            new Tolerance("threads", Sample::threads, 3, 0),
            new Tolerance("open file descriptors", Sample::openFileDescriptors, 10, 0));

    static final String PATH = StandaloneTomcat.EXAMPLE_PATH;
    static final String COPY_PATH = StandaloneTomcat.EXAMPLE_PATH + "-copy";
    static final String CRASH_LOOP = "payment-gateway-crash-loop";
    static final String CRASH_LOOP_DELAY = "100ms";
    static final String PAYMENT_GATEWAY = TomcatEndToEndIT.PAYMENT_GATEWAY;
    static final String HEARTBEAT_TICKER = TomcatEndToEndIT.HEARTBEAT_TICKER;
    static final String DOMAIN = TomcatEndToEndIT.DOMAIN;
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String NO_LEAKS = "OK - No memory leaks found";
    static final String LEAKS_FOUND = "OK - Found potential memory leaks in the following applications:";

    /** The example's payment-gateway client again, as a process that crashes at once and is restarted forever. */
    static final Map<String, String> CRASH_LOOP_PARAMETERS = Map.of(
            "simplevisor.process." + CRASH_LOOP + ".class", "org.simplevisor.example.PaymentGatewayClient",
            "simplevisor.process." + CRASH_LOOP + ".restart", "always",
            "simplevisor.process." + CRASH_LOOP + ".max-restarts", "0",
            "simplevisor.process." + CRASH_LOOP + ".restart-delay", CRASH_LOOP_DELAY);

    static final Map<String, String> TOMCAT_HOMES = Map.of("10.1", "e2e.tomcat10.home", "11", "e2e.tomcat11.home");

    static Path report;

    @BeforeAll
    static void startReport() throws IOException {
        report = Path.of(EndToEndSetup.requiredProperty("e2e.work")).resolveSibling("soak-report.md");
        Files.writeString(report, "# Soak test\n\nDuration " + DURATION + ", a sample every " + SAMPLE_INTERVAL
                + ", warm-up " + WARM_UP + "; each figure may rise by: " + TOLERANCES.stream()
                        .map(Tolerance::toString).collect(Collectors.joining("; ")) + ".\n");
    }

    static Stream<String> tomcats() {
        return Arrays.stream(System.getProperty("soak.tomcats", "11").split(",")).map(String::strip)
                .filter(v -> !v.isEmpty());
    }

    @ParameterizedTest(name = "Tomcat {0}")
    @MethodSource("tomcats")
    void crashLoopsAndDeployCyclesLeaveHeapThreadsAndFileDescriptorsFlat(String tomcatVersion) throws Exception {
        String homeProperty = TOMCAT_HOMES.get(tomcatVersion);
        assertThat(homeProperty).as("soak.tomcats names %s; known: %s", tomcatVersion, TOMCAT_HOMES.keySet())
                .isNotNull();
        Path war = EndToEndSetup.war();
        try (StandaloneTomcat tomcat = EndToEndSetup.prepareTomcat(homeProperty, "soak-")) {
            tomcat.start(Duration.ofMinutes(3));
            ManagerClient manager = new ManagerClient(tomcat);
            try (JMXConnector monitorConnector = tomcat.connectJmx("monitor");
                 JMXConnector controlConnector = tomcat.connectJmx("control")) {
                Soak soak = new Soak(tomcat, manager, monitorConnector.getMBeanServerConnection(),
                        controlConnector.getMBeanServerConnection(), war);
                soak.run();
                soak.check();
            }
        }
    }

    /** One soak on one Tomcat. */
    private static final class Soak {
        private final StandaloneTomcat tomcat;
        private final ManagerClient manager;
        private final MBeanServerConnection monitor;
        private final MBeanServerConnection control;
        private final RemoteJvm jvm;
        private final Path war;
        private final SoakSamples samples = new SoakSamples(WARM_UP);
        private final List<String> threadsAtBaseline = new ArrayList<>();
        private int deployCycles;
        private int restartLimitsExceeded;
        private int heapDumps;
        private long startNanos;

        Soak(StandaloneTomcat tomcat, ManagerClient manager, MBeanServerConnection monitor,
             MBeanServerConnection control, Path war) {
            this.tomcat = tomcat;
            this.manager = manager;
            this.monitor = monitor;
            this.control = control;
            this.jvm = new RemoteJvm(monitor, control);
            this.war = war;
        }

        void run() throws Exception {
            Path descriptor = tomcat.base().resolve("soak-context.xml");
            Files.writeString(descriptor, contextDescriptorWith(war, CRASH_LOOP_PARAMETERS));
            assertThat(manager.deploy(PATH, war, descriptor))
                    .startsWith("OK - Deployed application at context path [" + PATH + "]");
            await().atMost(WAIT).until(() -> (Long) attribute(PATH, CRASH_LOOP, "TotalRestarts") > 0);

            // No pause anywhere: deploy cycles follow each other, and a sample is taken between two of them (the copy
            // undeployed, so every sample sees the same applications) once it is due.
            startNanos = System.nanoTime();
            Duration nextSample = Duration.ZERO;
            while (elapsed().compareTo(DURATION) < 0) {
                if (elapsed().compareTo(nextSample) >= 0) {
                    sample();
                    nextSample = nextSample.plus(SAMPLE_INTERVAL);
                }
                deployAndUndeployTheCopy();
                restartThePaymentGatewayIfItExceededItsLimit();
            }
            sample();
        }

        void check() throws Exception {
            List<String> violations;
            try {
                violations = samples.violations(TOLERANCES);
            } finally {
                writeReport();
            }
            assertThat(violations).as("figures that did not stay flat; threads new since the baseline: %s; "
                    + "samples:%n%s", newThreadsSinceBaseline(), samples.table()).isEmpty();

            // The churn went on to the end.
            List<Sample> compared = samples.afterWarmUp();
            Sample first = compared.get(0);
            Sample end = compared.get(compared.size() - 1);
            assertThat(end.crashLoopRestarts() - first.crashLoopRestarts())
                    .as("%s restarts from %s s to %s s (%s apart)", CRASH_LOOP, first.elapsed().toSeconds(),
                            end.elapsed().toSeconds(), CRASH_LOOP_DELAY)
                    .isGreaterThanOrEqualTo(end.elapsed().minus(first.elapsed()).toSeconds());
            assertThat(status(PATH, CRASH_LOOP)).isNotEqualTo("FAILED");
            assertThat(end.restartLimitsExceeded()).as("%s exceeded its restart limit", PAYMENT_GATEWAY)
                    .isGreaterThanOrEqualTo(2);
            assertThat(end.deployCycles()).as("deploy/undeploy cycles of %s", COPY_PATH).isGreaterThanOrEqualTo(3);

            // No undeployed copy stays reachable but the one loader the JVM's compiled code may keep for a while,
            // never one per cycle. Compiled code of the JDK that idle pool threads wait in can have been compiled
            // against classes of an application's loader (ThreadPoolExecutor.getTask() checking for the task class
            // its profile saw), and such code keeps that loader with no reference a heap dump shows
            // (tomcat-config/README.md, "findleaks after a soak", and tools/CompiledCodeLoaders.java to see it). When
            // findleaks names anything, a heap dump is left beside the report to look into.
            assertThat(leaksFound("after " + end.deployCycles() + " deploy/undeploy cycles"))
                    .as("applications findleaks names after %d deploy/undeploy cycles, one line per class loader",
                            end.deployCycles())
                    .isSubsetOf(COPY_PATH).doesNotHaveDuplicates();

            // After all that, the example still undeploys cleanly.
            assertThat(manager.undeploy(PATH)).startsWith("OK - Undeployed application at context path [" + PATH + "]");
            assertThat(monitor.queryNames(TomcatEndToEndIT.name(DOMAIN + ":*"), null)).isEmpty();
            assertThat(monitor.queryNames(TomcatEndToEndIT.METRICS, null)).as("Micrometer meters over JMX").isEmpty();
            // The example ran from the start, and its executor was the busiest pool of the JVM: the compiled code
            // above keeps its loader after some soaks of minutes, after others not.
            assertThat(leaksFound("once " + PATH + " is undeployed too"))
                    .as("applications findleaks names once %s is undeployed too, one line per class loader", PATH)
                    .isSubsetOf(PATH, COPY_PATH).doesNotHaveDuplicates();
            assertThat(tomcat.leakWarnings()).as("leak warnings in Tomcat's logs").isEmpty();
            assertThat(tomcat.logEntriesContaining(List.of(" SEVERE ["))).as("SEVERE messages in Tomcat's logs")
                    .isEmpty();
        }

        /**
         * {@return the context path of each stopped application whose class loader is still there after a full
         * collection, as {@code findleaks} names them: once per loader} What it answered goes into the report, and
         * when it names any, a heap dump is left beside it.
         */
        private List<String> leaksFound(String when) throws Exception {
            List<String> answer = manager.findLeaks().strip().lines().toList();
            Files.writeString(report, String.format(Locale.ROOT, "%nfindleaks %s: %s%n", when,
                    String.join(" ", answer)), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            if (answer.equals(List.of(NO_LEAKS))) {
                return List.of();
            }
            assertThat(answer.get(0)).as("findleaks %s", when).isEqualTo(LEAKS_FOUND);
            Path dump = report.resolveSibling("soak-heap-tomcat" + tomcat.version() + "-" + ++heapDumps + ".hprof");
            Files.deleteIfExists(dump);
            jvm.dumpHeap(dump.toAbsolutePath());
            Files.writeString(report, "heap dump: " + dump + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            return answer.subList(1, answer.size());
        }

        private void deployAndUndeployTheCopy() throws Exception {
            deployCycles++;
            assertThat(manager.deploy(COPY_PATH, war)).as("deploy %d", deployCycles)
                    .startsWith("OK - Deployed application at context path [" + COPY_PATH + "]");
            // The copy's processes run before it goes: the ticker beats, the payment gateway has crashed.
            await().atMost(WAIT).until(() -> "RUNNING".equals(status(COPY_PATH, HEARTBEAT_TICKER))
                    && (Long) attribute(COPY_PATH, PAYMENT_GATEWAY, "TotalCrashes") > 0);
            assertThat(manager.undeploy(COPY_PATH)).as("undeploy %d", deployCycles)
                    .startsWith("OK - Undeployed application at context path [" + COPY_PATH + "]");
            assertThat(monitor.queryNames(everythingOf(COPY_PATH), null)).as("MBeans after undeploy %d", deployCycles)
                    .isEmpty();
        }

        private void restartThePaymentGatewayIfItExceededItsLimit() throws Exception {
            if ("FAILED".equals(status(PATH, PAYMENT_GATEWAY))) {
                restartLimitsExceeded++;
                control.invoke(processName(PATH, PAYMENT_GATEWAY), "restart", null, null);
            }
        }

        private void sample() throws Exception {
            Sample sample = new Sample(elapsed(), jvm.heapUsedAfterGc(), jvm.threadCount(), jvm.openFileDescriptors(),
                    deployCycles, (Long) attribute(PATH, CRASH_LOOP, "TotalRestarts"), restartLimitsExceeded);
            samples.add(sample);
            if (threadsAtBaseline.isEmpty() && sample.elapsed().compareTo(WARM_UP) >= 0) {
                threadsAtBaseline.addAll(jvm.threadNames());
            }
        }

        private List<String> newThreadsSinceBaseline() throws JMException, IOException {
            List<String> now = new ArrayList<>(jvm.threadNames());
            threadsAtBaseline.forEach(now::remove);
            return now;
        }

        private void writeReport() throws IOException {
            List<Sample> all = samples.all();
            Sample end = all.get(all.size() - 1);
            String section = String.format(Locale.ROOT, "%n## Tomcat %s%n%n%d deploy/undeploy cycles of %s, %d restarts"
                    + " of %s, %s exceeded its restart limit %d times (each time restarted over JMX).%n%n%s%n%s",
                    tomcat.version(), end.deployCycles(), COPY_PATH, end.crashLoopRestarts(), CRASH_LOOP,
                    PAYMENT_GATEWAY, end.restartLimitsExceeded(), summaryOrWhyNot(), samples.table());
            Files.writeString(report, section, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            System.out.println(section);
        }

        private String summaryOrWhyNot() {
            try {
                return samples.summary(TOLERANCES);
            } catch (IllegalStateException tooFewSamples) {
                return tooFewSamples.getMessage() + "\n";
            }
        }

        private Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - startNanos);
        }

        private String status(String path, String process) throws Exception {
            return (String) attribute(path, process, "Status");
        }

        private Object attribute(String path, String process, String attribute) throws Exception {
            return monitor.getAttribute(processName(path, process), attribute);
        }
    }

    /**
     * The WAR's own {@code META-INF/context.xml} with context parameters added: a descriptor the manager installs in
     * its place.
     */
    static String contextDescriptorWith(Path war, Map<String, String> parameters) throws IOException {
        String own;
        try (JarFile jar = new JarFile(war.toFile())) {
            own = new String(jar.getInputStream(jar.getEntry("META-INF/context.xml")).readAllBytes(),
                    StandardCharsets.UTF_8);
        }
        String added = parameters.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(p -> "  <Parameter name=\"" + p.getKey() + "\" value=\"" + p.getValue() + "\"/>\n")
                .collect(Collectors.joining());
        int end = own.lastIndexOf("</Context>");
        if (end < 0) {
            throw new IOException("no </Context> in " + war + "!/META-INF/context.xml");
        }
        return own.substring(0, end) + added + own.substring(end);
    }

    static ObjectName processName(String path, String process) {
        return TomcatEndToEndIT.name(DOMAIN + ":type=Process,context=" + path + ",name=" + process);
    }

    static ObjectName everythingOf(String path) {
        return TomcatEndToEndIT.name(DOMAIN + ":context=" + path + ",*");
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }
}
