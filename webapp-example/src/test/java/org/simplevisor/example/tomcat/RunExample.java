package org.simplevisor.example.tomcat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The launcher of {@code ./run-example.sh}, run after {@code ./mvnw -f webapp-example/pom.xml -Prun package}: lays out a
 * {@code CATALINA_BASE} from the unpacked Tomcat 11 distribution and {@code tomcat-config/}, deploys the example
 * WAR, runs {@code catalina.sh run} in the foreground on 127.0.0.1 with its output on this console, and once the
 * status page answers prints its address, the JMX address and the monitor credentials. Ctrl-C stops Tomcat
 * (its own shutdown hook, and this JVM's, which stops it by its PID and waits). It runs in a plain JVM, not inside
 * Maven: Maven's exec plugin would kill Tomcat mid-shutdown on Ctrl-C.
 *
 * <p>Options (all required but the ports): {@code --tomcat-home=} (the distribution, or the directory holding only
 * one), {@code --base=}, {@code --config=},
 * {@code --war=}, {@code --http-port=8080}, {@code --jmx-port=9010}, {@code --jmx-rmi-port=9011},
 * {@code --pid-file=} (where Tomcat's PID is written, for scripts that stop it), and, to attach the Prometheus JMX
 * exporter with {@code tomcat-config/jmx-exporter.yaml}, {@code --exporter-agent=} (its JAR) and
 * {@code --metrics-port=}. The caller's {@code CATALINA_OPTS} and {@code JAVA_OPTS} are passed on to Tomcat.
 */
public final class RunExample {

    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private RunExample() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("expected --name=value, got " + arg);
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        for (String required : List.of("tomcat-home", "base", "config", "war")) {
            if (!options.containsKey(required)) {
                throw new IllegalArgumentException("missing --" + required + "=");
            }
        }
        int httpPort = Integer.parseInt(options.getOrDefault("http-port", "8080"));
        int jmxPort = Integer.parseInt(options.getOrDefault("jmx-port", "9010"));
        int jmxRmiPort = Integer.parseInt(options.getOrDefault("jmx-rmi-port", "9011"));
        int metricsPort = Integer.parseInt(options.getOrDefault("metrics-port", "0"));
        for (int port : new int[] {httpPort, jmxPort, jmxRmiPort, metricsPort}) {
            if (port != 0 && StandaloneTomcat.isListening(port)) {
                System.err.println("Port " + port + " on 127.0.0.1 is in use (another Tomcat still running?)."
                        + " Stop it, or choose other ports: HTTP_PORT=... JMX_PORT=... JMX_RMI_PORT=..."
                        + " METRICS_PORT=... ./run-example.sh");
                System.exit(2);
            }
        }

        StandaloneTomcat.Builder builder = StandaloneTomcat.builder()
                .home(distribution(Path.of(options.get("tomcat-home"))))
                .base(Path.of(options.get("base")))
                .config(Path.of(options.get("config")))
                .ports(httpPort, jmxPort, jmxRmiPort)
                .keepCallerOptions();
        if (metricsPort != 0) {
            builder.prometheusExporter(Path.of(options.get("exporter-agent")), metricsPort);
        }
        StandaloneTomcat tomcat = builder.prepare();
        tomcat.installWar(Path.of(options.get("war")), StandaloneTomcat.EXAMPLE_PATH);
        tomcat.start(START_TIMEOUT);
        if (options.containsKey("pid-file")) {
            Files.writeString(Path.of(options.get("pid-file")), tomcat.pid() + "\n");
        }

        String page = tomcat.httpUrl() + StandaloneTomcat.EXAMPLE_PATH + "/";
        HttpClient http = HttpClient.newHttpClient();
        tomcat.waitFor(() -> answers(http, page + "status.json"), START_TIMEOUT, page + "status.json");

        String line = "=".repeat(100);
        System.out.println();
        System.out.println(line);
        System.out.println(" simplevisor example on Apache Tomcat " + tomcat.version() + " (PID " + tomcat.pid()
                + "), bound to 127.0.0.1");
        System.out.println();
        System.out.println("   Status page  " + page);
        System.out.println("   As JSON      " + page + "status.json");
        System.out.println("   JMX          " + tomcat.jmxUrl());
        System.out.println("                read-only:  user monitor, password " + tomcat.jmxPassword("monitor"));
        System.out.println("                read-write: user control, password " + tomcat.jmxPassword("control"));
        System.out.println("                e.g. jconsole " + tomcat.jmxUrl());
        if (tomcat.metricsUrl() != null) {
            System.out.println("   Prometheus   " + tomcat.metricsUrl() + "  (jmx_prometheus_javaagent, "
                    + "tomcat-config/" + StandaloneTomcat.EXPORTER_CONFIG + ")");
        } else {
            System.out.println("   Prometheus   off; METRICS_PORT=9404 ./run-example.sh attaches the JMX exporter");
        }
        System.out.println("   CATALINA_BASE " + tomcat.base() + " (logs/simplevisor-example.json: the JSON log)");
        System.out.println();
        System.out.println(" Ctrl-C stops Tomcat.");
        System.out.println(line);
        System.out.println();

        int exit = tomcat.awaitExit();
        tomcat.close();
        System.exit(exit == 143 || exit == 130 ? 0 : exit); // ended by SIGTERM or SIGINT: a normal stop
    }

    /** @return the directory itself if it is a Tomcat, else its only {@code apache-tomcat-*} subdirectory */
    static Path distribution(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("bin/catalina.sh"))) {
            return dir;
        }
        try (java.util.stream.Stream<Path> children = Files.list(dir)) {
            List<Path> tomcats = children.filter(p -> p.getFileName().toString().startsWith("apache-tomcat-")
                    && Files.isRegularFile(p.resolve("bin/catalina.sh"))).toList();
            if (tomcats.size() != 1) {
                throw new IOException("expected one Tomcat distribution (apache-tomcat-*) in " + dir + ", found "
                        + tomcats);
            }
            return tomcats.get(0);
        }
    }

    private static boolean answers(HttpClient http, String url) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
