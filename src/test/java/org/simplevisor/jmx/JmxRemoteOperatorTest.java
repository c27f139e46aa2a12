package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.GroupStrategy;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.testing.DeafProcess;

/**
 * What a remote client with only the JDK on its class path sees through a real connector: values, infos, failures
 * and notifications of JDK classes only, descriptions that name every value, alerts delivered before unregistration.
 */
class JmxRemoteOperatorTest {

    private static LoopbackJmxServer jmxServer;

    @RegisterExtension
    final JmxFixture fixture = new JmxFixture("jmx-remote-operator");

    @BeforeAll
    static void start() throws Exception {
        jmxServer = LoopbackJmxServer.start(ManagementFactory.getPlatformMBeanServer());
    }

    @AfterAll
    static void stop() throws Exception {
        jmxServer.close();
    }

    /** The classes of everything serialized in the object's graph that are not the JDK's. */
    static Set<String> nonJdkClasses(Object value) throws IOException {
        Set<String> found = new TreeSet<>();
        try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream()) {
            @Override
            protected void annotateClass(Class<?> cl) {
                Class<?> c = cl;
                while (c.isArray()) {
                    c = c.getComponentType();
                }
                String name = c.getName();
                if (c.isPrimitive()) {
                    return;
                }
                if (!name.startsWith("java.") && !name.startsWith("javax.")) {
                    found.add(name);
                }
            }
        }) {
            out.writeObject(value);
        }
        return found;
    }

    static Object outcome(ThrowingSupplier call) {
        try {
            return call.get();
        } catch (Throwable t) {
            return t;
        }
    }

    interface ThrowingSupplier {
        Object get() throws Exception;
    }

    @Test
    void everyValueInfoAndFailureARemoteClientReceivesIsOfJdkClasses() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Supervisor supervisor = Supervisor.builder().name(fixture.context()).shutdownTimeout(Duration.ofSeconds(3))
                .group("pipeline", GroupStrategy.ONE_FOR_ALL).build();
        fixture.closeable(supervisor);
        supervisor.register("worker", ProcessContext::awaitCancellation, ProcessOption.inGroup("pipeline"));
        supervisor.register("stubborn", DeafProcess.until(release));
        supervisor.register("crashy", ctx -> {
            throw new IllegalStateException("boom");
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 1, Duration.ZERO));
        SupervisorJmx jmx = fixture.register(supervisor);
        supervisor.run();
        try (JMXConnector client = jmxServer.connect()) {
            MBeanServerConnection c = client.getMBeanServerConnection();
            NotificationRecorder rec = NotificationRecorder.subscribe(c, jmx.supervisorObjectName());
            NotificationRecorder alerts = NotificationRecorder.subscribe(c, jmx.alertsObjectName());
            await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(
                    c.getAttribute(jmx.processObjectName("crashy"), "Status")));
            List<ObjectName> names = new ArrayList<>(List.of(jmx.supervisorObjectName(), jmx.alertsObjectName(),
                    jmx.processObjectName("worker"), jmx.processObjectName("crashy")));
            for (ObjectName n : names) {
                MBeanInfo info = c.getMBeanInfo(n);
                assertThat(nonJdkClasses(info)).as("MBeanInfo of %s", n).isEmpty();
                List<String> attrs = new ArrayList<>();
                for (MBeanAttributeInfo a : info.getAttributes()) {
                    attrs.add(a.getName());
                    Object v = outcome(() -> c.getAttribute(n, a.getName()));
                    assertThat(nonJdkClasses(v)).as("%s of %s", a.getName(), n).isEmpty();
                    assertThat(v instanceof Throwable).as("%s of %s: %s", a.getName(), n, v).isFalse();
                    System.out.println("  ATTR " + a.getName() + " = " + v + " " + a.getType() + " "
                            + (v == null ? "" : v.getClass().getName()) + " " + nonJdkClasses(v));
                }
                attrs.add("Nope");
                AttributeList list = c.getAttributes(n, attrs.toArray(new String[0]));
                assertThat(list.size()).isEqualTo(attrs.size() - 1);
                System.out.println("  GETATTRS " + list.size() + "/" + attrs.size());
            }
            String[] sig = {String.class.getName()};
            ObjectName s = jmx.supervisorObjectName();
            for (Object[] op : new Object[][] {{"restartGroup", "nope"}, {"restartGroup", null},
                    {"startProcess", "nope"}, {"restartProcess", null}, {"stopProcess", "nope"},
                    {"resetRestartCount", "nope"}}) {
                Object r = outcome(() -> c.invoke(s, (String) op[0], new Object[] {op[1]}, sig));
                assertThat(nonJdkClasses(r)).isEmpty();
                assertThat(r).isInstanceOf(javax.management.RuntimeMBeanException.class);
                System.out.println("OP " + op[0] + "(" + op[1] + ") -> " + r + " "
                        + (r == null ? "" : nonJdkClasses(r)));
            }
            Thread shutdown = new Thread(supervisor::shutdown);
            shutdown.start();
            await().until(() -> !supervisor.isStarted());
            for (String op : new String[] {"start", "stop", "restart", "resetRestartCount"}) {
                Object r = outcome(() -> c.invoke(jmx.processObjectName("crashy"), op, null, null));
                if (r != null) {
                    assertThat(nonJdkClasses(r)).isEmpty();
                }
                System.out.println("STOPPING OP " + op + " -> " + r + " " + (r == null ? "" : nonJdkClasses(r)));
            }
            for (Object[] op : new Object[][] {{"restartGroup", "pipeline"}, {"startProcess", "worker"},
                    {"restartProcess", "worker"}}) {
                Object r = outcome(() -> c.invoke(s, (String) op[0], new Object[] {op[1]}, sig));
                assertThat(nonJdkClasses(r)).isEmpty();
                System.out.println("STOPPING OP " + op[0] + "(" + op[1] + ") -> " + r + " "
                        + (r == null ? "" : nonJdkClasses(r)));
            }
            for (ObjectName n : names) {
                for (MBeanAttributeInfo a : c.getMBeanInfo(n).getAttributes()) {
                    Object v = outcome(() -> c.getAttribute(n, a.getName()));
                    if (v instanceof Throwable || !nonJdkClasses(v).isEmpty()) {
                        System.out.println("  STOPPING ATTR " + n + " " + a.getName() + " = " + v);
                    }
                }
            }
            release.countDown();
            shutdown.join();
            for (var notif : rec.all()) {
                Set<String> bad = nonJdkClasses(notif);
                assertThat(bad).as("classes of %s", notif).isEmpty();
            }
            System.out.println("NOTIFS " + rec.all().size() + " alerts " + alerts.all().size());
            alerts.all().forEach(a -> System.out.println("ALERT " + a.getSequenceNumber() + " " + a.getMessage()));
        }
    }

    @Test
    void theProcessesTableDescribesTheValuesItHolds() throws Exception {
        Supervisor supervisor = Supervisor.builder().name(fixture.context()).shutdownTimeout(Duration.ofSeconds(3))
                .group("pipeline", GroupStrategy.ONE_FOR_ALL).build();
        fixture.closeable(supervisor);
        supervisor.register("reader", ProcessContext::awaitCancellation, ProcessOption.inGroup("pipeline"));
        SupervisorJmx jmx = fixture.register(supervisor);
        supervisor.run();
        try (JMXConnector client = jmxServer.connect()) {
            MBeanServerConnection c = client.getMBeanServerConnection();
            ObjectName s = jmx.supervisorObjectName();
            await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.isRunning("reader"));
            c.invoke(s, "restartGroup", new Object[] {"pipeline"}, new String[] {String.class.getName()});
            await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.snapshot("reader").totalStarts() == 2);

            javax.management.openmbean.TabularData table =
                    (javax.management.openmbean.TabularData) c.getAttribute(s, "Processes");
            Object reason = table.get(new Object[] {"reader"}).get("lastExitReason");
            assertThat(reason).isEqualTo("GROUP");
            javax.management.openmbean.OpenMBeanAttributeInfo processes = java.util.Arrays
                    .stream(c.getMBeanInfo(s).getAttributes()).filter(a -> a.getName().equals("Processes"))
                    .map(javax.management.openmbean.OpenMBeanAttributeInfo.class::cast).findFirst().orElseThrow();
            javax.management.openmbean.CompositeType row =
                    ((javax.management.openmbean.TabularType) processes.getOpenType()).getRowType();
            org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
            soft.assertThat(row.getDescription("lastExitReason"))
                    .as("the Processes table's description of lastExitReason, which holds %s", reason)
                    .contains((String) reason, "LEASE_LOST");
            soft.assertThat(row.getDescription("status"))
                    .as("the Processes table's description of status (a singleton waiting for its lease: STANDBY)")
                    .contains("STANDBY");
            soft.assertAll();
        }
    }

    @Test
    void aRemoteSubscriberToTheAlertsGetsTheShutdownTimeoutAlert() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Supervisor supervisor = Supervisor.builder().name(fixture.context()).shutdownTimeout(Duration.ofMillis(200))
                .build();
        supervisor.register("stubborn", DeafProcess.until(release));
        SupervisorJmx jmx = fixture.register(supervisor);
        try (JMXConnector client = jmxServer.connect()) {
            MBeanServerConnection c = client.getMBeanServerConnection();
            NotificationRecorder alerts = NotificationRecorder.subscribe(c, jmx.alertsObjectName());
            NotificationRecorder all = NotificationRecorder.subscribe(c, jmx.supervisorObjectName());
            supervisor.run();
            await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.isRunning("stubborn"));
            supervisor.shutdown();
            try {
                javax.management.Notification alert = alerts.await(SupervisorJmx.PROCESS_SHUTDOWN_TIMEOUT);
                assertThat(alert.getSequenceNumber()).isEqualTo(1);
                assertThat(nonJdkClasses(alert)).isEmpty();
                all.await(SupervisorJmx.PROCESS_SHUTDOWN_TIMEOUT);
                for (javax.management.Notification n : all.all()) {
                    assertThat(nonJdkClasses(n)).isEmpty();
                }
                System.out.println("ALL " + all.all().stream().map(n -> n.getSequenceNumber() + " " + n.getType())
                        .collect(java.util.stream.Collectors.toList()));
            } finally {
                release.countDown();
            }
        }
    }
}
