import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * CI check of the README's run command: starts {@code ./run-example.sh} as a person would, waits for its banner,
 * checks the status page, status.json, remote JMX as {@code monitor} and the Prometheus scrape ({@code METRICS_PORT}),
 * and that an option of the caller's {@code CATALINA_OPTS} reached Tomcat; then stops Tomcat by its PID (SIGTERM)
 * and expects the command to end on its own, cleanly. Whatever happens, nothing it started is left running.
 * Uses the README's ports (8080, 9010, 9011, 9404) when they are free, else free ones (HTTP_PORT, JMX_PORT,
 * JMX_RMI_PORT, METRICS_PORT).
 * Run from the repository root: {@code java .ci/RunExampleCheck.java}. JDK only.
 */
public class RunExampleCheck {

    static final Duration START_TIMEOUT = Duration.ofMinutes(10);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    static final Set<String> PROCESSES = Set.of("heartbeat-ticker", "inventory-poller", "payment-gateway",
            "cache-warmup", "report-uploader", "order-feed-reader", "order-processor");
    static final Path LOG = Path.of("webapp-example/target/run-example-check.log");
    static final Path PID_FILE = Path.of("webapp-example/target/run/tomcat.pid");
    static final String CALLER_OPTION = "-Dsimplevisor.run-example-check=kept";

    public static void main(String[] args) throws Exception {
        int http = portOr(8080);
        int jmx = portOr(9010);
        int jmxRmi = portOr(9011);
        int metrics = portOr(9404);
        Files.createDirectories(LOG.getParent());
        Files.deleteIfExists(PID_FILE);
        ProcessBuilder builder = new ProcessBuilder("sh", "./run-example.sh")
                .redirectErrorStream(true)
                .redirectOutput(LOG.toFile());
        builder.environment().putAll(Map.of("HTTP_PORT", String.valueOf(http), "JMX_PORT", String.valueOf(jmx),
                "JMX_RMI_PORT", String.valueOf(jmxRmi), "METRICS_PORT", String.valueOf(metrics),
                "CATALINA_OPTS", CALLER_OPTION));
        System.out.printf("run-example check: ./run-example.sh with HTTP %d, JMX %d/%d, metrics %d; output in %s%n",
                http, jmx, jmxRmi, metrics, LOG);
        long started = System.nanoTime();
        Process command = builder.start();
        Long tomcatPid = null;
        try {
            String banner = awaitBanner(command);
            tomcatPid = Long.parseLong(Files.readString(PID_FILE).strip());
            System.out.printf("run-example check: Tomcat PID %d up after %d s%n", tomcatPid,
                    Duration.ofNanos(System.nanoTime() - started).toSeconds());

            String page = find(banner, "Status page\\s+(\\S+)");
            String jmxUrl = find(banner, "JMX\\s+(service:jmx:\\S+)");
            String password = find(banner, "user monitor, password (\\S+)");
            check(page.equals("http://127.0.0.1:" + http + "/simplevisor-example/"), "page address " + page);
            check(jmxUrl.equals("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmx + "/jmxrmi"), "JMX address " + jmxUrl);
            String scrape = find(banner, "Prometheus\\s+(http\\S+)");
            check(scrape.equals("http://127.0.0.1:" + metrics + "/metrics"), "Prometheus address " + scrape);

            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> html = client.send(HttpRequest.newBuilder(URI.create(page)).build(),
                    HttpResponse.BodyHandlers.ofString());
            check(html.statusCode() == 200 && html.body().contains("<table"), "status page: HTTP " + html.statusCode());
            HttpResponse<String> json = client.send(HttpRequest.newBuilder(URI.create(page + "status.json")).build(),
                    HttpResponse.BodyHandlers.ofString());
            check(json.statusCode() == 200, "status.json: HTTP " + json.statusCode());
            for (String process : PROCESSES) {
                check(json.body().contains("\"name\":\"" + process + "\""), "status.json names " + process);
            }

            try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(jmxUrl),
                    Map.of(JMXConnector.CREDENTIALS, new String[] {"monitor", password}))) {
                MBeanServerConnection connection = connector.getMBeanServerConnection();
                Set<ObjectName> names = connection.queryNames(
                        new ObjectName("org.simplevisor:type=Process,context=/simplevisor-example,*"), null);
                check(names.size() == PROCESSES.size(), "JMX as monitor: " + names);
                String[] jvmOptions = (String[]) connection.getAttribute(
                        new ObjectName("java.lang:type=Runtime"), "InputArguments");
                check(List.of(jvmOptions).contains(CALLER_OPTION), "the caller's CATALINA_OPTS reached Tomcat");
                try {
                    connection.invoke(names.iterator().next(), "restart", null, null);
                    check(false, "JMX as monitor: restart() was allowed");
                } catch (SecurityException refused) {
                    // read-only, as configured
                }
            }
            HttpResponse<String> metricsText = client.send(HttpRequest.newBuilder(URI.create(scrape)).build(),
                    HttpResponse.BodyHandlers.ofString());
            check(metricsText.statusCode() == 200 && metricsText.body().contains(
                    "simplevisor_process_status{context=\"/simplevisor-example\",process_name=\"payment-gateway\"}"),
                    "Prometheus scrape: HTTP " + metricsText.statusCode());
            System.out.println("run-example check: page, status.json, JMX (monitor) and the Prometheus scrape answer;"
                    + " stopping Tomcat by PID");

            ProcessHandle.of(tomcatPid).ifPresent(ProcessHandle::destroy); // SIGTERM, as Ctrl-C would
            check(command.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "./run-example.sh ended after SIGTERM");
            check(command.exitValue() == 0, "./run-example.sh exit code " + command.exitValue());
            check(ProcessHandle.of(tomcatPid).map(h -> !h.isAlive()).orElse(true), "Tomcat stopped");
            check(Files.readString(LOG).contains("Destroying ProtocolHandler"), "Tomcat shut down in order");
            System.out.println("run-example check: OK");
        } catch (Throwable failure) {
            System.out.println("run-example check FAILED: " + failure);
            List<String> lines = Files.readAllLines(LOG);
            System.out.println("--- last lines of " + LOG);
            lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.out::println);
            System.exit(1);
        } finally {
            if (tomcatPid != null) {
                ProcessHandle.of(tomcatPid).ifPresent(ProcessHandle::destroyForcibly);
            }
            command.descendants().forEach(ProcessHandle::destroyForcibly);
            command.destroyForcibly();
        }
    }

    /** Waits for the banner's last line while the command runs; the pause is a wait on the command itself. */
    static String awaitBanner(Process command) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            String output = Files.exists(LOG) ? Files.readString(LOG) : "";
            if (output.contains("Ctrl-C stops Tomcat.")) {
                return output;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no banner within " + START_TIMEOUT.toMinutes() + " min");
            }
            if (command.waitFor(1, TimeUnit.SECONDS)) {
                throw new IllegalStateException("./run-example.sh exited with " + command.exitValue()
                        + " before its banner");
            }
        }
    }

    static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("the banner has no " + regex);
        }
        return m.group(1);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static int portOr(int preferred) throws IOException {
        try (ServerSocket socket = new ServerSocket(preferred, 1, InetAddress.getLoopbackAddress())) {
            return preferred;
        } catch (IOException inUse) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }
    }
}
