package org.simplevisor.example.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.example.e2e.TomcatEndToEndIT.CACHE_WARMUP;
import static org.simplevisor.example.e2e.TomcatEndToEndIT.HEARTBEAT_TICKER;
import static org.simplevisor.example.e2e.TomcatEndToEndIT.PAYMENT_GATEWAY;
import static org.simplevisor.example.e2e.TomcatEndToEndIT.REPORT_UPLOADER;
import static org.simplevisor.example.e2e.TomcatEndToEndIT.name;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.simplevisor.example.payara.PayaraMicroServer;

/**
 * The example WAR on a full Jakarta EE server, Payara Micro, which has a {@code ManagedExecutorService} of its own:
 * the supervisor runs the processes on it; operators' JMX operations on running, failed and stopped processes
 * leave the documented statuses and exactly the runs they say; undeploy and redeploy leave no thread, MBean or run
 * behind; the same WAR without a Log4j backend logs into Payara's server log at its levels. One Payara Micro,
 * in a JVM of its own on 127.0.0.1, stopped by its PID.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PayaraMicroIT {

    static final String EXAMPLE = "simplevisor-example";
    static final String PLAIN = "simplevisor-plain";
    static final String CONTAINER_EXECUTOR = "the container's executor java:comp/DefaultManagedExecutorService";
    /** The env-entry report-uploader looks up in its @PostConstruct and @PreDestroy methods. */
    static final String PARTNER = "https://partner.example/reports";
    static final int ROUNDS = 3;
    static final int CYCLES = 5;
    static final Duration WAIT = Duration.ofSeconds(60);
    /** What Payara's web container logs when an application leaves a thread or ThreadLocal, and the supervisor's. */
    static final List<String> LEFT_BEHIND = List.of("appears to have started a thread", "failed to stop it",
            "created a ThreadLocal with key", "failed to remove it", "memory leak",
            "still running after the shutdown timeout", "did not stop within the shutdown timeout");

    private PayaraMicroServer payara;
    private JMXConnector connector;
    private MBeanServerConnection jmx;
    private Path war;
    private Path work;
    private final List<String> timings = new ArrayList<>();

    @BeforeAll
    void startPayara() throws IOException {
        war = EndToEndSetup.war();
        work = Path.of(EndToEndSetup.requiredProperty("e2e.work")).resolve("payara-micro");
        Files.createDirectories(work);
        payara = new PayaraMicroServer(Path.of(EndToEndSetup.requiredProperty("e2e.payara.jar")),
                Path.of(EndToEndSetup.requiredProperty("e2e.test.classes")), work);
        timings.add("boot with the example: " + payara.start(war, Duration.ofMinutes(5)).toMillis() + " ms");
        connector = payara.connectJmx();
        jmx = connector.getMBeanServerConnection();
    }

    @AfterAll
    void stopPayara() throws IOException {
        if (connector != null) {
            try {
                connector.close();
            } catch (IOException stoppingAnyway) {
                // Payara is stopped next
            }
        }
        if (payara != null) {
            payara.stop();
        }
        Files.write(work.resolve("timings.txt"), timings);
    }

    // ---------------------------------------------------------------- on the container's executor

    @Test
    @Order(1)
    void theExampleRunsOnTheContainersExecutorWithTheDocumentedStatuses() throws Exception {
        assertThat(jmx.getAttribute(supervisor(EXAMPLE), "Executor")).isEqualTo(CONTAINER_EXECUTOR);
        assertThat(jmx.getAttribute(supervisor(EXAMPLE), "ProcessCount")).isEqualTo(7);
        awaitStatus(HEARTBEAT_TICKER, "RUNNING", 1);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(attribute(CACHE_WARMUP, "Status")).isEqualTo("STOPPED");
            assertThat(attribute(CACHE_WARMUP, "LastExitReason")).isEqualTo("COMPLETED");
        });
        assertThat(attribute(CACHE_WARMUP, "TotalStarts")).isEqualTo(1L);
        awaitStatus(PAYMENT_GATEWAY, "FAILED", 0);
        assertThat(attribute(PAYMENT_GATEWAY, "TotalStarts")).isEqualTo(4L);
        assertThat(attribute(PAYMENT_GATEWAY, "TotalCrashes")).isEqualTo(4L);
        assertThat((String) attribute(PAYMENT_GATEWAY, "LastFailure")).contains("HTTP 401");
        await().atMost(WAIT).untilAsserted(() ->
                assertThat((String) attribute(REPORT_UPLOADER, "LastFailure")).contains("ProcessHungException"));
        // The example brings log4j-core: its own pattern, process key first, in Payara's console.
        assertThat(Files.readString(payara.log())).contains("INFO  [] SupervisorContextListener [main] simplevisor: "
                + "web application /" + EXAMPLE + " runs 7 process(es) on " + CONTAINER_EXECUTOR);
        // The @PostConstruct method, on the container's thread, found its env-entry in java:comp/env.
        assertThat(Files.readString(payara.log())).contains("ReportUploader [main] Uploading to " + PARTNER);
    }

    @Test
    @Order(2)
    void operationsOnRunningFailedAndStoppedProcessesLeaveTheDocumentedStatusesAndRuns() throws Exception {
        for (int round = 1; round <= ROUNDS; round++) {
            // running: restart is one new run
            long starts = starts(HEARTBEAT_TICKER);
            invoke(HEARTBEAT_TICKER, "restart");
            awaitRuns(HEARTBEAT_TICKER, "RUNNING", starts + 1, 1);
            // running: stop
            invoke(HEARTBEAT_TICKER, "stop");
            awaitRuns(HEARTBEAT_TICKER, "STOPPED", starts + 1, 0);
            assertThat(attribute(HEARTBEAT_TICKER, "LastExitReason")).isEqualTo("MANUAL");
            // stopped: start, and restart, each one new run
            invoke(HEARTBEAT_TICKER, "start");
            awaitRuns(HEARTBEAT_TICKER, "RUNNING", starts + 2, 1);
            invoke(HEARTBEAT_TICKER, "stop");
            awaitRuns(HEARTBEAT_TICKER, "STOPPED", starts + 2, 0);
            invoke(HEARTBEAT_TICKER, "restart");
            awaitRuns(HEARTBEAT_TICKER, "RUNNING", starts + 3, 1);
            // failed: restart and start each run it afresh, 1 + 3 restarts, into FAILED again; stop changes nothing
            for (String operation : List.of("restart", "start")) {
                long gatewayStarts = starts(PAYMENT_GATEWAY);
                invoke(PAYMENT_GATEWAY, operation);
                awaitRuns(PAYMENT_GATEWAY, "FAILED", gatewayStarts + 4, 0);
                assertThat(attribute(PAYMENT_GATEWAY, "RestartCount")).isEqualTo(3);
            }
            long gatewayStarts = starts(PAYMENT_GATEWAY);
            invoke(PAYMENT_GATEWAY, "stop");
            awaitRuns(PAYMENT_GATEWAY, "FAILED", gatewayStarts, 0);
            // stopped after completing: start runs it once more to completion
            long warmups = starts(CACHE_WARMUP);
            invoke(CACHE_WARMUP, "start");
            awaitRuns(CACHE_WARMUP, "STOPPED", warmups + 1, 0);
            assertThat(attribute(CACHE_WARMUP, "LastExitReason")).isEqualTo("COMPLETED");
        }
        timings.add("operations: " + ROUNDS + " rounds done");
    }

    // ---------------------------------------------------------------- undeploy and redeploy

    @Test
    @Order(3)
    void undeployAndRedeployCyclesLeaveNoThreadMBeanOrRun() throws Exception {
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            timings.add("undeploy " + cycle + ": " + PayaraMicroServer.millis(payara.run("undeploy " + EXAMPLE))
                    + " ms");
            assertNothingLeft(EXAMPLE);
            assertSignedOff(cycle);
            timings.add("deploy " + cycle + ": " + PayaraMicroServer.millis(
                    payara.run("deploy " + EXAMPLE + " /" + EXAMPLE + " " + war)) + " ms");
            assertThat(jmx.getAttribute(supervisor(EXAMPLE), "Executor")).as("cycle %d", cycle)
                    .isEqualTo(CONTAINER_EXECUTOR);
            awaitStatus(HEARTBEAT_TICKER, "RUNNING", 1);
        }
        payara.run("undeploy " + EXAMPLE);
        assertNothingLeft(EXAMPLE);
        assertSignedOff(CYCLES + 1);
    }

    // ---------------------------------------------------------------- logging without a backend

    @Test
    @Order(4)
    void withoutALog4jBackendTheSupervisorLogsIntoTheServerLogAtItsLevels() throws Exception {
        Path plain = WarWithoutLog4jBackend.of(war, work.resolve(PLAIN + ".war"));
        timings.add("deploy without a backend: " + PayaraMicroServer.millis(
                payara.run("deploy " + PLAIN + " /" + PLAIN + " " + plain)) + " ms");
        try {
            ObjectName gateway = name("org.simplevisor:type=Process,context=/" + PLAIN + ",name=" + PAYMENT_GATEWAY);
            await().atMost(WAIT).until(() -> "FAILED".equals(jmx.getAttribute(gateway, "Status")));
            await().atMost(WAIT).untilAsserted(() -> assertThat(serverLogRecords())
                    .anyMatch(r -> r.is("WARNING", "org.simplevisor.Supervisor",
                            "Process \"" + REPORT_UPLOADER + "\" failed: hung (stack trace above); now RESTARTING")));
            assertThat(serverLogRecords())
                    .anyMatch(r -> r.is("INFO", "org.simplevisor.servlet.SupervisorContextListener",
                            "simplevisor: web application /" + PLAIN + " runs 7 process(es) on " + CONTAINER_EXECUTOR))
                    .anyMatch(r -> r.is("INFO", "org.simplevisor.Supervisor",
                            "Process \"" + HEARTBEAT_TICKER + "\" started"))
                    .anyMatch(r -> r.is("SEVERE", "org.simplevisor.Supervisor",
                            "Process \"" + PAYMENT_GATEWAY + "\" exceeded its restart limit"));
            assertThat(Files.readString(payara.log())).doesNotContain("could not find a logging provider");
        } finally {
            payara.run("undeploy " + PLAIN);
        }
        assertNothingLeft(PLAIN);
    }

    @Test
    @Order(5)
    void payaraStopsInOrderOnSigterm() {
        long begun = System.nanoTime();
        assertThat(payara.stop()).as("ended on SIGTERM, not killed").isTrue();
        timings.add("stop by PID: " + Duration.ofNanos(System.nanoTime() - begun).toMillis() + " ms");
        assertThat(payara.isAlive()).isFalse();
    }

    // ---------------------------------------------------------------- helpers

    /**
     * After the undeploy of the one application deployed: no simplevisor MBean, thread or run, and no report of
     * something left behind in Payara's log, by Payara's web container or by the supervisor.
     */
    private void assertNothingLeft(String application) throws Exception {
        assertThat(Files.readAllLines(payara.log())).as("reports of what was left behind")
                .noneMatch(line -> LEFT_BEHIND.stream().anyMatch(line::contains));
        assertThat(jmx.queryNames(name("org.simplevisor:*"), null)).as("MBeans after undeploying %s", application)
                .isEmpty();
        await().atMost(WAIT).untilAsserted(() -> assertThat(threadNames())
                .as("threads after undeploying %s", application)
                .noneMatch(n -> n.toLowerCase(Locale.ROOT).contains("simplevisor")));
    }

    /**
     * The {@code @PreDestroy} method of report-uploader, called at each undeploy, looked its {@code env-entry} up in
     * {@code java:comp/env} as its {@code @PostConstruct} method did: the application's context was there.
     */
    private void assertSignedOff(int undeploys) throws IOException {
        List<String> lines = Files.readAllLines(payara.log());
        assertThat(lines).as("report-uploader's @PreDestroy failures").noneMatch(l -> l.contains("Could not sign off"));
        assertThat(lines.stream().filter(l -> l.contains("ReportUploader [" + EXAMPLE
                + "-pre-destroy] Signed off from " + PARTNER))).as("report-uploader's sign-offs").hasSize(undeploys);
    }

    private void awaitStatus(String process, String status, int runs) {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(attribute(process, "Status")).as("status of %s", process).isEqualTo(status);
            assertThat(runThreads(process)).as("runs of %s on a thread", process).isEqualTo(runs);
        });
    }

    /** Waits until the process has this status, this many starts in all and this many runs on a thread. */
    private void awaitRuns(String process, String status, long totalStarts, int runs) {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(attribute(process, "Status")).as("status of %s", process).isEqualTo(status);
            assertThat(starts(process)).as("starts of %s", process).isEqualTo(totalStarts);
            assertThat(runThreads(process)).as("runs of %s on a thread", process).isEqualTo(runs);
        });
    }

    /** @return the live threads named after the process: a run is on its thread, named simplevisor-<process> */
    private long runThreads(String process) throws Exception {
        return threadNames().stream().filter(("simplevisor-" + process)::equals).count();
    }

    private List<String> threadNames() throws JMException, IOException {
        ObjectName threading = name(ManagementFactory.THREAD_MXBEAN_NAME);
        long[] ids = (long[]) jmx.getAttribute(threading, "AllThreadIds");
        CompositeData[] infos = (CompositeData[]) jmx.invoke(threading, "getThreadInfo", new Object[] {ids},
                new String[] {long[].class.getName()});
        return Arrays.stream(infos).filter(Objects::nonNull).map(ThreadInfo::from).map(ThreadInfo::getThreadName)
                .toList();
    }

    private static ObjectName supervisor(String application) {
        return name("org.simplevisor:type=Supervisor,context=/" + application);
    }

    private static ObjectName process(String process) {
        return name("org.simplevisor:type=Process,context=/" + EXAMPLE + ",name=" + process);
    }

    private Object attribute(String process, String attribute) throws JMException, IOException {
        return jmx.getAttribute(process(process), attribute);
    }

    private long starts(String process) throws JMException, IOException {
        return (Long) attribute(process, "TotalStarts");
    }

    private void invoke(String process, String operation) throws JMException, IOException {
        jmx.invoke(process(process), operation, null, null);
    }

    /** One record of Payara's server log (ODL format): its level, its logger and its text. */
    record LogRecord(String level, String logger, String text) {
        boolean is(String expectedLevel, String expectedLogger, String textPart) {
            return level.equals(expectedLevel) && logger.equals(expectedLogger) && text.contains(textPart);
        }
    }

    private static final Pattern ODL_RECORD = Pattern.compile(
            "(?m)^\\[[^\\]]*\\] \\[[^\\]]*\\] \\[(\\w+)\\] \\[[^\\]]*\\] \\[([^\\]]*)\\] (.*?)(?=^\\[\\d{4}-|\\z)",
            Pattern.DOTALL);

    private List<LogRecord> serverLogRecords() throws IOException {
        String log = Files.readString(payara.log()).replaceAll("\u001B\\[[;\\d]*m", ""); // its console is in colour
        List<LogRecord> records = new ArrayList<>();
        for (Matcher m = ODL_RECORD.matcher(log); m.find(); ) {
            records.add(new LogRecord(m.group(1), m.group(2), m.group(3)));
        }
        return records;
    }
}
