package org.simplevisor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.simplevisor.Lease;
import org.simplevisor.LeaseStoreException;

/** The lease store contract on a real MariaDB server (skipped, saying so, where MariaDB is not installed). */
class MariaDbLeaseStoreTest extends LeaseStoreContract {

    @Override
    TestDatabase startDatabase() throws Exception {
        return MariaDbDatabase.start();
    }

    @Override
    String columnsWithExpiryDigits(int digits) {
        return "lease_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY, holder "
                + "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, token BIGINT NOT NULL, expires_at "
                + "DATETIME(" + digits + ") NOT NULL";
    }

    /**
     * A table created by hand with a collation that ignores case (the server's default does), or before the names
     * were {@code utf8mb4_bin}, would make {@code /Shop/relay} and {@code /shop/relay} one lease: it is refused, and
     * the message says how to convert it; converted so, it is accepted and the two are two leases.
     */
    @Test
    void aTableWhoseNamesIgnoreCaseIsRefusedUntilConvertedAsTheMessageSays() throws Exception {
        String table = newTable();
        database.execute("CREATE TABLE " + table + " (lease_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE "
                + "utf8mb4_general_ci NOT NULL PRIMARY KEY, holder VARCHAR(255) CHARACTER SET utf8mb4 COLLATE "
                + "utf8mb4_bin NOT NULL, token BIGINT NOT NULL, expires_at DATETIME(6) NOT NULL)");
        JdbcLeaseStore store = JdbcLeaseStore.builder(database.dataSource()).table(table).build();
        String alter = "ALTER TABLE " + table + " MODIFY lease_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE "
                + "utf8mb4_bin NOT NULL, MODIFY holder VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL";

        assertThatThrownBy(store::prepare).isExactlyInstanceOf(LeaseStoreException.class)
                .hasMessageContaining("lease table " + table + " does not compare names exactly: column lease_name "
                        + "has collation utf8mb4_general_ci,")
                .hasMessageNotContaining("column holder").hasMessageEndingWith("convert it with: " + alter);

        database.execute(alter);
        JdbcLeaseStore converted = prepared(database.dataSource(), table, Duration.ofSeconds(30));
        assertThat(converted.tryAcquire("/Shop/relay", "node-a")).contains(new Lease("/Shop/relay", "node-a", 1));
        assertThat(converted.tryAcquire("/shop/relay", "node-b")).contains(new Lease("/shop/relay", "node-b", 1));
    }

    /** The server's default collation, on both name columns: both are named. */
    @Test
    void aTableCreatedWithTheServersDefaultCollationIsRefusedNamingBothColumns() {
        assertThatPreparing(newTable(), "lease_name VARCHAR(255) NOT NULL PRIMARY KEY, holder VARCHAR(255) NOT NULL, "
                + "token BIGINT NOT NULL, expires_at DATETIME(6) NOT NULL")
                .hasMessageContaining("column lease_name has collation ").hasMessageContaining(", column holder has "
                        + "collation ");
    }
}
