package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.NoSuchElementException;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.JMX;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.RuntimeMBeanException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.ProcessStatus;
import org.simplevisor.Supervisor;

/**
 * A process's {@link ReflectiveMXBean} against the JDK's MXBean of the same view, side by side in the platform MBean
 * server: the same MBeanInfo, the same values, the same operations and the same exceptions to a client.
 */
class ReflectiveMXBeanTest {

    @RegisterExtension
    final JmxFixture fixture = new JmxFixture("reflective-mxbean");

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private Supervisor supervisor;
    private ObjectName reflective;
    private ObjectName standard;

    @BeforeEach
    void registerBoth() throws Exception {
        supervisor = fixture.supervisor(Duration.ofSeconds(2));
        supervisor.register("worker", ctx -> ctx.awaitCancellation());
        ObjectName[] names = register(new ProcessView(supervisor, "worker"), "worker");
        reflective = names[0];
        standard = names[1];
    }

    /** {@return the names of the two MBeans of the view: the reflective one, then the JDK's} */
    private ObjectName[] register(ProcessView view, String process) throws Exception {
        String names = SupervisorJmx.DEFAULT_DOMAIN + ":context=" + fixture.context() + ",type=Test,process="
                + process + ",name=";
        ObjectName[] both = {new ObjectName(names + "reflective"), new ObjectName(names + "standard")};
        server.registerMBean(new ReflectiveMXBean<>(view, view::forOneCall, ProcessMXBean.class,
                new ListenerSafeEmitter()), both[0]);
        server.registerMBean(new DescribedMBean<>(view, ProcessMXBean.class, new ListenerSafeEmitter()), both[1]);
        return both;
    }

    @AfterEach
    void unregisterBoth() throws Exception {
        server.unregisterMBean(reflective);
        server.unregisterMBean(standard);
    }

    @Test
    void showsWhatTheJdksMxBeanShows() throws Exception {
        assertThat(server.getMBeanInfo(reflective)).isEqualTo(server.getMBeanInfo(standard));
        assertThat(server.getObjectInstance(reflective).getClassName())
                .isEqualTo(server.getObjectInstance(standard).getClassName());
        assertThat(server.isInstanceOf(reflective, ProcessMXBean.class.getName())).isTrue();
        String[] attributes = Arrays.stream(server.getMBeanInfo(standard).getAttributes())
                .map(MBeanAttributeInfo::getName).toArray(String[]::new);
        assertThat(attributes).hasSizeGreaterThan(15).contains("Status", "Running", "LastStartTime");

        assertSameValues(attributes); // stopped: the uptime is 0 in both
        supervisor.run();
        awaitStatus(ProcessStatus.RUNNING);
        supervisor.stop("worker");
        awaitStatus(ProcessStatus.STOPPED);
        assertSameValues(attributes); // a start time, an exit reason
        assertThat(server.getAttribute(reflective, "LastExitReason")).isEqualTo("MANUAL");

        ProcessMXBean proxy = JMX.newMXBeanProxy(server, reflective, ProcessMXBean.class);
        assertThat(proxy.getName()).isEqualTo("worker");
        assertThat(proxy.isRunning()).isFalse();
        assertThat(proxy.getLastStartTime()).isEqualTo(server.getAttribute(standard, "LastStartTime"));
    }

    @Test
    void operationsAct() throws Exception {
        supervisor.run();
        awaitStatus(ProcessStatus.RUNNING);
        assertThat(server.invoke(reflective, "stop", null, null)).isNull();
        awaitStatus(ProcessStatus.STOPPED);
        server.invoke(reflective, "start", new Object[0], new String[0]);
        awaitStatus(ProcessStatus.RUNNING);
        assertThat(JMX.newMXBeanProxy(server, reflective, ProcessMXBean.class).getTotalStarts()).isEqualTo(2);
    }

    @Test
    void failsAsTheJdksMxBeanFails() throws Exception {
        for (ObjectName name : new ObjectName[] {reflective, standard}) {
            assertThatThrownBy(() -> server.getAttribute(name, "NoSuch"))
                    .as(name.toString()).isInstanceOf(AttributeNotFoundException.class);
            assertThatThrownBy(() -> server.setAttribute(name, new Attribute("Status", "RUNNING")))
                    .as(name.toString()).isInstanceOf(AttributeNotFoundException.class);
            assertThat(server.setAttributes(name, new AttributeList(Arrays.asList(new Attribute("Status", "x")))))
                    .as(name.toString()).isEmpty();
            assertThatThrownBy(() -> server.invoke(name, "noSuch", null, null))
                    .as(name.toString()).isInstanceOf(ReflectionException.class)
                    .hasCauseInstanceOf(NoSuchMethodException.class);
            assertThat(server.getAttributes(name, new String[] {"Name", "NoSuch"}).asList())
                    .as(name.toString()).containsExactly(new Attribute("Name", "worker"));
        }
        // a view of a process the supervisor does not know: its snapshot throws
        ObjectName[] ghosts = register(new ProcessView(supervisor, "ghost"), "ghost");
        try {
            for (ObjectName name : ghosts) {
                assertThatThrownBy(() -> server.getAttribute(name, "Status"))
                        .as(name.toString()).isInstanceOf(RuntimeMBeanException.class)
                        .hasCauseInstanceOf(NoSuchElementException.class);
                assertThatThrownBy(() -> server.invoke(name, "start", null, null))
                        .as(name.toString()).isInstanceOf(RuntimeMBeanException.class)
                        .hasCauseInstanceOf(NoSuchElementException.class);
            }
        } finally {
            for (ObjectName name : ghosts) {
                server.unregisterMBean(name);
            }
        }
    }

    @Test
    void refusesAnInterfaceWhoseValuesTheMxBeanMappingConverts() {
        SupervisorView view = new SupervisorView(supervisor, "executor");
        assertThatThrownBy(() -> new ReflectiveMXBean<>(view, view::forOneCall,
                SupervisorMXBean.class, new ListenerSafeEmitter()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SupervisorMXBean.class.getName() + ".");
    }

    private void awaitStatus(ProcessStatus status) {
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.status("worker") == status);
    }

    private void assertSameValues(String[] attributes) throws Exception {
        assertThat(server.getAttributes(reflective, attributes).asList())
                .isEqualTo(server.getAttributes(standard, attributes).asList());
    }
}
