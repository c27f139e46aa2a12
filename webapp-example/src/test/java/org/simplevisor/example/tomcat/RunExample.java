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
 * status page answers prints its address, the JMX address, the credentials and how to connect JConsole and
 * VisualVM (also into {@code --banner-file=}, to read again once the log has buried it). Ctrl-C stops Tomcat
 * (its own shutdown hook, and this JVM's, which stops it by its PID and waits). It runs in a plain JVM, not inside
 * Maven: Maven's exec plugin would kill Tomcat mid-shutdown on Ctrl-C.
 *
 * <p>Options (all required but the ports): {@code --tomcat-home=} (the distribution, or the directory holding only
 * one), {@code --base=}, {@code --config=},
 * {@code --war=}, {@code --http-port=8080}, {@code --jmx-port=9010}, {@code --jmx-rmi-port=9011},
 * {@code --pid-file=} (where Tomcat's PID is written, for scripts that stop it), and, to attach the Prometheus JMX
 * exporter with {@code tomcat-config/jmx-exporter.yaml}, {@code --exporter-agent=} (its JAR) and
 * {@code --metrics-port=}. The caller's {@code CATALINA_OPTS} and {@code JAVA_OPTS} are passed on to Tomcat.
 *
 * <p>With {@code --cluster=} (the cluster's context descriptor) it runs the cluster mode instead: an H2 server and two
 * Tomcat nodes sharing it ({@link ExampleCluster}), see {@link #runCluster}.
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
        if (options.containsKey("cluster")) {
            runCluster(options, new ExampleCluster.Ports(httpPort, jmxPort, jmxRmiPort));
            return;
        }
        requireFree(List.of(httpPort, jmxPort, jmxRmiPort, metricsPort), "METRICS_PORT=... ./run-example.sh");

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
        long started = System.nanoTime();
        tomcat.start(START_TIMEOUT);
        if (options.containsKey("pid-file")) {
            Files.writeString(Path.of(options.get("pid-file")), tomcat.pid() + "\n");
        }

        String page = tomcat.httpUrl() + StandaloneTomcat.EXAMPLE_PATH + "/";
        HttpClient http = HttpClient.newHttpClient();
        tomcat.waitFor(() -> answers(http, page + "status.json"), START_TIMEOUT, page + "status.json");

        Path bannerFile = options.containsKey("banner-file") ? Path.of(options.get("banner-file")) : null;
        String banner = banner(tomcat, page, Duration.ofNanos(System.nanoTime() - started), bannerFile);
        System.out.print(banner);
        if (bannerFile != null) {
            Files.writeString(bannerFile, banner);
        }

        int exit = tomcat.awaitExit();
        tomcat.close();
        System.exit(exit == 143 || exit == 130 ? 0 : exit); // ended by SIGTERM or SIGINT: a normal stop
    }

    private static void requireFree(List<Integer> ports, String otherOptions) {
        for (int port : ports) {
            if (port != 0 && StandaloneTomcat.isListening(port)) {
                System.err.println("Port " + port + " on 127.0.0.1 is in use (another Tomcat still running?)."
                        + " Stop it, or choose other ports: HTTP_PORT=... JMX_PORT=... JMX_RMI_PORT=... "
                        + otherOptions);
                System.exit(2);
            }
        }
    }

    /**
     * The cluster mode ({@code ./run-example.sh --cluster}): an H2 server and two Tomcats sharing it
     * ({@link ExampleCluster}); {@code node-1} on the given ports, {@code node-2} on the next HTTP port and the next
     * two JMX ports. Options: {@code --cluster=} (the context descriptor), {@code --h2-jar=}, {@code --db-port=9092}
     * and {@code --base=}, the directory of the nodes' {@code CATALINA_BASE}s and logs. Waits until both nodes have
     * stopped (Ctrl-C stops all three processes).
     */
    private static void runCluster(Map<String, String> options, ExampleCluster.Ports first) throws Exception {
        int dbPort = Integer.parseInt(options.getOrDefault("db-port", "9092"));
        ExampleCluster.Ports second = new ExampleCluster.Ports(first.http() + 1, first.jmx() + 2, first.jmxRmi() + 2);
        requireFree(List.of(first.http(), first.jmx(), first.jmxRmi(), second.http(), second.jmx(), second.jmxRmi(),
                dbPort), "DB_PORT=... ./run-example.sh --cluster (node-2 takes the next ports)");
        Path work = Path.of(options.get("base"));
        StandaloneTomcat.deleteTree(work);
        ExampleCluster.Files files = new ExampleCluster.Files(distribution(Path.of(options.get("tomcat-home"))),
                Path.of(options.get("config")), Path.of(options.get("cluster")), Path.of(options.get("war")),
                Path.of(options.get("h2-jar")), work);
        long started = System.nanoTime();
        ExampleCluster cluster = ExampleCluster.start(files, dbPort, List.of(first, second), START_TIMEOUT);
        Path bannerFile = options.containsKey("banner-file") ? Path.of(options.get("banner-file")) : null;
        String banner = clusterBanner(cluster, Duration.ofNanos(System.nanoTime() - started), bannerFile);
        System.out.print(banner);
        if (bannerFile != null) {
            Files.writeString(bannerFile, banner);
        }
        List<Thread> watchers = new java.util.ArrayList<>();
        for (int i = 0; i < cluster.nodes().size(); i++) {
            String id = "node-" + (i + 1);
            StandaloneTomcat node = cluster.nodes().get(i);
            Thread watcher = new Thread(() -> {
                try {
                    int exit = node.awaitExit();
                    boolean othersRun = cluster.nodes().stream().anyMatch(StandaloneTomcat::isAlive);
                    System.out.println("==> " + id + " (PID " + node.pid() + ") has stopped (exit code " + exit + ")"
                            + (othersRun ? "; a singleton it ran moves to a node still running." : "."));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "watch-" + id);
            watcher.start();
            watchers.add(watcher);
        }
        for (Thread watcher : watchers) {
            watcher.join();
        }
        cluster.close();
        System.exit(0);
    }

    /** @return what to print once both nodes answer: where they are and how to move the singleton */
    static String clusterBanner(ExampleCluster cluster, Duration startup, Path bannerFile) throws IOException {
        StandaloneTomcat first = cluster.nodes().get(0);
        String line = "=".repeat(110);
        StringBuilder b = new StringBuilder("\n").append(line).append('\n');
        b.append(" simplevisor example: ").append(cluster.nodes().size()).append(" Apache Tomcat ")
                .append(first.version()).append(" nodes sharing an H2 database, bound to 127.0.0.1, up after ")
                .append(startup.toSeconds()).append(" s\n\n");
        for (int i = 0; i < cluster.nodes().size(); i++) {
            StandaloneTomcat node = cluster.nodes().get(i);
            String page = node.httpUrl() + StandaloneTomcat.EXAMPLE_PATH + "/";
            b.append("   node-").append(i + 1).append(" (PID ").append(node.pid()).append(")  status page ")
                    .append(page).append("  (").append(page).append("status.json)\n");
            b.append("                     JMX ").append(node.jmxUrl()).append("  (JConsole: Remote Process ")
                    .append("127.0.0.1:").append(node.jmxPort()).append(")\n");
            b.append("                     log ").append(node.consoleLog()).append('\n');
        }
        b.append("   database          H2 (PID ").append(cluster.database().pid()).append(") ")
                .append(cluster.databaseUrl()).append(", user sa, no password\n");
        b.append("   JMX users         monitor / ").append(first.jmxPassword("monitor"))
                .append(" (read-only), control / ").append(first.jmxPassword("control"))
                .append(" (read-write); Insecure connection (SSL is off)\n\n");
        b.append(" outbox-relay is a cluster singleton: RUNNING on the node that holds its lease, STANDBY on the"
                + " other\n (both status pages; in JConsole MBeans > org.simplevisor > Process > ")
                .append(StandaloneTomcat.EXAMPLE_PATH).append(" > outbox-relay:\n Status, LeaseHolder, FencingToken). outbox-writer adds an order to the"
                        + " outbox every 500 ms on each node;\n the relay copies them on, each write guarded by its"
                        + " fencing token.\n\n");
        b.append(" Watch it move: stop the node that shows it RUNNING with  kill <its PID>  (it gives the lease back;"
                + " the other\n node runs it within 3 s), or kill it with  kill -9 <its PID>  (its lease expires;"
                + " within 8 s).\n\n");
        b.append(" Ctrl-C stops everything.");
        if (bannerFile != null) {
            b.append(" This again: cat ").append(bannerFile);
        }
        return b.append('\n').append(line).append("\n\n").toString();
    }

    /** @return what to print once the example answers: where it is and how to connect to it */
    static String banner(StandaloneTomcat tomcat, String page, Duration startup, Path bannerFile)
            throws IOException {
        String jmxAddress = "127.0.0.1:" + tomcat.jmxPort();
        String line = "=".repeat(110);
        StringBuilder b = new StringBuilder("\n").append(line).append('\n');
        b.append(" simplevisor example on Apache Tomcat ").append(tomcat.version()).append(" (PID ")
                .append(tomcat.pid()).append("), bound to 127.0.0.1, up after ").append(startup.toSeconds())
                .append(" s\n\n");
        b.append("   Status page  ").append(page).append("   (as JSON: ").append(page).append("status.json)\n");
        b.append("   JMX          ").append(tomcat.jmxUrl()).append('\n');
        b.append("                read-only:  user monitor, password ").append(tomcat.jmxPassword("monitor"))
                .append('\n');
        b.append("                read-write: user control, password ").append(tomcat.jmxPassword("control"))
                .append('\n');
        b.append("   JConsole     run jconsole, choose Remote Process, enter ").append(jmxAddress)
                .append(", a user and password above,\n");
        b.append("                Connect, then Insecure connection (SSL is off). \"jconsole <address>\" alone"
                + " never asks for them.\n");
        b.append("                Alerts: MBeans > org.simplevisor > Alerts > ... > Notifications > Subscribe."
                + " As monitor the\n");
        b.append("                Threads tab stays empty (thread dumps are operations): connect as control"
                + " for it.\n");
        b.append("   VisualVM     visualvm --openjmx ").append(jmxAddress)
                .append(" (asks for a user and password, then to retry without SSL);\n");
        b.append("                its MBeans tab needs the VisualVM-MBeans plugin: see tomcat-config/README.md\n");
        if (tomcat.metricsUrl() != null) {
            b.append("   Prometheus   ").append(tomcat.metricsUrl()).append("  (jmx_prometheus_javaagent, tomcat-config/")
                    .append(StandaloneTomcat.EXPORTER_CONFIG).append(")\n");
        } else {
            b.append("   Prometheus   off; METRICS_PORT=9404 ./run-example.sh attaches the JMX exporter\n");
        }
        b.append("   Logs         this console, and ").append(tomcat.base().resolve("logs/simplevisor-example.json"))
                .append(" (JSON)\n\n");
        b.append(" Ctrl-C stops Tomcat.");
        if (bannerFile != null) {
            b.append(" This again: cat ").append(bannerFile);
        }
        return b.append('\n').append(line).append("\n\n").toString();
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

    static boolean answers(HttpClient http, String url) {
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
