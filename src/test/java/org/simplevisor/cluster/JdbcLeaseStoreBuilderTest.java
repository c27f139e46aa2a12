package org.simplevisor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.hsqldb.jdbc.JDBCDataSource;
import org.junit.jupiter.api.Test;
import org.simplevisor.LeaseStoreException;
import org.simplevisor.LeaseTiming;

/** The builder's checks, and a real database that the store does not support (HSQLDB). */
class JdbcLeaseStoreBuilderTest {

    private final H2Database h2 = H2Database.embedded();

    @Test
    void defaultsAreThirtySecondsRenewedEveryFiveStoppedAtTwenty() {
        JdbcLeaseStore store = JdbcLeaseStore.builder(h2.dataSource()).build();

        assertThat(store.timing()).isEqualTo(new LeaseTiming(Duration.ofSeconds(30), Duration.ofSeconds(20),
                Duration.ofSeconds(5)));
        assertThat(store.table()).isEqualTo("simplevisor_lease");
        assertThat(store.queryTimeoutSeconds()).as("half the renewal interval, in JDBC's whole seconds").isEqualTo(2);
    }

    @Test
    void aLeaseTimeAloneSetsTheOtherTwo() {
        JdbcLeaseStore store = JdbcLeaseStore.builder(h2.dataSource()).leaseTime(Duration.ofSeconds(9)).build();

        assertThat(store.timing()).isEqualTo(new LeaseTiming(Duration.ofSeconds(9), Duration.ofSeconds(6),
                Duration.ofMillis(1500)));
        assertThat(store.queryTimeoutSeconds()).as("JDBC's least").isEqualTo(1);
    }

    @Test
    void timesAreCheckedAsKubernetesLeaderElectionChecksThem() {
        assertThatThrownBy(() -> JdbcLeaseStore.builder(h2.dataSource()).leaseTime(Duration.ofSeconds(20))
                .renewDeadline(Duration.ofSeconds(20)).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseTime (PT20S) must be longer than renewDeadline (PT20S)");
        assertThatThrownBy(() -> JdbcLeaseStore.builder(h2.dataSource()).renewDeadline(Duration.ofSeconds(12))
                .renewInterval(Duration.ofSeconds(10)).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("renewDeadline (PT12S) must be longer than 1.2 × renewInterval (PT10S)");
        assertThatThrownBy(() -> JdbcLeaseStore.builder(h2.dataSource()).leaseTime(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("leaseTime must be positive, was PT0S");
        assertThatThrownBy(() -> JdbcLeaseStore.builder(h2.dataSource()).renewInterval(Duration.ofSeconds(-1))
                .build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("renewInterval must be positive, was PT-1S");
    }

    @Test
    void aTableNameIsAnSqlIdentifierAndNothingElse() {
        JdbcLeaseStore.builder(h2.dataSource()).table("app_schema.Leases_2");

        for (String bad : new String[] {"", "leases; DROP TABLE x", "\"quoted\"", "1leases", "a.b.c", "le ase"}) {
            assertThatThrownBy(() -> JdbcLeaseStore.builder(h2.dataSource()).table(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unquoted SQL identifier");
        }
    }

    @Test
    void anUnsupportedDatabaseFailsNamingTheProductAndTheTable() {
        JDBCDataSource hsqldb = new JDBCDataSource();
        hsqldb.setURL("jdbc:hsqldb:mem:unsupported");
        hsqldb.setUser("SA");
        hsqldb.setPassword("");
        JdbcLeaseStore store = JdbcLeaseStore.builder(hsqldb).build();

        assertThatThrownBy(store::prepare).isExactlyInstanceOf(LeaseStoreException.class)
                .hasMessageStartingWith("JdbcLeaseStore supports PostgreSQL, H2, MariaDB and MySQL; the lease table "
                        + "simplevisor_lease would be in HSQL Database Engine 2.7.4, which is not supported");
    }

    @Test
    void aClosedStoreRefusesWork() throws Exception {
        JdbcLeaseStore store = JdbcLeaseStore.builder(h2.dataSource()).build();
        store.prepare();
        store.close();

        assertThatThrownBy(() -> store.holders(java.util.List.of("x"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
