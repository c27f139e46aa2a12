package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.simplevisor.Supervisor;

/**
 * The JMX set-up of a test: a JMX context of its own (so that tests never see one another's MBeans in the platform
 * MBean server), supervisors named after it, their registrations, and after the test the release of all of it in
 * reverse order, followed by the check that no MBean of the context is left.
 *
 * <pre>{@code
 * @RegisterExtension
 * final JmxFixture fixture = new JmxFixture("jmx-mbeans");
 * }</pre>
 */
final class JmxFixture implements AfterEachCallback {

    private static final AtomicInteger CONTEXTS = new AtomicInteger();

    private final String context;
    private final List<AutoCloseable> cleanup = new CopyOnWriteArrayList<>();

    /** @param prefix the start of the context, naming the test class */
    JmxFixture(String prefix) {
        context = prefix + "-" + CONTEXTS.incrementAndGet();
    }

    /** {@return this test's JMX context, unique in the JVM} */
    String context() {
        return context;
    }

    /**
     * {@return a supervisor named after the context (its JMX context outside a container), shut down after the
     * test}
     */
    Supervisor supervisor(Duration shutdownTimeout) {
        return closeable(Supervisor.builder().name(context).shutdownTimeout(shutdownTimeout).build());
    }

    /** {@return the supervisor's registration in the platform MBean server, closed after the test} */
    SupervisorJmx register(Supervisor supervisor) {
        return closeable(SupervisorJmx.register(supervisor));
    }

    /** {@return the resource, closed after the test, before those given earlier} */
    <C extends AutoCloseable> C closeable(C resource) {
        cleanup.add(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext extensionContext) throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
        assertThat(ManagementFactory.getPlatformMBeanServer()
                .queryNames(new ObjectName(SupervisorJmx.DEFAULT_DOMAIN + ":context=" + context + ",*"), null))
                .as("MBeans left in context %s", context).isEmpty();
    }
}
