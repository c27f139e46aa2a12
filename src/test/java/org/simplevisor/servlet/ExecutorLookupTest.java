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
import org.apache.logging.log4j.Level;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.simplevisor.LeaseStore;
import org.simplevisor.LeaseTiming;
import org.simplevisor.cluster.JdbcLeaseStore;
import org.simplevisor.testing.CapturedLogs;

/** JNDI look-ups of the container's executor and of the lease store's DataSource. */
class ExecutorLookupTest {

    private static final ManagedExecutorService EXECUTOR = executor();
    private static final ManagedExecutorService SERVERS = executor();

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
                .usingRecursiveComparison()
                .isEqualTo(new ExecutorLookup.Found(EXECUTOR, "java:comp/env/concurrent/Work"));
        assertThat(ExecutorLookup.find("java:app/Work", jndi(Map.of("java:app/Work", EXECUTOR))))
                .usingRecursiveComparison().isEqualTo(new ExecutorLookup.Found(EXECUTOR, "java:app/Work"));
        assertThat(looked).startsWith("java:comp/env/concurrent/Work").contains("java:app/Work");
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
                .usingRecursiveComparison()
                .isEqualTo(new ExecutorLookup.Found(EXECUTOR, ExecutorLookup.DEFAULT_EXECUTOR));
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

    /** A resource-env-ref without lookup-name, as a full Jakarta EE server binds it: to the default executor. */
    @Test
    void aReferenceBoundToTheDefaultExecutorInsteadOfTheServersOwnIsReportedNamingBoth() {
        try (CapturedLogs logs = CapturedLogs.attach()) {
            ExecutorLookup.Found found = ExecutorLookup.find("concurrent/Batch", jndi(Map.of(
                    "java:comp/env/concurrent/Batch", EXECUTOR, ExecutorLookup.DEFAULT_EXECUTOR, EXECUTOR,
                    "concurrent/Batch", SERVERS)));
            assertThat(found).usingRecursiveComparison()
                    .isEqualTo(new ExecutorLookup.Found(EXECUTOR, "java:comp/env/concurrent/Batch"));
            assertThat(logs.at(Level.WARN)).singleElement().extracting(CapturedLogs.Line::message).asString()
                    .contains("simplevisor.executor = \"concurrent/Batch\"")
                    .contains("java:comp/env/concurrent/Batch is the container's default executor "
                            + ExecutorLookup.DEFAULT_EXECUTOR + ", not the server's executor concurrent/Batch")
                    .endsWith("Add <lookup-name>concurrent/Batch</lookup-name> to its resource-env-ref");
        }
    }

    @Test
    void aReferenceBoundToTheDefaultExecutorIsReported() {
        try (CapturedLogs logs = CapturedLogs.attach()) {
            ExecutorLookup.find("concurrent/Batch", jndi(Map.of(
                    "java:comp/env/concurrent/Batch", EXECUTOR, ExecutorLookup.DEFAULT_EXECUTOR, EXECUTOR)));
            assertThat(logs.at(Level.WARN)).singleElement().extracting(CapturedLogs.Line::message).asString()
                    .contains("java:comp/env/concurrent/Batch is the container's default executor "
                            + ExecutorLookup.DEFAULT_EXECUTOR + "; if another was meant");
        }
    }

    @Test
    void aReferenceBoundToAnotherExecutorThanTheServersOfItsNameIsReported() {
        try (CapturedLogs logs = CapturedLogs.attach()) {
            ExecutorLookup.find("concurrent/Batch", jndi(Map.of(
                    "java:comp/env/concurrent/Batch", EXECUTOR, "concurrent/Batch", SERVERS)));
            assertThat(logs.at(Level.WARN)).singleElement().extracting(CapturedLogs.Line::message).asString()
                    .contains("java:comp/env/concurrent/Batch is not the server's executor concurrent/Batch");
        }
    }

    @Test
    void aReferenceBoundToTheServersExecutorOfItsNameOrTheDefaultNamedAsSuchIsNotReported() {
        try (CapturedLogs logs = CapturedLogs.attach()) {
            ExecutorLookup.find("concurrent/Batch", jndi(Map.of("java:comp/env/concurrent/Batch", SERVERS,
                    "concurrent/Batch", SERVERS, ExecutorLookup.DEFAULT_EXECUTOR, EXECUTOR)));
            ExecutorLookup.find(ExecutorLookup.DEFAULT_EXECUTOR, jndi(Map.of(ExecutorLookup.DEFAULT_EXECUTOR,
                    EXECUTOR)));
            assertThat(logs.at(Level.WARN)).isEmpty();
        }
    }

    private static ManagedExecutorService executor() {
        return (ManagedExecutorService) Proxy.newProxyInstance(ExecutorLookupTest.class.getClassLoader(),
                new Class<?>[] {ManagedExecutorService.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> null;
                });
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
