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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.simplevisor.LeaseTiming;

/**
 * Several nodes, each a JVM of its own ({@link ClusterNode}), on one H2 server (127.0.0.1) of this JVM: exactly one
 * runs the singleton; {@code kill -9} of the holder moves it; a graceful stop hands it over; a holder paused by
 * {@code SIGSTOP} for longer than its lease is cancelled as soon as it resumes and its late write is rejected by the
 * fence; a database stopped under the holder ends its run by the holder's own deadline, and the work resumes on one
 * node once the database is back. The ledger the runs write proves that no two runs overlapped and that tokens only
 * grew.
 *
 * <p>Times are measured in database time and printed (the bounds are {@code leaseTime + renewInterval}, that is
 * {@code leaseTime + leaseTime/6}, for failover and one renewal interval plus 1 s for handover); {@code -Dcluster.kills=20} repeats the kill 20 times for the
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
    /**
     * The end of each run that could not write it in the ledger (killed, or the database down), by token. The database
     * is a server of this JVM, so its time and the nodes' clocks are the same machine's.
     */
    private final Map<Long, OffsetDateTime> endedOffLedger = new LinkedHashMap<>();

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
        // -Dh2.socketConnectRetry=0: a connection the stopped database refuses fails at once, where H2 would retry
        // for up to 2 s, holding a run in its write past its cancellation.
        Process process = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-Dh2.socketConnectRetry=0", "-cp", System.getProperty("java.class.path"), ClusterNode.class.getName(),
                h2.url(), id, Long.toString(LEASE.toMillis()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        nodes.put(id, process);
        await().atMost(WAIT).until(() -> {
            assertThat(process.isAlive()).as("node %s died:%n%s", id, Files.readString(log)).isTrue();
            return Files.readString(log).lines().anyMatch("ready"::equals);
        });
        return id;
    }

    /** {@return when the node said a run ended on its cancellation, or {@code null} if it has not yet} */
    private OffsetDateTime cancelledRunEnded(String node, long token) throws IOException {
        Pattern ended = Pattern.compile("ended " + token + " (\\d+) cancelled");
        return Files.readString(output.resolve(node + ".log")).lines().map(ended::matcher).filter(Matcher::matches)
                .map(line -> Instant.ofEpochMilli(Long.parseLong(line.group(1))))
                .map(instant -> instant.atOffset(ZoneOffset.UTC)).findFirst().orElse(null);
    }

    /** Starts two nodes; {@return the run of the one that acquired the lease} */
    private Run startTwoNodesAndAwaitTheirRun() throws Exception {
        startNode();
        startNode();
        await().atMost(WAIT).until(() -> running().size() == 1);
        return running().get(0);
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

    /**
     * Stops the node with SIGSTOP at a moment it has no transaction open. Paused inside its fenced write, it would
     * hold the fence's row lock, and the next holder could write nothing until it resumed (in production the
     * database's idle-in-transaction timeout ends such a session; H2 has none).
     */
    private void pauseOutsideATransaction(Process node) throws SQLException {
        String openTransactions = "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE CONTAINS_UNCOMMITTED";
        for (int attempt = 1; attempt <= 20; attempt++) {
            signal(node, "STOP");
            if (query(openTransactions, Long.class) == 0) {
                return;
            }
            signal(node, "CONT");
            await().atMost(WAIT).until(() -> query(openTransactions, Long.class) == 0);
        }
        throw new AssertionError("node " + node.pid() + " was inside a transaction at each of 20 pauses");
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

    /** {@return the runs in progress: begun, not ended, not killed} */
    private List<Run> running() throws SQLException {
        return ledger().stream().filter(run -> run.ended() == null && !endedOffLedger.containsKey(run.token()))
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
            OffsetDateTime beforeEnded = before.ended() != null ? before.ended() : endedOffLedger.get(before.token());
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
            endedOffLedger.put(holder.token(), at);

            Run next = awaitRun(run -> run.token() > holder.token());
            failovers.add(Duration.between(at, next.started()));
            assertThat(next.node()).isNotEqualTo(holder.node());
            startNode(); // three nodes again
        }
        await().atMost(WAIT).until(() -> running().size() == 1);

        assertRunsNeverOverlapped();
        System.out.printf("failover after kill -9 (bound %d ms): %s%n",
                LEASE.plus(LeaseTiming.of(LEASE).renewInterval()).toMillis(), millis(failovers));
    }

    @Test
    void aGracefulStopHandsTheSingletonOver() throws Exception {
        Run holder = startTwoNodesAndAwaitTheirRun();

        nodes.remove(holder.node()).destroy(); // SIGTERM: the node shuts down, its run ends, its lease is released
        Run next = awaitRun(run -> run.token() > holder.token());

        Run ended = ledger().stream().filter(run -> run.token() == holder.token()).findFirst().orElseThrow();
        assertThat(ended.ended()).as("the run ended before the handover").isNotNull();
        assertRunsNeverOverlapped();
        System.out.printf("handover after a graceful stop (bound %d ms): %d ms%n",
                LeaseTiming.of(LEASE).renewInterval().plusSeconds(1).toMillis(),
                Duration.between(ended.ended(), next.started()).toMillis());
    }

    @Test
    void aHolderPausedLongerThanItsLeaseIsCancelledOnResumeAndItsLateWriteRejected() throws Exception {
        Run paused = startTwoNodesAndAwaitTheirRun();
        Process pausedNode = nodes.get(paused.node());

        pauseOutsideATransaction(pausedNode);
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

    @Test
    void aDatabaseStoppedUnderTheHolderEndsItsRunByItsDeadlineAndTheWorkResumesOnOneNodeAfter() throws Exception {
        Run holder = startTwoNodesAndAwaitTheirRun();

        h2.stop();
        OffsetDateTime stopped = OffsetDateTime.now(); // no renewal can succeed after this (the same machine's clock)
        OffsetDateTime ended;
        try {
            // Nobody can renew or acquire: the holder's own deadline ends its run, with no database to ask.
            ended = await().atMost(WAIT).until(() -> cancelledRunEnded(holder.node(), holder.token()),
                    java.util.Objects::nonNull);
        } finally {
            h2.restart();
        }
        endedOffLedger.put(holder.token(), ended);
        assertThat(ended).as("the run ended within the lease time of the stop").isBefore(stopped.plus(LEASE));

        Run next = awaitRun(run -> run.token() > holder.token());
        await().atMost(WAIT).until(() -> running().size() == 1);
        assertThat(running()).containsExactly(next);
        assertRunsNeverOverlapped();
        System.out.printf("database stopped under the holder: its run ended %d ms later (lease %d ms); work resumed"
                + " on %s (token %d after %d)%n", Duration.between(stopped, ended).toMillis(), LEASE.toMillis(),
                next.node(), next.token(), holder.token());
    }
}
