package org.simplevisor.cluster;

/** The lease store contract on H2 embedded in this JVM. */
class H2EmbeddedLeaseStoreTest extends LeaseStoreContract {

    @Override
    TestDatabase startDatabase() {
        return H2Database.embedded();
    }
}
