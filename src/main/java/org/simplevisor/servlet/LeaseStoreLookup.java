package org.simplevisor.servlet;

import javax.sql.DataSource;
import org.simplevisor.LeaseStore;
import org.simplevisor.cluster.JdbcLeaseStore;

/** Builds the lease store of a web application's singletons on the {@code DataSource} it names. */
final class LeaseStoreLookup {

    private LeaseStoreLookup() {
    }

    /**
     * @param cluster the {@code simplevisor.cluster.*} parameters
     * @param jndi    the look-up
     * @return a lease store on the configured {@code DataSource}, or {@code null} when none is configured
     * @throws ConfigurationException naming {@code simplevisor.cluster.datasource} and its value if no
     *                                {@code DataSource} is bound under that name
     */
    static LeaseStore find(ServletConfiguration.Cluster cluster, ExecutorLookup.Jndi jndi) {
        if (cluster.dataSource == null) {
            return null;
        }
        DataSource dataSource = ExecutorLookup.bound(ServletConfiguration.CLUSTER_DATASOURCE, cluster.dataSource,
                DataSource.class, jndi);
        return JdbcLeaseStore.builder(dataSource).table(cluster.table).leaseTime(cluster.leaseTime).build();
    }
}
