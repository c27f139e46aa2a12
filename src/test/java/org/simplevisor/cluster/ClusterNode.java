package org.simplevisor.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import org.h2.jdbcx.JdbcDataSource;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.Supervisor;

/**
 * One node of a cluster, as a JVM of its own: a supervisor whose singleton {@code relay} works under its lease on an
 * H2 server, and writes what a test needs to check it:
 * <ul>
 *   <li>{@code ledger}: one row per run, its node, token, and start and end in database time;</li>
 *   <li>{@code fence} and {@code history}: every 100 ms, and once more as it ends (a relay flushing its batch), the
 *       run writes with its fencing token through the guard of the README; a write the fence accepts is added to
 *       {@code history} in the same transaction;</li>
 *   <li>{@code attempts}: every such write, accepted or not, with its database time.</li>
 * </ul>
 * Arguments: the JDBC URL, the node id, the lease time in milliseconds. It prints {@code ready} once its supervisor
 * runs, {@code ended <token> <epoch millis> cancelled} as each run stops working (before it writes its end, which
 * fails while the database is down), and shuts down on SIGTERM.
 */
public final class ClusterNode {

    /** The tables the nodes write; a test creates them once. */
    static final String[] TABLES = {
        "CREATE TABLE ledger (node VARCHAR(50) NOT NULL, token BIGINT NOT NULL, started_at TIMESTAMP(6) WITH TIME ZONE"
                + " NOT NULL, ended_at TIMESTAMP(6) WITH TIME ZONE, PRIMARY KEY (node, token))",
        "CREATE TABLE fence (resource VARCHAR(50) PRIMARY KEY, token BIGINT NOT NULL)",
        "INSERT INTO fence VALUES ('outbox', 0)",
        "CREATE TABLE history (id BIGINT AUTO_INCREMENT PRIMARY KEY, node VARCHAR(50) NOT NULL, token BIGINT NOT NULL,"
                + " at TIMESTAMP(6) WITH TIME ZONE NOT NULL)",
        "CREATE TABLE attempts (id BIGINT AUTO_INCREMENT PRIMARY KEY, node VARCHAR(50) NOT NULL, token BIGINT NOT NULL,"
                + " accepted BOOLEAN NOT NULL, at TIMESTAMP(6) WITH TIME ZONE NOT NULL)"};

    private final JdbcDataSource database = new JdbcDataSource();
    private final String node;

    private ClusterNode(String url, String node) {
        database.setURL(url);
        database.setUser("sa");
        database.setPassword("");
        this.node = node;
    }

    public static void main(String[] args) throws Exception {
        ClusterNode node = new ClusterNode(args[0], args[1]);
        Duration leaseTime = Duration.ofMillis(Long.parseLong(args[2]));
        Supervisor supervisor = Supervisor.builder().name("cluster").nodeId(node.node)
                .shutdownTimeout(Duration.ofSeconds(5))
                .leaseStore(JdbcLeaseStore.builder(node.database).leaseTime(leaseTime).build()).build();
        supervisor.register("relay", node::relay, ProcessOption.singleton());
        supervisor.run();
        System.out.println("ready");
        System.out.flush();
        supervisor.awaitShutdownSignal(null);
    }

    private void relay(ProcessContext ctx) throws Exception {
        long token = ctx.fencingToken();
        update("INSERT INTO ledger (node, token, started_at) VALUES (?, ?, CURRENT_TIMESTAMP)", token);
        try {
            while (!ctx.isCancelled()) {
                try {
                    write(token);
                } catch (SQLException databaseAway) {
                    // a relay retries its batch at the next tick: only its lease decides when it stops
                }
                ctx.awaitCancellation(Duration.ofMillis(100));
            }
        } finally {
            System.out.println("ended " + token + " " + System.currentTimeMillis()
                    + (ctx.isCancelled() ? " cancelled" : ""));
            System.out.flush();
            write(token); // the flush of a relay that is told to stop
            update("UPDATE ledger SET ended_at = CURRENT_TIMESTAMP WHERE node = ? AND token = ?", token);
        }
    }

    /** A fenced write: accepted only if no later token has written; what is accepted goes into the history. */
    private void write(long token) throws SQLException {
        boolean accepted;
        try (Connection connection = database.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement fence = connection.prepareStatement(
                    "UPDATE fence SET token = ? WHERE resource = 'outbox' AND token <= ?")) {
                fence.setLong(1, token);
                fence.setLong(2, token);
                accepted = fence.executeUpdate() == 1;
            }
            if (accepted) {
                try (PreparedStatement history = connection.prepareStatement(
                        "INSERT INTO history (node, token, at) VALUES (?, ?, CURRENT_TIMESTAMP)")) {
                    history.setString(1, node);
                    history.setLong(2, token);
                    history.executeUpdate();
                }
            }
            connection.commit();
        }
        try (Connection connection = database.getConnection(); PreparedStatement attempt = connection.prepareStatement(
                "INSERT INTO attempts (node, token, accepted, at) VALUES (?, ?, ?, CURRENT_TIMESTAMP)")) {
            attempt.setString(1, node);
            attempt.setLong(2, token);
            attempt.setBoolean(3, accepted);
            attempt.executeUpdate();
        }
    }

    private void update(String sql, long token) throws SQLException {
        try (Connection connection = database.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, node);
            statement.setLong(2, token);
            statement.executeUpdate();
        }
    }
}
