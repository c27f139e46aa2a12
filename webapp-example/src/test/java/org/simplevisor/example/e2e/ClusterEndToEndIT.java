package org.simplevisor.example.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.simplevisor.example.tomcat.ExampleCluster;
import org.simplevisor.example.tomcat.ManagerClient;
import org.simplevisor.example.tomcat.StandaloneTomcat;

/**
 * The example's cluster mode end to end ({@link ExampleCluster}, as {@code ./run-example.sh --cluster} runs it): two
 * standalone Tomcat 11 nodes with the example and its cluster descriptor, sharing a database on an H2 server, all on
 * 127.0.0.1 and stopped by their PIDs after the last test, whatever happened. Observed over remote JMX as
 * {@code monitor} and in the shared database: the singleton {@code outbox-relay} runs on one node while the other
 * keeps it {@code STANDBY}, both name the holder in {@code LeaseHolder}; undeploying the example on the holder moves
 * the relay to the other node within 3 s ({@code simplevisor.process.lease-acquired} with a
 * newer token there), and the relayed rows keep flowing, none relayed twice, tokens only growing; redeployed, the
 * first node waits in {@code STANDBY}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterEndToEndIT {

    static final String RELAY = "outbox-relay";
    static final String LEASE_ACQUIRED = "simplevisor.process.lease-acquired";
    static final List<String> NODES = List.of("node-1", "node-2");
    /**
     * The descriptor's lease time is 6 s: standby nodes poll every 1 s (a sixth of it), and a handover takes one poll
     * plus 1 s; a second more for two Tomcats and a database on a busy machine.
     */
    static final Duration HANDOVER_BOUND = Duration.ofSeconds(3);
    static final Duration WAIT = Duration.ofSeconds(30);

    private ExampleCluster cluster;
    private final Map<String, JMXConnector> connectors = new LinkedHashMap<>();
    private final Map<String, MBeanServerConnection> jmx = new LinkedHashMap<>();
    private final Map<String, NotificationRecorder> notifications = new LinkedHashMap<>();
    private String holder;
    private long holderToken;

    @BeforeAll
    void startCluster() throws Exception {
        long started = System.nanoTime();
        cluster = ExampleCluster.start(EndToEndSetup.clusterFiles(), StandaloneTomcat.freePort(),
                List.of(ExampleCluster.Ports.free(), ExampleCluster.Ports.free()), Duration.ofMinutes(3));
        System.out.printf("cluster of two Tomcats and H2 up after %d ms%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        for (String node : NODES) {
            JMXConnector connector = cluster.node(node).connectJmx("monitor");
            connectors.put(node, connector);
            jmx.put(node, connector.getMBeanServerConnection());
            NotificationRecorder recorder = new NotificationRecorder();
            jmx.get(node).addNotificationListener(TomcatEndToEndIT.SUPERVISOR, recorder, null, null);
            notifications.put(node, recorder);
        }
    }

    @AfterAll
    void stopCluster() {
        for (JMXConnector connector : connectors.values()) {
            try {
                connector.close();
            } catch (java.io.IOException ignored) {
                // the node is stopped next anyway
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void oneNodeRunsTheRelayWhileTheOtherKeepsItInStandbyAndBothNameTheHolder() throws Exception {
        await().atMost(WAIT).until(() -> List.of(status("node-1"), status("node-2")).stream().sorted().toList(),
                List.of("RUNNING", "STANDBY")::equals);
        holder = status("node-1").equals("RUNNING") ? "node-1" : "node-2";
        String standby = other(holder);

        for (String node : NODES) {
            assertThat(jmx.get(node).getAttribute(TomcatEndToEndIT.SUPERVISOR, "NodeId")).isEqualTo(node);
            assertThat(relay(node, "Singleton")).isEqualTo(true);
        }
        // The standby learns the holder at its next poll.
        await().atMost(WAIT).until(() -> holder.equals(relay(standby, "LeaseHolder")));
        assertThat(relay(holder, "LeaseHolder")).isEqualTo(holder);
        holderToken = (Long) relay(holder, "FencingToken");
        assertThat(holderToken).isPositive();
        assertThat(relay(standby, "FencingToken")).isEqualTo(0L);

        await().atMost(WAIT).until(() -> count("SELECT COUNT(*) FROM relayed WHERE token = " + holderToken) > 0);
        assertRelayedOnceEachInTokenOrder();
    }

    @Test
    @Order(2)
    void undeployingTheHolderMovesTheRelayToTheOtherNodeAndTheRowsKeepFlowingOnce() throws Exception {
        String next = other(holder);
        long relayedBefore = count("SELECT COUNT(*) FROM relayed");

        assertThat(new ManagerClient(cluster.node(holder)).undeploy(StandaloneTomcat.EXAMPLE_PATH))
                .startsWith("OK - Undeployed");
        long undeployed = System.nanoTime();
        await().atMost(HANDOVER_BOUND).pollInterval(Duration.ofMillis(50))
                .until(() -> status(next).equals("RUNNING"));
        System.out.printf("outbox-relay RUNNING on %s %d ms after the undeploy on %s returned (bound %d ms)%n",
                next, Duration.ofNanos(System.nanoTime() - undeployed).toMillis(), holder, HANDOVER_BOUND.toMillis());

        long newToken = (Long) relay(next, "FencingToken");
        assertThat(newToken).isGreaterThan(holderToken);
        assertThat(relay(next, "LeaseHolder")).isEqualTo(next);
        Notification acquired = notifications.get(next)
                .awaitCount(NotificationRecorder.of(LEASE_ACQUIRED, RELAY), 1, WAIT).get(0);
        assertThat(((CompositeData) acquired.getUserData()).get("fencingToken")).isEqualTo(newToken);
        assertThat(((CompositeData) acquired.getUserData()).get("leaseHolder")).isEqualTo(next);

        await().atMost(WAIT).until(() -> count("SELECT COUNT(*) FROM relayed WHERE token = " + newToken) > 0
                && count("SELECT COUNT(*) FROM relayed") > relayedBefore);
        assertRelayedOnceEachInTokenOrder();
        holder = next;
        holderToken = newToken;
    }

    @Test
    @Order(3)
    void redeployedTheFormerHolderWaitsInStandby() throws Exception {
        String former = other(holder);
        assertThat(new ManagerClient(cluster.node(former)).deploy(StandaloneTomcat.EXAMPLE_PATH,
                EndToEndSetup.war(), EndToEndSetup.clusterFiles().descriptor())).startsWith("OK - Deployed");

        await().atMost(WAIT).until(() -> holder.equals(relay(former, "LeaseHolder")));
        assertThat(status(former)).isEqualTo("STANDBY");
        assertThat(status(holder)).isEqualTo("RUNNING");
        assertThat(relay(holder, "FencingToken")).isEqualTo(holderToken);
    }

    // ---------------------------------------------------------------- helpers

    private static String other(String node) {
        return node.equals("node-1") ? "node-2" : "node-1";
    }

    private Object relay(String node, String attribute) throws Exception {
        return jmx.get(node).getAttribute(TomcatEndToEndIT.processName(RELAY), attribute);
    }

    private String status(String node) throws Exception {
        return (String) relay(node, "Status");
    }

    /** Checks the fence's work: no outbox row relayed twice, and the relaying runs' tokens never went back. */
    private void assertRelayedOnceEachInTokenOrder() throws SQLException {
        assertThat(count("SELECT COUNT(*) - COUNT(DISTINCT outbox_id) FROM relayed")).as("rows relayed twice")
                .isZero();
        assertThat(count("SELECT COUNT(*) FROM relayed a JOIN relayed b ON b.id > a.id AND b.token < a.token"))
                .as("rows relayed with an older token after a newer one").isZero();
    }

    private long count(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(cluster.databaseUrl(), "sa", "");
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
