package org.simplevisor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Several nodes, each a JVM of its own ({@link ClusterNode}), on one H2 server (127.0.0.1) of this JVM: exactly one
 * runs the singleton; {@code kill -9} of the holder moves it; a graceful stop hands it over; a holder paused by
 * {@code SIGSTOP} for longer than its lease is cancelled as soon as it resumes and its late write is rejected by the
 * fence. The ledger the runs write proves that no two runs overlapped and that tokens only grew.
 *
 * <p>Times are measured in database time and printed (the bounds are {@code leaseTime + leaseTime/3} for failover
 * and one renewal interval plus 1 s for handover); {@code -Dcluster.kills=20} repeats the kill 20 times for the
 * figures in BENCHMARKS.md.
 */
@Tag("database")
class MultiNodeTest {

    private static final Duration LEASE = Duration.ofMillis(1500);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger NODES = new AtomicInteger();

    private H2Database h2;
    private Path output;
    private final Map<String, Process> nodes = new LinkedHashMap<>();
    /** The database time each killed run was killed at, by token: its end, which it could not write. */
    private final Map<Long, OffsetDateTime> killedAt = new LinkedHashMap<>();

    /** One run of the singleton, as the ledger has it. */
    private record Run(String node, long token, OffsetDateTime started, OffsetDateTime ended) {
    }

    @BeforeEach
    void start() throws Exception {
        h2 = H2Database.startServer();
        for (String table : ClusterNode.TABLES) {
            h2.execute(table);
        }
        output = Files.createTempDirectory("simplevisor-nodes-");
    }

    @AfterEach
    void stop() throws Exception {
        for (Process node : nodes.values()) {
            ProcessHandle.of(node.pid()).ifPresent(handle -> signal(node, "CONT")); // a paused node cannot die
            node.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        h2.close();
        TestDatabase.deleteRecursively(output);
    }

    // ---------------------------------------------------------------- the nodes

    /** Starts a node JVM and waits until its supervisor runs; {@return its id} */
    private String startNode() throws IOException {
        String id = "node-" + NODES.incrementAndGet();
        Path log = output.resolve(id + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ClusterNode.class.getName(), h2.url(), id,
                Long.toString(LEASE.toMillis()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        nodes.put(id, process);
        await().atMost(WAIT).until(() -> {
            assertThat(process.isAlive()).as("node %s died:%n%s", id, Files.readString(log)).isTrue();
            return Files.readString(log).lines().anyMatch("ready"::equals);
        });
        return id;
    }

    private static void signal(Process node, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(node.pid())).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + signal + " " + node.pid(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the ledger

    private List<Run> ledger() throws SQLException {
        List<Run> runs = new ArrayList<>();
        try (Connection connection = h2.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT node, token, started_at, ended_at FROM ledger ORDER BY started_at");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                runs.add(new Run(rows.getString(1), rows.getLong(2), rows.getObject(3, OffsetDateTime.class),
                        rows.getObject(4, OffsetDateTime.class)));
            }
        }
        return runs;
    }

    /** Starts two nodes and waits until one of them runs the singleton; {@return that run} */
    private Run twoNodesAndTheRunOfOne() throws IOException, SQLException {
        startNode();
        startNode();
        await().atMost(WAIT).until(() -> running().size() == 1);
        return running().get(0);
    }

    /** {@return the runs in progress: begun, not ended, not killed} */
    private List<Run> running() throws SQLException {
        return ledger().stream().filter(run -> run.ended() == null && !killedAt.containsKey(run.token()))
                .collect(Collectors.toList());
    }

    private Run awaitRun(Predicate<Run> matching) {
        return await().atMost(WAIT).until(() -> ledger().stream().filter(matching).findFirst(), Optional::isPresent)
                .orElseThrow();
    }

    private OffsetDateTime databaseNow() throws SQLException {
        return query("SELECT CURRENT_TIMESTAMP", OffsetDateTime.class);
    }

    private <T> T query(String sql, Class<T> type, Object... parameters) throws SQLException {
        try (Connection connection = h2.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getObject(1, type);
            }
        }
    }

    /**
     * Checks the ledger: tokens grow from run to run, each run began after the one before it ended (a killed run
     * ended when it was killed), and the fenced history only ever saw tokens grow.
     */
    private void assertRunsNeverOverlapped() throws SQLException {
        List<Run> runs = ledger();
        for (int i = 1; i < runs.size(); i++) {
            Run before = runs.get(i - 1);
            Run after = runs.get(i);
            OffsetDateTime beforeEnded = before.ended() != null ? before.ended() : killedAt.get(before.token());
            assertThat(after.token()).as("tokens grow: %s then %s", before, after).isGreaterThan(before.token());
            assertThat(beforeEnded).as("%s ended", before).isNotNull();
            assertThat(after.started()).as("%s began after %s ended", after, before).isAfterOrEqualTo(beforeEnded);
        }
        assertFencedWritesOnlyGrew();
    }

    /** Checks that the writes the fence accepted came with tokens that never decreased. */
    private void assertFencedWritesOnlyGrew() throws SQLException {
        List<Long> history = new ArrayList<>();
        try (Connection connection = h2.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT token FROM history ORDER BY id");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                history.add(rows.getLong(1));
            }
        }
        assertThat(history).isNotEmpty().isSortedAccordingTo(Comparator.naturalOrder());
    }

    private static String millis(List<Duration> durations) {
        List<Long> sorted = durations.stream().map(Duration::toMillis).sorted().collect(Collectors.toList());
        return "median " + sorted.get(sorted.size() / 2) + " ms, max " + sorted.get(sorted.size() - 1) + " ms over "
                + sorted.size() + " " + sorted;
    }

    // ---------------------------------------------------------------- the tests

    @Test
    void killMinusNineOfTheHolderMovesTheSingletonToAnotherNode() throws Exception {
        int kills = Integer.getInteger("cluster.kills", 3);
        for (int i = 0; i < 3; i++) {
            startNode();
        }
        List<Duration> failovers = new ArrayList<>();
        for (int kill = 0; kill < kills; kill++) {
            await().atMost(WAIT).until(() -> running().size() == 1);
            Run holder = running().get(0);
            OffsetDateTime at = databaseNow();
            nodes.remove(holder.node()).destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL
            killedAt.put(holder.token(), at);

            Run next = awaitRun(run -> run.token() > holder.token());
            failovers.add(Duration.between(at, next.started()));
            assertThat(next.node()).isNotEqualTo(holder.node());
            startNode(); // three nodes again
        }
        await().atMost(WAIT).until(() -> running().size() == 1);

        assertRunsNeverOverlapped();
        System.out.printf("failover after kill -9 (bound %d ms): %s%n",
                LEASE.plus(LEASE.dividedBy(3)).toMillis(), millis(failovers));
    }

    @Test
    void aGracefulStopHandsTheSingletonOver() throws Exception {
        Run holder = twoNodesAndTheRunOfOne();

        nodes.remove(holder.node()).destroy(); // SIGTERM: the node shuts down, its run ends, its lease is released
        Run next = awaitRun(run -> run.token() > holder.token());

        Run ended = ledger().stream().filter(run -> run.token() == holder.token()).findFirst().orElseThrow();
        assertThat(ended.ended()).as("the run ended before the handover").isNotNull();
        assertRunsNeverOverlapped();
        System.out.printf("handover after a graceful stop (bound %d ms): %d ms%n",
                LEASE.dividedBy(3).plusSeconds(1).toMillis(), Duration.between(ended.ended(), next.started())
                        .toMillis());
    }

    @Test
    void aHolderPausedLongerThanItsLeaseIsCancelledOnResumeAndItsLateWriteRejected() throws Exception {
        Run paused = twoNodesAndTheRunOfOne();
        Process pausedNode = nodes.get(paused.node());

        signal(pausedNode, "STOP");
        Run next = awaitRun(run -> run.token() > paused.token());
        await().atMost(WAIT).until(() -> query("SELECT COUNT(*) FROM history WHERE token = ?", Long.class,
                next.token()) > 0);
        OffsetDateTime resumed = databaseNow();
        signal(pausedNode, "CONT");

        Run cancelled = awaitRun(run -> run.token() == paused.token() && run.ended() != null);
        // A write the paused node had begun before the pause may land after it; the fence ordered it already.
        assertThat(query("SELECT COUNT(*) FROM attempts WHERE token = ? AND at >= ? AND NOT accepted", Long.class,
                paused.token(), resumed)).as("writes with the old token after the resume, rejected").isPositive();
        assertFencedWritesOnlyGrew(); // no write with the old token was accepted after one with the new
        assertThat(query("SELECT MAX(token) FROM history", Long.class)).isEqualTo(next.token());
        System.out.printf("a holder paused for longer than its lease: its run ended %d ms after SIGCONT%n",
                Duration.between(resumed, cancelled.ended()).toMillis());
    }
}
