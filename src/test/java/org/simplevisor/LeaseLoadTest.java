package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.simplevisor.cluster.H2Database;
import org.simplevisor.cluster.JdbcLeaseStore;
import org.simplevisor.cluster.ObservedDataSource;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;

/**
 * The load singletons put on their database: statements per minute of the node that holds the leases and of a node
 * that waits for them, for 1, 10 and 100 singletons with the default lease (30 s). Ten minutes pass on a
 * {@link ManualClock}; the statements go to a real H2 database, counted by the connections borrowed for them.
 * The counts must not grow with the number of singletons.
 */
@Tag("database")
class LeaseLoadTest {

    private static final Duration MEASURED = Duration.ofMinutes(10);
    private static final Map<Integer, String> RESULTS = new LinkedHashMap<>();

    private static H2Database h2;

    @BeforeAll
    static void startDatabase() {
        h2 = H2Database.embedded();
    }

    @AfterAll
    static void report() {
        System.out.println("statements per minute per node, default lease (30 s):");
        RESULTS.forEach((singletons, line) -> System.out.println("  " + singletons + " singleton(s): " + line));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 100})
    void statementsPerMinutePerNodeDoNotGrowWithTheSingletons(int singletons) {
        ManualClock clock = new ManualClock();
        ManualScheduler scheduler = new ManualScheduler(clock);
        String table = "load_" + singletons;
        List<Supervisor> nodes = new ArrayList<>();
        List<ObservedDataSource> connections = new ArrayList<>();
        try {
            for (String id : List.of("holder", "standby")) {
                ObservedDataSource connection = new ObservedDataSource(h2.dataSource());
                Supervisor node = Supervisor.builder().name("app").nodeId(id).clock(clock).scheduler(scheduler)
                        .leaseStore(JdbcLeaseStore.builder(connection).table(table).build()).build();
                for (int i = 0; i < singletons; i++) {
                    node.register("singleton-" + i, ProcessContext::awaitCancellation, ProcessOption.singleton());
                }
                node.run();
                await().until(() -> node.leaseKeeper().isIdle());
                nodes.add(node);
                connections.add(connection);
            }
            await().until(() -> nodes.get(0).snapshots().stream().allMatch(ProcessSnapshot::running));
            connections.forEach(ObservedDataSource::takeCount);

            for (Duration passed = Duration.ZERO; passed.compareTo(MEASURED) < 0;
                    passed = passed.plus(LeaseTiming.DEFAULT.renewInterval())) {
                scheduler.advance(LeaseTiming.DEFAULT.renewInterval());
                await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> nodes.stream().allMatch(node -> node.leaseKeeper().isIdle()));
            }

            double minutes = MEASURED.toSeconds() / 60.0;
            double holder = connections.get(0).takeCount() / minutes;
            double standby = connections.get(1).takeCount() / minutes;
            RESULTS.put(singletons, String.format("holder %.1f, standby %.1f", holder, standby));
            // A renewal interval of 5 s (a sixth of the default lease time): 12 rounds a minute.
            assertThat(holder).as("one renewal per interval for all leases").isEqualTo(12.0);
            assertThat(standby).as("one read per interval for all leases").isEqualTo(12.0);
            assertThat(nodes.get(1).snapshots()).allMatch(s -> s.status() == ProcessStatus.STANDBY);
        } finally {
            nodes.forEach(Supervisor::shutdown);
        }
    }
}
