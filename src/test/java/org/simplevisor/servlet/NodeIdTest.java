package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.simplevisor.LeaseStore;
import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;

/** simplevisor.cluster.node-id: a value the lease store would refuse as a lease holder fails the deployment. */
class NodeIdTest {

    public static class Relay implements SupervisedProcess {
        @Override
        public void run(ProcessContext ctx) {
        }
    }

    @Test
    void aNodeIdTheLeaseStoreRefusesFailsTheDeploymentNamingTheParameter() throws Exception {
        String nodeId = "node-" + "x".repeat(LeaseStore.MAX_NAME_LENGTH);
        Map<String, String> parameters = Map.of(
                "simplevisor.cluster.datasource", "jdbc/leases",
                "simplevisor.cluster.node-id", nodeId,
                "simplevisor.process.relay.class", Relay.class.getName(),
                "simplevisor.process.relay.singleton", "true");

        // The lease store the listener builds refuses this node id as the holder of any lease: the singleton would
        // wait in STANDBY for ever on this node, every acquisition failing.
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:node-id;DB_CLOSE_DELAY=-1");
        ServletConfiguration.Cluster cluster = new ServletConfiguration.Cluster("jdbc/leases", "simplevisor_lease",
                java.time.Duration.ofSeconds(30), nodeId);
        LeaseStore store = LeaseStoreLookup.find(cluster, name -> h2);
        store.prepare();
        assertThatThrownBy(() -> store.tryAcquire("relay-lease", nodeId))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("owner must have 1 to 255");

        // README: invalid configuration fails the deployment at start, naming the parameter and the value.
        assertThatThrownBy(() -> ServletConfiguration.read(parameters, List.of(),
                NodeIdTest.class.getClassLoader()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("simplevisor.cluster.node-id");
    }
}
