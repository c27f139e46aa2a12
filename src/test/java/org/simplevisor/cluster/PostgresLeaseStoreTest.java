package org.simplevisor.cluster;

/** The lease store contract on a real PostgreSQL server. */
class PostgresLeaseStoreTest extends LeaseStoreContract {

    @Override
    TestDatabase startDatabase() throws Exception {
        return PostgresDatabase.start();
    }
}
