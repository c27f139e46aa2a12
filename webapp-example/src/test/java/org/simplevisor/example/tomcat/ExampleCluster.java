package org.simplevisor.example.tomcat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The example's cluster mode: an H2 server ({@link H2Server}) and standalone Tomcats {@code node-1},
 * {@code node-2}, ... sharing its database, each with the example WAR and the cluster's context descriptor
 * ({@code webapp-example/cluster/simplevisor-example.xml}), which binds that database as the application's
 * {@code DataSource} and turns on the singleton {@code outbox-relay}. Everything on 127.0.0.1; the Tomcats start
 * side by side. {@link #close()} stops the Tomcats by their PIDs, then the database, so that the nodes can give
 * their leases back; a JVM shutdown hook does the same if this JVM ends first. Used by
 * {@code ./run-example.sh --cluster} ({@link RunExample}) and the cluster's end-to-end test. Uses only the JDK.
 */
public final class ExampleCluster implements AutoCloseable {

    /** The system property the descriptor reads the H2 server's port from. */
    public static final String DB_PORT_PROPERTY = "simplevisor.example.db-port";
    /** The system property the descriptor reads the node's id from. */
    public static final String NODE_ID_PROPERTY = "simplevisor.example.node-id";
    /** The in-memory database of the H2 server the descriptor names. */
    public static final String DATABASE = "simplevisor-example";

    /**
     * What a cluster is made of.
     *
     * @param tomcatHome the unpacked Tomcat distribution
     * @param config     {@code tomcat-config/}
     * @param descriptor the cluster's context descriptor
     * @param war        the example WAR
     * @param h2Jar      the H2 JAR: the server, and the JDBC driver in each node's {@code lib/}
     * @param work       where the nodes' {@code CATALINA_BASE}s and logs go ({@code node-1/base},
     *                   {@code node-1/catalina.out})
     */
    public record Files(Path tomcatHome, Path config, Path descriptor, Path war, Path h2Jar, Path work) {
    }

    /** The loopback ports of a node: HTTP, JMX registry, JMX RMI server. */
    public record Ports(int http, int jmx, int jmxRmi) {

        /** {@return three ports free on 127.0.0.1 right now} */
        public static Ports free() throws IOException {
            return new Ports(StandaloneTomcat.freePort(), StandaloneTomcat.freePort(), StandaloneTomcat.freePort());
        }
    }

    private final H2Server database;
    private final List<StandaloneTomcat> nodes;
    private final Thread shutdownHook = new Thread(this::close, "stop-example-cluster");

    private ExampleCluster(H2Server database, List<StandaloneTomcat> nodes) {
        this.database = database;
        this.nodes = nodes;
    }

    /**
     * Starts the database, then one Tomcat per entry of {@code nodePorts}, and waits until the example answers on
     * each ({@code status.json}). On failure, stops what it started.
     *
     * @param files        what the cluster is made of
     * @param databasePort the H2 server's port
     * @param nodePorts    each node's ports: {@code node-1}'s first
     * @param timeout      the longest wait for each part
     * @return the running cluster
     */
    public static ExampleCluster start(Files files, int databasePort, List<Ports> nodePorts, Duration timeout)
            throws IOException {
        H2Server database = H2Server.start(files.h2Jar(), databasePort, files.work().resolve("h2.log"), timeout);
        List<StandaloneTomcat> nodes = new ArrayList<>();
        ExampleCluster cluster = new ExampleCluster(database, nodes);
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            for (int i = 0; i < nodePorts.size(); i++) {
                nodes.add(prepareNode(files, "node-" + (i + 1), nodePorts.get(i), databasePort));
            }
            HttpClient http = HttpClient.newHttpClient();
            eachAtOnce(nodes, node -> {
                node.start(timeout);
                String statusJson = node.httpUrl() + StandaloneTomcat.EXAMPLE_PATH + "/status.json";
                node.waitFor(() -> RunExample.answers(http, statusJson), timeout, statusJson);
                return null;
            });
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** What to do with a node. */
    private interface NodeAction {
        Object apply(StandaloneTomcat node) throws IOException;
    }

    /** Applies the action to every node at once, on a thread each, and waits for all; rethrows the first failure. */
    private static void eachAtOnce(List<StandaloneTomcat> nodes, NodeAction action) throws IOException {
        if (nodes.isEmpty()) {
            return;
        }
        ExecutorService threads = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<Object>> done = threads.invokeAll(nodes.stream()
                    .<Callable<Object>>map(node -> () -> action.apply(node)).toList());
            for (Future<Object> each : done) {
                each.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            threads.shutdownNow();
        }
    }

    private static StandaloneTomcat prepareNode(Files files, String id, Ports ports, int databasePort)
            throws IOException {
        Path work = files.work().resolve(id);
        StandaloneTomcat node = StandaloneTomcat.builder()
                .home(files.tomcatHome())
                .base(work.resolve("base"))
                .config(files.config())
                .consoleLog(work.resolve("catalina.out"))
                .ports(ports.http(), ports.jmx(), ports.jmxRmi())
                .systemProperty(DB_PORT_PROPERTY, String.valueOf(databasePort))
                .systemProperty(NODE_ID_PROPERTY, id)
                .library(files.h2Jar())
                .prepare();
        java.nio.file.Files.deleteIfExists(node.consoleLog());
        node.installContextDescriptor(files.descriptor(), StandaloneTomcat.EXAMPLE_PATH);
        node.installWar(files.war(), StandaloneTomcat.EXAMPLE_PATH);
        return node;
    }

    /** {@return the nodes, {@code node-1} first} */
    public List<StandaloneTomcat> nodes() {
        return List.copyOf(nodes);
    }

    /** {@return a node by its id} @param id {@code node-1}, {@code node-2}, ... */
    public StandaloneTomcat node(String id) {
        return nodes.get(Integer.parseInt(id.substring("node-".length())) - 1);
    }

    /** {@return the shared database server} */
    public H2Server database() {
        return database;
    }

    /** {@return the JDBC URL of the shared database, as the nodes reach it} */
    public String databaseUrl() {
        return database.url(DATABASE);
    }

    /** Stops every node by its PID, side by side, then the database. Idempotent. */
    @Override
    public void close() {
        try {
            eachAtOnce(nodes, StandaloneTomcat::stop);
        } catch (IOException | RuntimeException e) {
            System.err.println("stopping the nodes: " + e); // each stop is by PID, so each has ended anyway
        }
        database.close();
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException jvmStopping) {
                // the hook runs anyway
            }
        }
    }
}
