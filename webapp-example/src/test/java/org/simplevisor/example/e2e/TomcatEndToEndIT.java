package org.simplevisor.example.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.Notification;
import javax.management.NotificationFilterSupport;
import javax.management.NotificationListener;
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
import org.simplevisor.example.tomcat.ManagerClient;
import org.simplevisor.example.tomcat.StandaloneTomcat;

/**
 * The example WAR on a standalone Tomcat configured with {@code tomcat-config/}, observed as an operator would:
 * over remote JMX (users {@code monitor} and {@code control} of {@code jmxremote.password}), the status page, the
 * logs and the manager's text interface. One Tomcat per subclass (10.1, 11), started before the first test and
 * stopped by its PID after the last, whatever happened. The tests run in order: deploy, observe, control, undeploy,
 * then twenty deploy/undeploy cycles.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class TomcatEndToEndIT {

    static final String PATH = StandaloneTomcat.EXAMPLE_PATH;
    static final String DOMAIN = "org.simplevisor";
    static final ObjectName SUPERVISOR = name(DOMAIN + ":type=Supervisor,context=" + PATH);
    static final ObjectName ALERTS = name(DOMAIN + ":type=Alerts,context=" + PATH);
    static final ObjectName PROCESSES = name(DOMAIN + ":type=Process,context=" + PATH + ",*");
    static final ObjectName EVERYTHING_OF_THE_EXAMPLE = name(DOMAIN + ":context=" + PATH + ",*");
    static final ObjectName METRICS = name("metrics:*");

    static final String HEARTBEAT_TICKER = "heartbeat-ticker";
    static final String INVENTORY_POLLER = "inventory-poller";
    static final String PAYMENT_GATEWAY = "payment-gateway";
    static final String CACHE_WARMUP = "cache-warmup";
    static final String REPORT_UPLOADER = "report-uploader";
    static final String ORDER_FEED_READER = "order-feed-reader";
    static final String ORDER_PROCESSOR = "order-processor";
    static final String ORDER_PIPELINE = "order-pipeline";
    static final Set<String> ALL_PROCESSES = Set.of(HEARTBEAT_TICKER, INVENTORY_POLLER, PAYMENT_GATEWAY, CACHE_WARMUP,
            REPORT_UPLOADER, ORDER_FEED_READER, ORDER_PROCESSOR);

    static final String RESTART_LIMIT_EXCEEDED = "simplevisor.process.restart-limit-exceeded";
    static final String HUNG = "simplevisor.process.hung";
    static final String SHUTDOWN_TIMEOUT = "simplevisor.process.shutdown-timeout";
    static final String ATTRIBUTE_CHANGE = "jmx.attribute.change";
    static final String GROUP_RESTARTING = "simplevisor.group.restarting";

    static final int CYCLES = 20;
    /** Live threads the JVM may gain over twenty cycles without a leak (pools that grow and shrink on their own). */
    static final int THREAD_TOLERANCE = 3;

    /** Threads of Tomcat's pools and of the JVM's JMX connector, which are created on first use and kept. */
    static final java.util.regex.Pattern CONTAINER_THREAD = java.util.regex.Pattern.compile(
            "http-nio-127\\.0\\.0\\.1-\\d+-exec-\\d+|Catalina-utility-\\d+|RMI TCP Connection.*|RMI Scheduler.*"
            + "|JMX server connection timeout.*|RMI RenewClean.*");

    static final Duration WAIT = Duration.ofSeconds(30);

    private final String homeProperty;
    private StandaloneTomcat tomcat;
    private ManagerClient manager;
    private JMXConnector monitorConnector;
    private JMXConnector controlConnector;
    private MBeanServerConnection monitor;
    private MBeanServerConnection control;
    private RemoteJvm jvm;
    private final NotificationRecorder notifications = new NotificationRecorder();
    private final NotificationRecorder alerts = new NotificationRecorder();
    private final ExecutorService subscriber = Executors.newSingleThreadExecutor();
    private final CompletableFuture<Void> subscribed = new CompletableFuture<>();
    private final CompletableFuture<Void> subscribedToAlerts = new CompletableFuture<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private Path war;
    private List<String> threadNamesBeforeDeploy = List.of();

    TomcatEndToEndIT(String homeProperty) {
        this.homeProperty = homeProperty;
    }

    @BeforeAll
    void startTomcat() throws Exception {
        war = EndToEndSetup.war();
        tomcat = EndToEndSetup.prepareTomcat(homeProperty, "");
        tomcat.start(Duration.ofMinutes(3));
        manager = new ManagerClient(tomcat);
        monitorConnector = tomcat.connectJmx("monitor");
        controlConnector = tomcat.connectJmx("control");
        monitor = monitorConnector.getMBeanServerConnection();
        control = controlConnector.getMBeanServerConnection();
        jvm = new RemoteJvm(monitor, control);
    }

    @AfterAll
    void stopTomcat() {
        subscriber.shutdownNow();
        closeQuietly(monitorConnector);
        closeQuietly(controlConnector);
        if (tomcat != null) {
            tomcat.stop();
        }
    }

    // ---------------------------------------------------------------- deploy and observe

    @Test
    @Order(1)
    void warDeploysAndMonitorSeesEveryProcessWithItsExpectedStatus() throws Exception {
        assertThat(tomcat.version()).isEqualTo(expectedVersion());
        subscribeToSupervisorOnceRegistered();
        threadNamesBeforeDeploy = threadNames();

        String answer = manager.deploy(PATH, war);

        assertThat(answer).startsWith("OK - Deployed application at context path [" + PATH + "]");
        assertThat(monitor.isRegistered(SUPERVISOR)).isTrue();
        assertThat(processNames()).isEqualTo(new TreeSet<>(ALL_PROCESSES));
        assertThat(monitor.getAttribute(SUPERVISOR, "ProcessCount")).isEqualTo(ALL_PROCESSES.size());
        // the meters as MBeans (simplevisor.metrics=jmx), under their default domain
        assertThat(monitor.queryNames(METRICS, null)).as("meters over JMX")
                .anyMatch(n -> n.toString().contains("simplevisor"));
        assertThat((String[]) monitor.getAttribute(SUPERVISOR, "ProcessNames"))
                .containsExactlyInAnyOrderElementsOf(ALL_PROCESSES);

        // runs until cancelled
        assertThat(status(HEARTBEAT_TICKER)).isEqualTo("RUNNING");
        assertThat(attribute(HEARTBEAT_TICKER, "Running")).isEqualTo(true);
        assertThat(attribute(HEARTBEAT_TICKER, "RestartPolicy")).isEqualTo("ALWAYS");
        // fails now and then, restarted on failure
        assertThat(status(INVENTORY_POLLER)).isIn("STARTING", "RUNNING", "RESTARTING");
        assertThat(attribute(INVENTORY_POLLER, "RestartPolicy")).isEqualTo("ON_FAILURE");
        // one-shot: completes within a second or two and is never restarted
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(status(CACHE_WARMUP)).isEqualTo("STOPPED");
            assertThat(attribute(CACHE_WARMUP, "LastExitReason")).isEqualTo("COMPLETED");
        });
        assertThat(attribute(CACHE_WARMUP, "RestartPolicy")).isEqualTo("NEVER");
        assertThat(attribute(CACHE_WARMUP, "TotalStarts")).isEqualTo(1L);
        assertThat(attribute(CACHE_WARMUP, "TotalFailures")).isEqualTo(0L);
        // crash loop: 4 runs (3 restarts, web.xml's limit over the annotation's 5), then FAILED
        await().atMost(WAIT).until(() -> status(PAYMENT_GATEWAY).equals("FAILED"));
        assertThat(attribute(PAYMENT_GATEWAY, "MaxRestarts")).isEqualTo(3);
        assertThat(attribute(PAYMENT_GATEWAY, "RestartCount")).isEqualTo(3);
        assertThat(attribute(PAYMENT_GATEWAY, "TotalStarts")).isEqualTo(4L);
        assertThat(attribute(PAYMENT_GATEWAY, "TotalCrashes")).isEqualTo(4L);
        assertThat((String) attribute(PAYMENT_GATEWAY, "LastFailure"))
                .contains("IllegalStateException").contains("HTTP 401");
        // hangs: caught by the watchdog (3 s without a heartbeat), counted as a failure, restarted
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat((Long) attribute(REPORT_UPLOADER, "TotalFailures")).isGreaterThanOrEqualTo(1L);
            assertThat((String) attribute(REPORT_UPLOADER, "LastFailure")).contains("ProcessHungException");
        });
        assertThat(status(REPORT_UPLOADER)).isIn("STARTING", "RUNNING", "RESTARTING");
    }

    @Test
    @Order(2)
    void restartLimitExceededNotificationReachesAClientSubscribedToTheSupervisor() throws Exception {
        subscribed.get();
        Notification alert = notifications.awaitCount(
                NotificationRecorder.of(RESTART_LIMIT_EXCEEDED, PAYMENT_GATEWAY), 1, WAIT).get(0);

        assertThat(alert.getSource()).isEqualTo(processName(PAYMENT_GATEWAY));
        assertThat(alert.getMessage()).contains(PAYMENT_GATEWAY);
        CompositeData data = (CompositeData) alert.getUserData();
        assertThat(data.get("status")).isEqualTo("FAILED");
        assertThat(data.get("restartCount")).isEqualTo(3);
        assertThat(data.get("maxRestarts")).isEqualTo(3);
        assertThat((String) data.get("error")).contains("HTTP 401");
        // the watchdog's catch is a notification too
        notifications.awaitCount(NotificationRecorder.of(HUNG, REPORT_UPLOADER), 1, WAIT);

        // a subscriber to the Alerts MBean sees these two and nothing else, each led by what happened
        subscribedToAlerts.get();
        Notification limitAlert = alerts.awaitCount(
                NotificationRecorder.of(RESTART_LIMIT_EXCEEDED, PAYMENT_GATEWAY), 1, WAIT).get(0);
        assertThat(limitAlert.getMessage()).startsWith("RESTART LIMIT EXCEEDED: " + PAYMENT_GATEWAY + " (" + PATH
                + ") is FAILED after 3 of 3 restarts; last error: ").contains("HTTP 401");
        assertThat(alerts.awaitCount(NotificationRecorder.of(HUNG, REPORT_UPLOADER), 1, WAIT).get(0).getMessage())
                .startsWith("HUNG: " + REPORT_UPLOADER + " (" + PATH + ") is being cancelled: ");
        assertThat(alerts.all()).extracting(Notification::getType)
                .isSubsetOf(RESTART_LIMIT_EXCEEDED, HUNG, SHUTDOWN_TIMEOUT);
        assertThat(notifications.all()).hasSizeGreaterThan(alerts.all().size());
    }

    @Test
    @Order(2) // with the restart-limit test: both only wait for notifications
    void theOrderPipelineRestartsAsOneGroupAndTheSupervisorMBeanSaysSo() throws Exception {
        subscribed.get();
        assertThat(attribute(ORDER_FEED_READER, "Group")).isEqualTo(ORDER_PIPELINE);
        assertThat(attribute(ORDER_PROCESSOR, "Group")).isEqualTo(ORDER_PIPELINE);
        // the feed drops within 10 to 20 s: both members restart together
        Notification restarting = notifications.awaitCount(n -> GROUP_RESTARTING.equals(n.getType()), 1, WAIT).get(0);
        assertThat(restarting.getSource()).isEqualTo(SUPERVISOR);
        CompositeData data = (CompositeData) restarting.getUserData();
        assertThat(data.get("group")).isEqualTo(ORDER_PIPELINE);
        assertThat(data.get("trigger")).isEqualTo(ORDER_FEED_READER);
        assertThat(data.get("reason")).isEqualTo("failed");
        assertThat((String[]) data.get("members")).containsExactly(ORDER_FEED_READER, ORDER_PROCESSOR);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat((Long) attribute(ORDER_PROCESSOR, "TotalRestarts")).isGreaterThanOrEqualTo(1L);
            assertThat(attribute(ORDER_PROCESSOR, "LastExitReason")).isEqualTo("GROUP");
        });
        assertThat(attribute(ORDER_PROCESSOR, "RestartCount")).as("not against its own limit").isEqualTo(0);
        assertThat(alerts.all()).extracting(Notification::getType).doesNotContain(GROUP_RESTARTING);
    }

    @Test
    @Order(3)
    void monitorIsRefusedOperations() throws Exception {
        long starts = (Long) attribute(HEARTBEAT_TICKER, "TotalStarts");
        for (String operation : List.of("restart", "stop", "start", "resetRestartCount")) {
            assertThatThrownBy(() -> monitor.invoke(processName(HEARTBEAT_TICKER), operation, null, null))
                    .as(operation).isInstanceOf(SecurityException.class);
        }
        assertThatThrownBy(() -> monitor.invoke(SUPERVISOR, "stopProcess", new Object[] {HEARTBEAT_TICKER},
                new String[] {String.class.getName()})).isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> monitor.setAttribute(processName(HEARTBEAT_TICKER), new Attribute("Status", "STOPPED")))
                .isInstanceOf(SecurityException.class);
        assertThat(attribute(HEARTBEAT_TICKER, "TotalStarts")).isEqualTo(starts);
        assertThat(status(HEARTBEAT_TICKER)).isEqualTo("RUNNING");
    }

    @Test
    @Order(4)
    void controlRestartsAProcess() throws Exception {
        // a running process: a new run
        long starts = (Long) attribute(HEARTBEAT_TICKER, "TotalStarts");
        control.invoke(processName(HEARTBEAT_TICKER), "restart", null, null);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(attribute(HEARTBEAT_TICKER, "TotalStarts")).isEqualTo(starts + 1);
            assertThat(status(HEARTBEAT_TICKER)).isEqualTo("RUNNING");
        });

        // a FAILED process: runs again with a fresh restart count, leaves FAILED, and crash-loops into it again
        int alertsBefore = notifications.awaitCount(
                NotificationRecorder.of(RESTART_LIMIT_EXCEEDED, PAYMENT_GATEWAY), 1, WAIT).size();
        long gatewayStarts = (Long) attribute(PAYMENT_GATEWAY, "TotalStarts");
        control.invoke(processName(PAYMENT_GATEWAY), "restart", null, null);
        List<Notification> leftFailed = notifications.awaitCount(n -> ATTRIBUTE_CHANGE.equals(n.getType())
                && processName(PAYMENT_GATEWAY).equals(n.getSource())
                && "FAILED".equals(((javax.management.AttributeChangeNotification) n).getOldValue()), 1, WAIT);
        assertThat(((javax.management.AttributeChangeNotification) leftFailed.get(0)).getNewValue())
                .isNotEqualTo("FAILED");
        notifications.awaitCount(NotificationRecorder.of(RESTART_LIMIT_EXCEEDED, PAYMENT_GATEWAY),
                alertsBefore + 1, WAIT);
        assertThat(status(PAYMENT_GATEWAY)).isEqualTo("FAILED");
        assertThat(attribute(PAYMENT_GATEWAY, "TotalStarts")).isEqualTo(gatewayStarts + 4);
    }

    @Test
    @Order(5)
    void statusPageAndJsonAnswerWithEveryProcess() throws Exception {
        HttpResponse<String> page = get(PATH + "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.body()).contains("<meta http-equiv=\"refresh\"").contains("<table");
        for (String process : ALL_PROCESSES) {
            assertThat(page.body()).contains("<tr id=\"process-" + process + "\">");
        }
        assertThat(page.body()).doesNotContain("<form").doesNotContain("<button");

        HttpResponse<String> json = get(PATH + "/status.json");
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(json.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode root = new ObjectMapper().readTree(json.body());
        assertThat(root.get("processCount").asInt()).isEqualTo(ALL_PROCESSES.size());
        assertThat(byNameOf(root).get(ORDER_PROCESSOR).get("group").asText()).isEqualTo(ORDER_PIPELINE);
        assertThat(page.body()).contains("<td>" + ORDER_PIPELINE + "</td>");
        Map<String, JsonNode> byName = byNameOf(root);
        assertThat(byName.keySet()).isEqualTo(ALL_PROCESSES);
        assertThat(byName.get(HEARTBEAT_TICKER).get("status").asText()).isEqualTo("RUNNING");
        assertThat(byName.get(HEARTBEAT_TICKER).get("uptimeMillis").asLong()).isPositive();
        assertThat(byName.get(CACHE_WARMUP).get("status").asText()).isEqualTo("STOPPED");
        assertThat(byName.get(PAYMENT_GATEWAY).get("status").asText()).isEqualTo("FAILED");
        assertThat(byName.get(PAYMENT_GATEWAY).get("totalCrashes").asLong()).isGreaterThanOrEqualTo(4);
        assertThat(byName.get(PAYMENT_GATEWAY).get("lastFailure").asText()).contains("HTTP 401");
        for (JsonNode p : byName.values()) {
            assertThat(p.fieldNames()).toIterable().contains("status", "restartCount", "totalStarts",
                    "totalFailures", "totalCrashes", "lastFailure", "uptimeMillis");
        }

        // read-only: no control through HTTP
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(tomcat.httpUrl() + PATH + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("restart=payment-gateway")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    @Order(6)
    void logsCarryTheProcessNameOnTheConsoleAndInTheJsonFile() throws Exception {
        assertThat(Files.readString(tomcat.consoleLog()))
                .contains("[" + HEARTBEAT_TICKER + "] HeartbeatTicker")
                .contains("[" + PAYMENT_GATEWAY + "] Supervisor");
        Path jsonLog = tomcat.base().resolve("logs/simplevisor-example.json");
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(jsonLog)) {
            events.add(mapper.readTree(line));
        }
        Set<String> processes = events.stream().filter(e -> e.has("process")).map(e -> e.get("process").asText())
                .collect(Collectors.toSet());
        assertThat(processes).containsAll(ALL_PROCESSES);
        assertThat(events).anySatisfy(e -> {
            assertThat(e.path("process").asText()).isEqualTo(PAYMENT_GATEWAY);
            assertThat(e.path("log.level").asText()).isEqualTo("ERROR");
            assertThat(e.path("error.message").asText()).contains("HTTP 401");
        });
    }

    // ---------------------------------------------------------------- undeploy

    @Test
    @Order(7)
    void undeployLeavesNoMBeanThreadOrLeakWarning() throws Exception {
        assertThat(manager.undeploy(PATH)).startsWith("OK - Undeployed application at context path [" + PATH + "]");

        assertThat(monitor.queryNames(EVERYTHING_OF_THE_EXAMPLE, null)).isEmpty();
        assertThat(monitor.queryNames(name(DOMAIN + ":*"), null)).isEmpty();
        assertThat(monitor.queryNames(METRICS, null)).as("Micrometer meters over JMX").isEmpty();
        // Every thread the application started has ended: what is new since before the deployment is only
        // Tomcat's and the JMX connector's own pools, which grow on first use and stay.
        await().atMost(WAIT).untilAsserted(() -> {
            List<String> newThreads = new ArrayList<>(threadNames());
            threadNamesBeforeDeploy.forEach(newThreads::remove);
            assertThat(newThreads).as("threads started since before the deployment")
                    .allMatch(n -> CONTAINER_THREAD.matcher(n).matches());
        });
        assertThat(threadNames()).noneMatch(n -> n.toLowerCase(java.util.Locale.ROOT).contains("simplevisor"));
        assertNoLeakWarning();
    }

    @Test
    @Order(8)
    void twentyDeployUndeployCyclesKeepTheThreadCountFlatAndLeakNothing() throws Exception {
        long before = 0;
        List<String> namesBefore = List.of();
        long classesBeforeFirstDeploy = loadedClasses();
        long classesOfOneCopy = 0;
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            assertThat(manager.deploy(PATH, war)).as("deploy %d", cycle).startsWith("OK - Deployed");
            assertThat(monitor.isRegistered(SUPERVISOR)).as("supervisor MBean after deploy %d", cycle).isTrue();
            if (cycle == 1) {
                classesOfOneCopy = loadedClasses() - classesBeforeFirstDeploy;
            }
            assertThat(manager.undeploy(PATH)).as("undeploy %d", cycle).startsWith("OK - Undeployed");
            assertThat(monitor.queryNames(EVERYTHING_OF_THE_EXAMPLE, null)).as("MBeans after undeploy %d", cycle)
                    .isEmpty();
            if (cycle == 1) {
                before = threadCount();
                namesBefore = threadNames();
            }
        }
        awaitThreadCountAtMost(before + THREAD_TOLERANCE, namesBefore);
        assertThat(threadNames()).noneSatisfy(n -> assertThat(n).startsWith("simplevisor-"));

        String leaks = manager.findLeaks(); // collects garbage first
        if (!leaks.startsWith("OK - No memory leaks found")) {
            // The JVM's compiled code may keep one undeployed copy's loader for a while (SoakIT says how); a leak
            // would keep every copy. So at most one copy's classes may still be loaded, never twenty.
            assertThat(loadedClasses() - classesBeforeFirstDeploy)
                    .as("classes still loaded after %d undeployments (findleaks: %s; one copy has %d classes)", CYCLES,
                            leaks.strip(), classesOfOneCopy)
                    .isLessThan(2 * classesOfOneCopy);
        }
        assertNoLeakWarning();
    }

    /** {@return how many classes Tomcat's JVM has loaded now} */
    private long loadedClasses() throws Exception {
        return ((Number) monitor.getAttribute(new ObjectName(ManagementFactory.CLASS_LOADING_MXBEAN_NAME),
                "LoadedClassCount")).longValue();
    }

    // ---------------------------------------------------------------- without a Log4j backend

    @Test
    @Order(9)
    void withoutALog4jBackendTheSupervisorLogsIntoCatalinaOutAtItsLevels() throws Exception {
        String plainPath = "/simplevisor-plain";
        Path plain = WarWithoutLog4jBackend.of(war, tomcat.base().resolveSibling("simplevisor-plain.war"));
        assertThat(manager.deploy(plainPath, plain)).startsWith("OK - Deployed");
        try {
            ObjectName gateway = name(DOMAIN + ":type=Process,context=" + plainPath + ",name=" + PAYMENT_GATEWAY);
            await().atMost(WAIT).until(() -> "FAILED".equals(monitor.getAttribute(gateway, "Status")));
            await().atMost(WAIT).untilAsserted(() -> assertThat(Files.readAllLines(tomcat.consoleLog()))
                    .anyMatch(julLine("WARNING", "org.simplevisor.LoggingListener.",
                            "Process \"" + REPORT_UPLOADER + "\" failed: hung (stack trace above); now RESTARTING")));
            assertThat(Files.readAllLines(tomcat.consoleLog()))
                    .anyMatch(julLine("INFO", "org.simplevisor.servlet.SupervisorContextListener.start",
                            "simplevisor: web application " + plainPath + " runs " + ALL_PROCESSES.size()
                                    + " process(es) on its own executor"))
                    .anyMatch(julLine("SEVERE", "org.simplevisor.LoggingListener.",
                            "Process \"" + PAYMENT_GATEWAY + "\" exceeded its restart limit"));
            assertThat(Files.readString(tomcat.consoleLog())).doesNotContain("could not find a logging provider");
        } finally {
            assertThat(manager.undeploy(plainPath)).startsWith("OK - Undeployed");
        }
        assertThat(monitor.queryNames(name(DOMAIN + ":*"), null)).isEmpty();
        assertNoLeakWarning();
    }

    // ---------------------------------------------------------------- parallel deployment

    @Test
    @Order(10)
    void twoVersionsOfAParallelDeploymentRunSideBySideAndUndeployCleanly() throws Exception {
        String path = "/simplevisor-parallel";
        List<String> versions = List.of("1", "2");
        try {
            for (String version : versions) {
                assertThat(manager.deploy(path, version, war)).as("deploy version %s", version)
                        .startsWith("OK - Deployed application at context path [" + path + "##" + version + "]");
            }
            for (String version : versions) {
                String context = path + "##" + version; // Tomcat's name of the version
                assertThat(monitor.isRegistered(name(DOMAIN + ":type=Supervisor,context=" + context))).isTrue();
                ObjectName ticker = name(DOMAIN + ":type=Process,context=" + context + ",name=" + HEARTBEAT_TICKER);
                await().atMost(WAIT).until(() -> "RUNNING".equals(monitor.getAttribute(ticker, "Status")));
                assertThat(monitor.queryNames(name("metrics:type=simplevisor.process,context=" + context + ",*"),
                        null)).as("meters of version %s", version).hasSize(ALL_PROCESSES.size());
            }
        } finally {
            for (String version : versions) {
                assertThat(manager.undeploy(path, version)).as("undeploy version %s", version)
                        .startsWith("OK - Undeployed");
            }
        }
        assertThat(monitor.queryNames(name(DOMAIN + ":*"), null)).isEmpty();
        assertThat(monitor.queryNames(METRICS, null)).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> assertThat(threadNames())
                .noneMatch(n -> n.toLowerCase(java.util.Locale.ROOT).contains("simplevisor")));
        assertNoLeakWarning();
    }

    // ---------------------------------------------------------------- helpers

    /** @return whether a line of JULI's one-line format (date, time, level, [thread], class.method, message) matches */
    private static java.util.function.Predicate<String> julLine(String level, String source, String message) {
        return line -> line.contains(" " + level + " [") && line.contains("] " + source) && line.contains(message);
    }

    abstract String expectedVersion();

    private static Map<String, JsonNode> byNameOf(JsonNode status) {
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        status.get("processes").forEach(p -> byName.put(p.get("name").asText(), p));
        return byName;
    }

    private void subscribeToSupervisorOnceRegistered() throws Exception {
        NotificationFilterSupport registrations = new NotificationFilterSupport();
        registrations.enableType(MBeanServerNotification.REGISTRATION_NOTIFICATION);
        NotificationListener onRegistration = (notification, handback) -> {
            if (notification instanceof MBeanServerNotification registered) {
                if (SUPERVISOR.equals(registered.getMBeanName())) {
                    subscribe(SUPERVISOR, notifications, subscribed);
                } else if (ALERTS.equals(registered.getMBeanName())) {
                    subscribe(ALERTS, alerts, subscribedToAlerts);
                }
            }
        };
        monitor.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, onRegistration, registrations, null);
    }

    /** Subscribes to an MBean, not on the connector's notification thread, which must not block on a call back. */
    private void subscribe(ObjectName mbean, NotificationListener listener, CompletableFuture<Void> done) {
        subscriber.execute(() -> {
            try {
                monitor.addNotificationListener(mbean, listener, null, null);
                done.complete(null);
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        });
    }

    /** Waits until the JVM has at most {@code limit} live threads; on failure names the threads that are new. */
    private void awaitThreadCountAtMost(long limit, List<String> namesBefore) throws Exception {
        try {
            await().atMost(WAIT).until(() -> threadCount() <= limit);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<String> now = new ArrayList<>(threadNames());
            namesBefore.forEach(now::remove);
            throw new AssertionError("thread count " + threadCount() + " > " + limit + "; threads not there before: "
                    + now, e);
        }
    }

    /** Asserts that Tomcat logged no leak warning (its own background processor's race left out). */
    private void assertNoLeakWarning() throws IOException {
        assertThat(tomcat.leakWarnings()).as("leak warnings in Tomcat's logs").isEmpty();
    }

    private Set<String> processNames() throws IOException {
        return monitor.queryNames(PROCESSES, null).stream().map(n -> n.getKeyProperty("name"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private String status(String process) throws Exception {
        return (String) attribute(process, "Status");
    }

    private Object attribute(String process, String attribute) throws Exception {
        return monitor.getAttribute(processName(process), attribute);
    }

    private long threadCount() throws Exception {
        return jvm.threadCount();
    }

    private List<String> threadNames() throws Exception {
        return jvm.threadNames();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(tomcat.httpUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static ObjectName processName(String process) {
        return name(DOMAIN + ":type=Process,context=" + PATH + ",name=" + process);
    }

    static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void closeQuietly(JMXConnector connector) {
        if (connector != null) {
            try {
                connector.close();
            } catch (IOException ignored) {
                // Tomcat is stopped next anyway
            }
        }
    }
}
