package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.simplevisor.ProcessContext;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.RefusingMBeanServer;

/**
 * The supervisor's MBeans in a server that refuses some of them: a registration that fails part-way, whatever the
 * server throws, leaves no MBean and no listener behind (so a second registration, a redeploy, works), and a close
 * whose server refuses to unregister one MBean still unregisters the others and ends the delivery threads.
 */
class JmxRefusedTest {

    private static final String DOMAIN = "test.refused";
    private static final String CONTEXT = "/app";

    private final RefusingMBeanServer servers = new RefusingMBeanServer();
    private final Supervisor supervisor = Supervisor.builder().name("jmx-refused")
            .shutdownTimeout(Duration.ofMillis(300)).build();

    @AfterEach
    void shutDown() {
        supervisor.shutdown();
    }

    /** Each MBean in turn (the supervisor's comes first, then the alerts', then the processes'), each refusal. */
    static Stream<Arguments> refusals() {
        return Stream.of("Supervisor", "Alerts", "Process").flatMap(type -> Stream.of(
                Arguments.of(type, new SecurityException("denied")),
                // an Error of the server's own: an MBean's Errors reach the caller wrapped in a RuntimeErrorException
                Arguments.of(type, new NoClassDefFoundError("a forwarder's class is gone"))));
    }

    @ParameterizedTest(name = "{0} refused with {1}")
    @MethodSource("refusals")
    void aRegistrationThatFailsPartWayLeavesNoMBeanBehind(String type, Throwable refusal) throws Exception {
        supervisor.register("first", ProcessContext::awaitCancellation);
        supervisor.register("second", ProcessContext::awaitCancellation);
        servers.refuseRegistrationOf(name -> name.getKeyProperty("type").equals(type)
                && !"first".equals(name.getKeyProperty("name")), () -> refusal);

        assertThatThrownBy(() -> SupervisorJmx.register(supervisor, servers.server(), DOMAIN, CONTEXT))
                .isSameAs(refusal);

        assertThat(mbeans()).as("left by the failed registration").isEmpty();
        RecordingListener events = new RecordingListener(); // called after any listener the registration left
        supervisor.addListener(events);
        supervisor.register("later", ProcessContext::awaitCancellation);
        events.await("later", SupervisorEvent.Type.REGISTERED);
        assertThat(mbeans()).as("made by a listener left behind").isEmpty();

        servers.registerAll();
        SupervisorJmx jmx = SupervisorJmx.register(supervisor, servers.server(), DOMAIN, CONTEXT);
        assertThat(mbeans()).containsExactlyInAnyOrder(jmx.supervisorObjectName(), jmx.alertsObjectName(),
                jmx.processObjectName("first"), jmx.processObjectName("second"), jmx.processObjectName("later"));
        jmx.close();
        assertThat(mbeans()).isEmpty();
    }

    @Test
    void closeUnregistersEveryMBeanTheServerDoesNotRefuseAndEndsItsThreads() throws Exception {
        supervisor.register("first", ProcessContext::awaitCancellation);
        supervisor.register("second", ProcessContext::awaitCancellation);
        SupervisorJmx jmx = SupervisorJmx.register(supervisor, servers.server(), DOMAIN, CONTEXT);
        List<Notification> received = new CopyOnWriteArrayList<>();
        servers.real().addNotificationListener(jmx.supervisorObjectName(),
                (notification, handback) -> received.add(notification), null, null);
        supervisor.run();
        await().atMost(Duration.ofSeconds(5)).until(() -> received.stream()
                .filter(n -> n.getType().equals(SupervisorJmx.PROCESS_STARTED)).count() == 2);
        assertThat(threads()).as("the delivery thread").isNotEmpty();
        servers.real().unregisterMBean(jmx.processObjectName("first")); // by someone else
        servers.refuseUnregistrationOf(jmx.processObjectName("second")::equals);

        assertThatCode(jmx::close).doesNotThrowAnyException();

        assertThat(mbeans()).containsExactly(jmx.processObjectName("second"));
        assertThat(threads()).isEmpty();
    }

    @Test
    void closeLeavesWhatAnotherPartyRegisteredUnderTheNamesOfMBeansSomeoneElseUnregistered() throws Exception {
        supervisor.register("first", ProcessContext::awaitCancellation);
        SupervisorJmx jmx = SupervisorJmx.register(supervisor, servers.server(), DOMAIN, CONTEXT);
        for (ObjectName name : List.of(jmx.supervisorObjectName(), jmx.processObjectName("first"))) {
            servers.real().unregisterMBean(name); // by someone else
            servers.real().registerMBean(new StandardMBean(() -> { }, Runnable.class), name); // another party's
        }

        jmx.close();

        assertThat(mbeans()).containsExactlyInAnyOrder(jmx.supervisorObjectName(), jmx.processObjectName("first"));
    }

    private Set<ObjectName> mbeans() throws Exception {
        return servers.real().queryNames(new ObjectName(DOMAIN + ":*"), null);
    }

    private List<String> threads() {
        String prefix = Supervisor.threadNamePrefix(supervisor.name()) + "-jmx";
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith(prefix)).toList();
    }
}
