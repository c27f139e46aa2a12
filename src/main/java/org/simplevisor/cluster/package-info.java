/**
 * Cluster singletons on the application's own database: {@link org.simplevisor.cluster.JdbcLeaseStore}, the
 * {@link org.simplevisor.LeaseStore} of a table in PostgreSQL, H2, MariaDB or MySQL. Depends on the core and
 * {@code java.sql} only.
 *
 * <pre>{@code
 * Supervisor supervisor = Supervisor.builder()
 *         .leaseStore(JdbcLeaseStore.builder(dataSource).build())
 *         .build();
 * supervisor.register("outbox-relay", relay, ProcessOption.singleton());
 * }</pre>
 */
package org.simplevisor.cluster;
