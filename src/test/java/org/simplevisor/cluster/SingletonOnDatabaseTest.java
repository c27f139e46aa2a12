package org.simplevisor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.simplevisor.ExitReason;
import org.simplevisor.LeaseLoss;
import org.simplevisor.LeaseTiming;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessStatus;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.DeafProcess;
import org.simplevisor.testing.RecordingListener;

/**
 * Singletons of several supervisors (nodes of one JVM) on a real H2 TCP server, in real time: one runs, the others
 * stand by; a shutdown hands over; a database that goes away stops the run at its deadline; the fencing token
 * rejects a paused holder's late write. Lease 1.5 s: renewals every 250 ms, runs stopped after 1 s without one.
 */
@Tag("database")
class SingletonOnDatabaseTest {

    private static final Duration LEASE = Duration.ofMillis(1500);
    private static final AtomicInteger TABLES = new AtomicInteger();

    private static H2Database h2;
    private final List<Supervisor> nodes = new ArrayList<>();
    private final String table = "singleton_lease_" + TABLES.incrementAndGet();

    @BeforeAll
    static void startDatabase() throws Exception {
        h2 = H2Database.startServer();
        h2.execute("CREATE TABLE fenced (resource VARCHAR(50) PRIMARY KEY, token BIGINT NOT NULL, writer VARCHAR(50))");
        h2.execute("INSERT INTO fenced VALUES ('outbox', 0, NULL)");
    }

    @AfterAll
    static void stopDatabase() {
        h2.close();
    }

    @AfterEach
    void shutDownNodes() {
        nodes.forEach(Supervisor::shutdown);
    }

    private Supervisor node(String id, DataSource dataSource, SupervisedProcess process, RecordingListener events) {
        JdbcLeaseStore store = JdbcLeaseStore.builder(dataSource).table(table).leaseTime(LEASE).build();
        Supervisor node = Supervisor.builder().name("app").nodeId(id).shutdownTimeout(Duration.ofSeconds(2))
                .leaseStore(store).listener(events).build();
        node.register("relay", process, ProcessOption.singleton());
        nodes.add(node);
        return node;
    }

    private List<Supervisor> running() {
        return nodes.stream().filter(node -> !node.isTerminated() && node.status("relay") == ProcessStatus.RUNNING)
                .collect(Collectors.toList());
    }

    @Test
    void oneNodeRunsTheOthersStandByAndAShutdownHandsOver() {
        List<Long> tokens = new CopyOnWriteArrayList<>();
        for (String id : List.of("node-a", "node-b", "node-c")) {
            node(id, h2.dataSource(), ctx -> {
                tokens.add(ctx.fencingToken());
                ctx.awaitCancellation();
            }, new RecordingListener()).run();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> running().size() == 1);
        Supervisor holder = running().get(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream().filter(node -> node != holder)
                .allMatch(node -> node.status("relay") == ProcessStatus.STANDBY
                        && node.snapshot("relay").lease().holder().equals(holder.nodeId())));
        // RUNNING is set as the run is handed to its thread: the body may not have noted its token yet
        await().atMost(Duration.ofSeconds(10)).until(() -> !tokens.isEmpty());
        assertThat(tokens).containsExactly(1L);

        long shutdownStart = System.nanoTime();
        holder.shutdown();
        await().atMost(Duration.ofSeconds(10)).until(() -> running().size() == 1);
        Duration handover = Duration.ofNanos(System.nanoTime() - shutdownStart);

        // RUNNING is set as the run is handed to its thread: the body may not have noted its token yet
        await().atMost(Duration.ofSeconds(10)).until(() -> tokens.size() >= 2);
        assertThat(tokens).containsExactly(1L, 2L);
        assertThat(running().get(0)).isNotSameAs(holder);
        System.out.printf("handover after shutdown: %d ms (renewal interval %d ms)%n", handover.toMillis(),
                LeaseTiming.of(LEASE).renewInterval().toMillis());
    }

    @Test
    void aDatabaseGoneUnderTheHolderStopsItsRunAtTheDeadlineAndWorkResumesOnOneNodeAfter() throws Exception {
        RecordingListener aEvents = new RecordingListener();
        Supervisor a = node("node-a", h2.dataSource(), ctx -> ctx.awaitCancellation(), aEvents);
        a.run();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.status("relay") == ProcessStatus.RUNNING);
        Supervisor b = node("node-b", h2.dataSource(), ctx -> ctx.awaitCancellation(), new RecordingListener());
        b.run();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.status("relay") == ProcessStatus.STANDBY);

        h2.stop();
        try {
            SupervisorEvent stopped = aEvents.await("relay", SupervisorEvent.Type.STOPPED);
            assertThat(stopped.reason()).isEqualTo(ExitReason.LEASE_LOST);
            assertThat(a.snapshot("relay").lease().lastLoss()).isEqualTo(LeaseLoss.RENEWAL_FAILED);
            assertThat(List.of(a.status("relay"), b.status("relay"))).containsOnly(ProcessStatus.STANDBY);
        } finally {
            h2.restart();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> running().size() == 1);
        assertThat(running().get(0).snapshot("relay").lease().fencingToken()).isEqualTo(2);
    }

    @Test
    void aDatabaseDownAtStartLeavesTheSingletonInStandbyWarnsOnceAndRunsWhenItAnswers() throws Exception {
        try (CapturedLogs logs = CapturedLogs.attach()) {
            ObservedDataSource network = new ObservedDataSource(h2.dataSource());
            Supervisor a = node("node-a", network, ctx -> ctx.awaitCancellation(), new RecordingListener());
            h2.stop();
            try {
                a.run(); // no exception: the store is unavailable, not misconfigured
                assertThat(a.status("relay")).isEqualTo(ProcessStatus.STANDBY);
                AtomicInteger tries = new AtomicInteger();
                await().atMost(Duration.ofSeconds(10)).until(() -> tries.addAndGet(network.takeCount()) >= 4);
                assertThat(a.status("relay")).isEqualTo(ProcessStatus.STANDBY);
            } finally {
                h2.restart();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> a.status("relay") == ProcessStatus.RUNNING);
            assertThat(logs.at(Level.WARN).stream().map(CapturedLogs.Line::message)
                    .filter(message -> message.contains("unavailable"))).hasSize(1);
        }
    }

    @Test
    void aPausedHoldersLateWriteIsRejectedByTheFencingToken() throws Exception {
        ObservedDataSource aNetwork = new ObservedDataSource(h2.dataSource());
        CountDownLatch pauseOver = new CountDownLatch(1);
        List<Boolean> aWrites = new CopyOnWriteArrayList<>();
        Supervisor a = node("node-a", aNetwork, ctx -> {
            aWrites.add(fencedWrite(ctx.fencingToken(), "node-a"));
            DeafProcess.awaitIgnoringInterrupts(pauseOver); // as paused by a long GC or SIGSTOP
            aWrites.add(fencedWrite(ctx.fencingToken(), "node-a"));
        }, new RecordingListener());
        a.run();
        await().atMost(Duration.ofSeconds(10)).until(() -> aWrites.size() == 1);
        List<Boolean> bWrites = new CopyOnWriteArrayList<>();
        Supervisor b = node("node-b", h2.dataSource(), ctx -> {
            bWrites.add(fencedWrite(ctx.fencingToken(), "node-b"));
            ctx.awaitCancellation();
        }, new RecordingListener());
        b.run();

        aNetwork.cutOff(true); // a's renewals fail: its lease expires in the database, b takes it over
        await().atMost(Duration.ofSeconds(10)).until(() -> bWrites.size() == 1);
        pauseOver.countDown(); // a wakes up and writes with its old token
        await().atMost(Duration.ofSeconds(10)).until(() -> aWrites.size() == 2);

        assertThat(aWrites).containsExactly(true, false);
        assertThat(bWrites).containsExactly(true);
        assertThat(fence()).isEqualTo("node-b:" + b.snapshot("relay").lease().fencingToken());
    }

    /** The guard of the README: a write carries its token, and the row refuses a token older than its own. */
    private static boolean fencedWrite(long token, String writer) throws SQLException {
        try (Connection connection = h2.dataSource().getConnection();
                PreparedStatement update = connection.prepareStatement(
                        "UPDATE fenced SET token = ?, writer = ? WHERE resource = 'outbox' AND token <= ?")) {
            update.setLong(1, token);
            update.setString(2, writer);
            update.setLong(3, token);
            return update.executeUpdate() == 1;
        }
    }

    private static String fence() throws SQLException {
        try (Connection connection = h2.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT writer, token FROM fenced WHERE resource = 'outbox'");
                ResultSet row = select.executeQuery()) {
            row.next();
            return row.getString(1) + ":" + row.getLong(2);
        }
    }
}
