package org.simplevisor.cluster;

/** The lease store contract on a real MariaDB server (skipped, saying so, where MariaDB is not installed). */
class MariaDbLeaseStoreTest extends LeaseStoreContract {

    @Override
    TestDatabase startDatabase() throws Exception {
        return MariaDbDatabase.start();
    }
}
