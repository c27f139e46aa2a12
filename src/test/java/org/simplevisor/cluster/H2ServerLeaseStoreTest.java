package org.simplevisor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.simplevisor.Lease;
import org.simplevisor.LeaseStoreUnavailableException;

/** The lease store contract on H2's TCP server, and a server that stops and comes back under a holder. */
class H2ServerLeaseStoreTest extends LeaseStoreContract {

    @Override
    TestDatabase startDatabase() throws Exception {
        return H2Database.startServer();
    }

    @Test
    void aStoppedServerIsUnavailableAndTheLeaseOutlivesItsRestart() throws Exception {
        H2Database server = (H2Database) database;
        JdbcLeaseStore store = prepared(server.dataSource(), newTable(), Duration.ofSeconds(30));
        Lease lease = store.tryAcquire("app/relay", "node-a").orElseThrow();

        server.stop();
        try {
            assertThatThrownBy(() -> store.renew(List.of(lease))).isInstanceOf(LeaseStoreUnavailableException.class);
            assertThatThrownBy(() -> store.holders(List.of("app/relay")))
                    .isInstanceOf(LeaseStoreUnavailableException.class);
        } finally {
            server.restart();
        }

        assertThat(store.renew(List.of(lease))).containsExactly(lease);
        assertThat(store.tryAcquire("app/relay", "node-b")).isEmpty();
    }
}
