package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ServletContextEvent;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.spi.InitialContextFactory;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;

/**
 * A start that fails in its last step, the supervisor's run (a lease table it cannot use), must undo everything done
 * so far (SupervisorContextListener's Javadoc), the context attribute included.
 */
class FailedStartTest {

    static final Map<String, Object> BOUND = new ConcurrentHashMap<>();

    /** JNDI for the test: what BOUND holds, by full name. */
    public static class Jndi implements InitialContextFactory {
        @Override
        public Context getInitialContext(Hashtable<?, ?> environment) {
            return (Context) Proxy.newProxyInstance(Jndi.class.getClassLoader(), new Class<?>[] {Context.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("lookup") && args[0] instanceof String name) {
                            Object found = BOUND.get(name);
                            if (found == null) {
                                throw new NameNotFoundException(name);
                            }
                            return found;
                        }
                        return null; // close() and the like
                    });
        }
    }

    public static class Relay implements SupervisedProcess {
        @Override
        public void run(ProcessContext ctx) throws InterruptedException {
            ctx.awaitCancellation();
        }
    }

    private String previousFactory;

    @BeforeEach
    void bindJndi() {
        previousFactory = System.getProperty(Context.INITIAL_CONTEXT_FACTORY);
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Jndi.class.getName());
    }

    @AfterEach
    void unbindJndi() {
        BOUND.clear();
        if (previousFactory == null) {
            System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
        } else {
            System.setProperty(Context.INITIAL_CONTEXT_FACTORY, previousFactory);
        }
    }

    @Test
    void aRunThatFailsLeavesNoSupervisorAttributeBehind() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:failed-start;DB_CLOSE_DELAY=-1");
        try (Connection connection = h2.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE simplevisor_lease (lease_name VARCHAR(255) PRIMARY KEY)"); // lacks columns
        }
        BOUND.put("java:comp/env/jdbc/leases", h2);
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("simplevisor.cluster.datasource", "jdbc/leases");
        parameters.put("simplevisor.process.relay.class", Relay.class.getName());
        parameters.put("simplevisor.process.relay.singleton", "true");
        FakeServletContext fake = FakeServletContext.create("/failed-start", parameters);
        new SupervisorInitializer().onStartup(Set.of(), fake.context());
        SupervisorContextListener listener = (SupervisorContextListener) fake.listeners.get(0);

        assertThatThrownBy(() -> listener.contextInitialized(new ServletContextEvent(fake.context())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("lacks column(s)");

        assertThat(SupervisorContextListenerTest.mbeans("org.simplevisor", "/failed-start")).isEmpty();
        assertThat(SupervisorContextListenerTest.threads("simplevisor-failed-start")).isEmpty();
        assertThat(fake.attributes).as("context attributes after the failed start").isEmpty();
    }
}
