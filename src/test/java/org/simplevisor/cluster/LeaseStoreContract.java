package org.simplevisor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.simplevisor.Lease;
import org.simplevisor.LeaseStoreException;
import org.simplevisor.LeaseStoreUnavailableException;

/**
 * What every database must do for {@link JdbcLeaseStore}, run against each real database by a subclass. Each test
 * has a table of its own.
 */
@Tag("database")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LeaseStoreContract {

    /** Short enough to wait for an expiry, long enough that nothing expires by accident. */
    static final Duration SHORT_LEASE = Duration.ofMillis(1500);

    private static final AtomicInteger TABLES = new AtomicInteger();

    TestDatabase database;

    /** {@return the database, started} */
    abstract TestDatabase startDatabase() throws Exception;

    @BeforeAll
    void start() throws Exception {
        database = startDatabase();
    }

    @AfterAll
    void stop() {
        if (database != null) {
            database.close();
        }
    }

    /**
     * {@return what {@code prepare()} threw, a {@code LeaseStoreException}, for a table made by hand with these
     * columns}
     */
    AbstractThrowableAssert<?, ? extends Throwable> assertThatPreparing(String table, String columns) {
        database.execute("CREATE TABLE " + table + " (" + columns + ")");
        JdbcLeaseStore store = JdbcLeaseStore.builder(database.dataSource()).table(table).build();
        return assertThatThrownBy(store::prepare).isExactlyInstanceOf(LeaseStoreException.class);
    }

    /**
     * {@return the columns of a lease table made by hand as the README shows it, but with an expiry of this many
     * fractional digits of a second}
     */
    String columnsWithExpiryDigits(int digits) {
        return "lease_name VARCHAR(255) NOT NULL PRIMARY KEY, holder VARCHAR(255) NOT NULL, token BIGINT NOT NULL, "
                + "expires_at TIMESTAMP(" + digits + ") WITH TIME ZONE NOT NULL";
    }

    static String newTable() {
        return "lease_test_" + TABLES.incrementAndGet();
    }

    JdbcLeaseStore prepared(DataSource dataSource, String table, Duration leaseTime) throws LeaseStoreException {
        JdbcLeaseStore store = JdbcLeaseStore.builder(dataSource).table(table).leaseTime(leaseTime).build();
        store.prepare();
        return store;
    }

    JdbcLeaseStore prepared() throws LeaseStoreException {
        return prepared(database.dataSource(), newTable(), Duration.ofSeconds(30));
    }

    // ---------------------------------------------------------------- acquisition, tokens, release

    @Test
    void theFirstAcquisitionHasTokenOneAndExcludesEveryOtherAcquisition() throws Exception {
        JdbcLeaseStore store = prepared();

        assertThat(store.tryAcquire("app/relay", "node-a")).contains(new Lease("app/relay", "node-a", 1));
        assertThat(store.tryAcquire("app/relay", "node-b")).isEmpty();
        assertThat(store.tryAcquire("app/relay", "node-a")).as("held by node-a already").isEmpty();
        assertThat(store.holders(List.of("app/relay", "app/other")))
                .containsExactlyEntriesOf(java.util.Map.of("app/relay", new Lease("app/relay", "node-a", 1)));
    }

    @Test
    void everyAcquisitionAfterAReleaseHasTheNextToken() throws Exception {
        JdbcLeaseStore store = prepared();

        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String owner = i % 2 == 0 ? "node-a" : "node-b";
            Lease lease = store.tryAcquire("app/relay", owner).orElseThrow();
            tokens.add(lease.token());
            assertThat(store.holders(List.of("app/relay"))).containsEntry("app/relay", lease);
            assertThat(store.release(lease)).isTrue();
            assertThat(store.holders(List.of("app/relay"))).isEmpty();
            assertThat(store.release(lease)).as("released already").isFalse();
        }
        assertThat(tokens).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void anExpiredLeaseIsTakenOverWithTheNextTokenNoEarlierThanTheLeaseTime() throws Exception {
        JdbcLeaseStore store = prepared(database.dataSource(), newTable(), SHORT_LEASE);
        long beforeAcquisition = System.nanoTime();
        Lease first = store.tryAcquire("app/relay", "node-a").orElseThrow();

        Lease second = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> store.tryAcquire("app/relay", "node-b"), Optional::isPresent).orElseThrow();
        Duration waited = Duration.ofNanos(System.nanoTime() - beforeAcquisition);

        assertThat(second).isEqualTo(new Lease("app/relay", "node-b", first.token() + 1));
        assertThat(waited).as("the lease expired in the database's time, not before")
                .isGreaterThanOrEqualTo(SHORT_LEASE);
        assertThat(store.renew(List.of(first))).as("the expired acquisition is not renewed").isEmpty();
        assertThat(store.release(first)).as("nor released").isFalse();
        assertThat(store.holders(List.of("app/relay"))).containsEntry("app/relay", second);
    }

    @Test
    void renewalKeepsALeaseBeyondItsLeaseTime() throws Exception {
        JdbcLeaseStore store = prepared(database.dataSource(), newTable(), SHORT_LEASE);
        Lease lease = store.tryAcquire("app/relay", "node-a").orElseThrow();
        long start = System.nanoTime();

        int renewals = 0;
        while (System.nanoTime() - start < SHORT_LEASE.multipliedBy(2).toNanos()) {
            assertThat(store.renew(List.of(lease))).containsExactly(lease);
            assertThat(store.tryAcquire("app/relay", "node-b")).isEmpty();
            renewals++;
        }

        assertThat(renewals).isGreaterThan(1);
        assertThat(store.holders(List.of("app/relay"))).containsEntry("app/relay", lease);
    }

    @Test
    void oneStatementRenewsEveryLeaseANodeHoldsAndOneReadsEveryHolder() throws Exception {
        ObservedDataSource counting = new ObservedDataSource(database.dataSource());
        JdbcLeaseStore store = prepared(counting, newTable(), Duration.ofSeconds(30));
        List<Lease> held = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            held.add(store.tryAcquire("app/singleton-" + i, "node-a").orElseThrow());
        }
        List<String> names = held.stream().map(Lease::name).collect(Collectors.toList());
        counting.takeCount();

        assertThat(store.renew(held)).containsExactlyInAnyOrderElementsOf(held);
        assertThat(counting.takeCount()).as("statements to renew 50 leases").isEqualTo(1);
        assertThat(store.holders(names)).hasSize(50);
        assertThat(counting.takeCount()).as("statements to read 50 holders").isEqualTo(1);
        assertThat(store.tryAcquire("app/singleton-0", "node-b")).isEmpty();
        assertThat(counting.takeCount()).as("statements of a failed acquisition").isEqualTo(1);
    }

    @Test
    void renewalLeavesOutEveryLeaseAnotherAcquisitionHolds() throws Exception {
        JdbcLeaseStore store = prepared();
        Lease kept = store.tryAcquire("app/kept", "node-a").orElseThrow();
        Lease lost = store.tryAcquire("app/lost", "node-a").orElseThrow();
        store.release(lost);
        Lease taken = store.tryAcquire("app/lost", "node-b").orElseThrow();

        assertThat(store.renew(List.of(kept, lost))).containsExactly(kept);
        assertThat(store.holders(List.of("app/kept", "app/lost"))).containsEntry("app/kept", kept)
                .containsEntry("app/lost", taken);
    }

    @Test
    void aLateReleaseNeverFreesAnotherAcquisition() throws Exception {
        JdbcLeaseStore store = prepared();
        Lease old = store.tryAcquire("app/relay", "node-a").orElseThrow();
        store.release(old);
        Lease current = store.tryAcquire("app/relay", "node-b").orElseThrow();

        assertThat(store.release(old)).isFalse();
        assertThat(store.release(new Lease("app/relay", "node-a", current.token())))
                .as("the right token but another owner").isFalse();
        assertThat(store.release(new Lease("app/relay", "node-b", old.token())))
                .as("the right owner but an old token").isFalse();
        assertThat(store.holders(List.of("app/relay"))).containsEntry("app/relay", current);
    }

    @Test
    void leaseNamesAndOwnersAreComparedExactly() throws Exception {
        JdbcLeaseStore store = prepared();
        // Two applications whose names differ in case or accents only, a process name in another script: four
        // leases, each with its own holder and tokens.
        List<String> names = List.of("/Shop/relay", "/shop/relay", "/shöp/relay", "/shop/реле");
        List<Lease> leases = new ArrayList<>();
        for (String name : names) {
            leases.add(store.tryAcquire(name, "node-é").orElseThrow(() -> new AssertionError(name + " not acquired")));
        }

        assertThat(leases).extracting(Lease::token).containsOnly(1L);
        assertThat(store.holders(names)).containsOnlyKeys(names).containsValues(leases.toArray(new Lease[0]));
        assertThat(store.renew(leases)).containsExactlyInAnyOrderElementsOf(leases);
        assertThat(store.release(new Lease("/shop/relay", "NODE-É", 1))).as("another owner").isFalse();
        assertThat(store.release(leases.get(1))).isTrue();
        assertThat(store.holders(names)).containsOnlyKeys("/Shop/relay", "/shöp/relay", "/shop/реле");
    }

    @Test
    void aLeaseNameEndingInASpaceIsRefusedAsMariaDbAndMySqlWouldTakeItForTheNameWithout() throws Exception {
        JdbcLeaseStore store = prepared();
        Lease relay = store.tryAcquire("app/relay", "node-a").orElseThrow();

        // On MariaDB "app/relay " = "app/relay" (PAD SPACE): node-b would find node-a's lease, or take it over
        assertThatThrownBy(() -> store.tryAcquire("app/relay ", "node-b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lease name must not end with a space, was \"app/relay \"");
        assertThat(store.holders(List.of("app/relay"))).containsEntry("app/relay", relay);
    }

    @Test
    void twoAcquisitionsOfOneLeaseInOneRenewalAreRejected() throws Exception {
        JdbcLeaseStore store = prepared();
        Lease lease = store.tryAcquire("app/relay", "node-a").orElseThrow();

        assertThatThrownBy(() -> store.renew(List.of(lease, new Lease("app/relay", "node-a", 7))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("app/relay");
    }

    @Test
    void concurrentFirstAcquisitionsHaveOneWinner() throws Exception {
        JdbcLeaseStore store = prepared();

        assertThat(race(8, node -> store.tryAcquire("app/relay", node))).hasSize(1)
                .allSatisfy(lease -> assertThat(lease.token()).isEqualTo(1));
    }

    @Test
    void concurrentTakeoversOfAReleasedLeaseHaveOneWinner() throws Exception {
        JdbcLeaseStore store = prepared();
        Set<Long> tokens = new HashSet<>();
        for (int round = 0; round < 5; round++) {
            List<Lease> winners = race(8, node -> store.tryAcquire("app/relay", node));
            assertThat(winners).hasSize(1);
            tokens.add(winners.get(0).token());
            store.release(winners.get(0));
        }
        assertThat(tokens).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L);
    }

    /** Calls {@code attempt} from {@code nodes} threads at once; {@return the leases they acquired} */
    private static List<Lease> race(int nodes, Attempt attempt) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(nodes);
        try {
            CountDownLatch ready = new CountDownLatch(nodes);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Optional<Lease>>> results = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                String node = "node-" + i;
                Callable<Optional<Lease>> task = () -> {
                    ready.countDown();
                    go.await();
                    return attempt.by(node);
                };
                results.add(threads.submit(task));
            }
            ready.await();
            go.countDown();
            List<Lease> acquired = new ArrayList<>();
            for (Future<Optional<Lease>> result : results) {
                result.get().ifPresent(acquired::add);
            }
            return acquired;
        } finally {
            threads.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface Attempt {
        Optional<Lease> by(String node) throws Exception;
    }

    // ---------------------------------------------------------------- the table

    @Test
    void twoNodesCreatingTheTableAtOnceBothSucceed() throws Exception {
        String table = newTable();
        List<Lease> leases = race(2, node -> {
            JdbcLeaseStore store = prepared(database.dataSource(), table, Duration.ofSeconds(30));
            return store.tryAcquire("app/" + node, node);
        });
        assertThat(leases).hasSize(2);
    }

    @Test
    void aMissingTableWithoutCreationFailsNamingTheTableAndItsDdl() {
        String table = newTable();
        JdbcLeaseStore store = JdbcLeaseStore.builder(database.dataSource()).table(table).createTable(false).build();

        assertThatThrownBy(store::prepare).isExactlyInstanceOf(LeaseStoreException.class)
                .hasMessageContaining("lease table " + table + " does not exist")
                .hasMessageContaining("CREATE TABLE IF NOT EXISTS " + table);
        assertThatThrownBy(() -> store.tryAcquire("app/relay", "node-a")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("prepare()");
    }

    @Test
    void aTableWithMissingColumnsFailsNamingTheTableAndTheColumns() {
        String table = newTable();
        assertThatPreparing(table, "lease_name VARCHAR(255) NOT NULL PRIMARY KEY, holder VARCHAR(255) NOT NULL")
                .hasMessageContaining("lease table " + table + " lacks column(s) token, expires_at");
    }

    /**
     * A table made by hand whose expiry is a timestamp without time zone (or MariaDB's {@code TIMESTAMP}) has it
     * written and compared in each session's zone: a node in another zone than the holder's sees the lease expire
     * hours early and acquires it beside the holder. It is refused at start, naming the column and its type.
     */
    @Test
    void anExpiryWrittenInTheSessionsTimeZoneIsRefused() {
        String table = newTable();
        assertThatPreparing(table, "lease_name VARCHAR(255) NOT NULL PRIMARY KEY, holder VARCHAR(255) NOT NULL, "
                + "token BIGINT NOT NULL, expires_at TIMESTAMP(6) NOT NULL")
                .hasMessageContaining("lease table " + table + " has column expires_at of type")
                .hasMessageContaining("depend on the session's time zone");
    }

    /**
     * A table made by hand without a key on {@code lease_name} (a migration that forgot it, or keyed by a column of
     * its own) lets two nodes insert the first row of a lease at once: both would hold it, with token 1. Refused at
     * start, naming the table.
     */
    @Test
    void aTableWhoseLeaseNamesAreNotUniqueIsRefused() throws Exception {
        String keyed = newTable();
        prepared(database.dataSource(), keyed, Duration.ofSeconds(30));
        String table = newTable();
        database.execute("CREATE TABLE " + table + " AS SELECT * FROM " + keyed + " WHERE 1 = 0"); // no key
        JdbcLeaseStore store = JdbcLeaseStore.builder(database.dataSource()).table(table).build();

        assertThatThrownBy(store::prepare).isExactlyInstanceOf(LeaseStoreException.class)
                .hasMessageContaining("lease table " + table + " does not keep one row per lease name");
    }

    /**
     * A table made by hand whose expiry keeps whole seconds (MariaDB's {@code DATETIME} without a precision, a
     * {@code TIMESTAMP(0)}) cuts or rounds every expiry to the second: a lease could expire up to a second before
     * its lease time, eating the holder's margin after its deadline (all of it for a lease time of 3 s). Refused at
     * start, naming the column; one that keeps milliseconds is accepted.
     */
    @Test
    void anExpiryThatKeepsWholeSecondsIsRefused() throws Exception {
        String table = newTable();
        assertThatPreparing(table, columnsWithExpiryDigits(0))
                .hasMessageContaining("lease table " + table + " has column expires_at with 0 fractional digits of a "
                        + "second");

        String milliseconds = newTable();
        database.execute("CREATE TABLE " + milliseconds + " (" + columnsWithExpiryDigits(3) + ")");
        assertThat(prepared(database.dataSource(), milliseconds, Duration.ofSeconds(30))
                .tryAcquire("app/relay", "node-a")).contains(new Lease("app/relay", "node-a", 1));
    }

    @Test
    void aReadOnlyUserFailsNamingTheTable() throws Exception {
        String table = newTable();
        prepared(database.dataSource(), table, Duration.ofSeconds(30));
        JdbcLeaseStore store = JdbcLeaseStore.builder(database.readOnlyDataSource()).table(table).build();

        assertThatThrownBy(store::prepare).isExactlyInstanceOf(LeaseStoreException.class)
                .hasMessageContaining("lease table " + table + " cannot be written by this DataSource's user");
    }

    @Test
    void aReadOnlyUserCannotCreateTheTable() {
        String table = newTable();
        JdbcLeaseStore store = JdbcLeaseStore.builder(database.readOnlyDataSource()).table(table).build();

        assertThatThrownBy(store::prepare).isExactlyInstanceOf(LeaseStoreException.class)
                .hasMessageContaining("lease table " + table + " does not exist and could not be created");
    }

    @Test
    void aDatabaseThatIsDownIsUnavailableRatherThanMisconfigured() {
        JdbcLeaseStore store = JdbcLeaseStore.builder(database.unreachableDataSource()).table(newTable()).build();

        assertThatThrownBy(store::prepare).isInstanceOf(LeaseStoreUnavailableException.class)
                .hasMessageContaining("no connection to the database");
    }
}
