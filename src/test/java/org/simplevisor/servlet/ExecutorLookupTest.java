package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.enterprise.concurrent.ManagedExecutorService;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import javax.naming.NameNotFoundException;
import javax.naming.NoInitialContextException;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.simplevisor.LeaseStore;
import org.simplevisor.LeaseTiming;
import org.simplevisor.cluster.JdbcLeaseStore;

/** JNDI look-ups of the container's executor and of the lease store's DataSource. */
class ExecutorLookupTest {

    private static final ManagedExecutorService EXECUTOR = (ManagedExecutorService) Proxy.newProxyInstance(
            ExecutorLookupTest.class.getClassLoader(), new Class<?>[] {ManagedExecutorService.class},
            (proxy, method, args) -> null);

    private final List<String> looked = new ArrayList<>();

    private ExecutorLookup.Jndi jndi(Map<String, Object> bound) {
        return name -> {
            looked.add(name);
            if (!bound.containsKey(name)) {
                throw new NameNotFoundException("Name [" + name + "] is not bound in this Context");
            }
            return bound.get(name);
        };
    }

    @Test
    void aConfiguredNameWithoutSchemeIsLookedUpInTheEnvironment() {
        assertThat(ExecutorLookup.find("concurrent/Work", jndi(Map.of("java:comp/env/concurrent/Work", EXECUTOR))))
                .isSameAs(EXECUTOR);
        assertThat(ExecutorLookup.find("java:app/Work", jndi(Map.of("java:app/Work", EXECUTOR)))).isSameAs(EXECUTOR);
        assertThat(looked).containsExactly("java:comp/env/concurrent/Work", "java:app/Work");
    }

    @Test
    void aConfiguredNameThatIsNotBoundFailsNamingTheParameter() {
        assertThatThrownBy(() -> ExecutorLookup.find("concurrent/Missing", jndi(Map.of())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("Invalid simplevisor configuration: context parameter simplevisor.executor = "
                        + "\"concurrent/Missing\": nothing is bound under java:comp/env/concurrent/Missing")
                .hasCauseInstanceOf(NameNotFoundException.class);
    }

    @Test
    void aConfiguredNameBoundToSomethingElseFails() {
        assertThatThrownBy(() -> ExecutorLookup.find("java:comp/env/plain",
                jndi(Map.of("java:comp/env/plain", Executors.newSingleThreadExecutor()))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("simplevisor.executor = \"java:comp/env/plain\": java:comp/env/plain is a ")
                .hasMessageEndingWith(", not a jakarta.enterprise.concurrent.ManagedExecutorService");
    }

    @Test
    void withoutConfigurationTheDefaultExecutorIsUsedWhenBound() {
        assertThat(ExecutorLookup.find(null, jndi(Map.of(ExecutorLookup.DEFAULT_EXECUTOR, EXECUTOR))))
                .isSameAs(EXECUTOR);
    }

    @Test
    void withoutConfigurationOrDefaultThereIsNone() {
        assertThat(ExecutorLookup.find(null, jndi(Map.of()))).isNull();
        assertThat(ExecutorLookup.find(null, name -> {
            throw new NoInitialContextException("no JNDI");
        })).isNull();
        assertThat(ExecutorLookup.find(null, jndi(Map.of(ExecutorLookup.DEFAULT_EXECUTOR, "not an executor"))))
                .isNull();
    }

    @Test
    void theLeaseStoreIsBuiltOnTheDataSourceBoundUnderTheConfiguredName() {
        JdbcDataSource dataSource = new JdbcDataSource();
        ServletConfiguration.Cluster cluster = new ServletConfiguration.Cluster("jdbc/leases", "app_leases",
                Duration.ofSeconds(9), null);

        LeaseStore store = LeaseStoreLookup.find(cluster,
                jndi(Map.of("java:comp/env/jdbc/leases", dataSource)));

        assertThat(store).isInstanceOf(JdbcLeaseStore.class);
        assertThat(((JdbcLeaseStore) store).table()).isEqualTo("app_leases");
        assertThat(store.timing()).isEqualTo(LeaseTiming.of(Duration.ofSeconds(9)));
        assertThat(LeaseStoreLookup.find(new ServletConfiguration.Cluster(null, "t", Duration.ofSeconds(9),
                null), jndi(Map.of()))).isNull();
    }

    @Test
    void aDataSourceNameThatDoesNotResolveFailsTheDeploymentNamingTheParameter() {
        ServletConfiguration.Cluster cluster = new ServletConfiguration.Cluster("jdbc/missing", "t",
                Duration.ofSeconds(9), null);

        assertThatThrownBy(() -> LeaseStoreLookup.find(cluster, jndi(Map.of())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("context parameter simplevisor.cluster.datasource = \"jdbc/missing\": nothing is "
                        + "bound under java:comp/env/jdbc/missing");
        assertThatThrownBy(() -> LeaseStoreLookup.find(cluster, jndi(Map.of("java:comp/env/jdbc/missing", "text"))))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("java:comp/env/jdbc/missing is a java.lang.String, not a javax.sql.DataSource");
    }
}
