package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.AttributeChangeNotification;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanFeatureInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.StandardMBean;
import javax.management.openmbean.ArrayType;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.OpenMBeanAttributeInfo;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.testing.RecordingListener;

/** The MBeans in the platform MBean server: names, attributes and their open types, descriptions, operations. */
class JmxMBeansTest {

    private static final String DOMAIN = SupervisorJmx.DEFAULT_DOMAIN;

    @RegisterExtension
    final JmxFixture fixture = new JmxFixture("jmx-mbeans");

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final String context = fixture.context();

    private Supervisor supervisor() {
        return fixture.supervisor(Duration.ofSeconds(2));
    }


    /** Registers the MBeans of two processes, "worker" and "helper", and checks that they share their MBeanInfo. */
    private SupervisorJmx workerAndHelperMBeans() throws Exception {
        Supervisor supervisor = supervisor();
        supervisor.register("worker", blocking(new AtomicInteger()));
        supervisor.register("helper", blocking(new AtomicInteger()));
        SupervisorJmx jmx = fixture.register(supervisor);
        // Built once and shared: thousands of process MBeans need not hold thousands of copies.
        assertThat(server.getMBeanInfo(process("helper"))).isSameAs(server.getMBeanInfo(process("worker")));
        return jmx;
    }

    /** {@return the name of the process's MBean, already taken by another MBean until the test ends} */
    private ObjectName takenBySomeoneElse(String process) throws Exception {
        ObjectName taken = process(process);
        server.registerMBean(new StandardMBean((Runnable) () -> { }, Runnable.class), taken);
        fixture.closeable(() -> server.unregisterMBean(taken));
        return taken;
    }

    private static SupervisedProcess blocking(AtomicInteger runs) {
        return ctx -> {
            runs.incrementAndGet();
            ctx.awaitCancellation();
        };
    }

    /** Fails with a checked exception on its first run, then runs until cancelled. */
    private static SupervisedProcess failingOnce() {
        AtomicInteger runs = new AtomicInteger();
        return ctx -> {
            if (runs.getAndIncrement() == 0) {
                throw new IOException("disk full");
            }
            ctx.awaitCancellation();
        };
    }

    private ObjectName process(String name) {
        return SupervisorJmx.processObjectName(DOMAIN, context, name);
    }

    private Object attribute(ObjectName name, String attribute) throws Exception {
        return server.getAttribute(name, attribute);
    }

    private void awaitAttribute(ObjectName name, String attribute, Object expected) {
        await().atMost(Duration.ofSeconds(10)).until(() -> expected.equals(attribute(name, attribute)));
    }

    @Test
    void registersTheSupervisorAndEachProcessUnderTheSpecNames() throws Exception {
        Supervisor supervisor = supervisor();
        supervisor.register("ticker", blocking(new AtomicInteger()));
        supervisor.register("import,export", blocking(new AtomicInteger()));

        SupervisorJmx jmx = fixture.register(supervisor);

        ObjectName supervisorName = new ObjectName("org.simplevisor:type=Supervisor,context=" + context);
        assertThat(jmx.supervisorObjectName()).isEqualTo(supervisorName);
        assertThat(jmx.context()).isEqualTo(context);
        assertThat(server.isRegistered(supervisorName)).isTrue();
        assertThat(server.isRegistered(
                new ObjectName("org.simplevisor:type=Process,context=" + context + ",name=ticker"))).isTrue();
        assertThat(server.isRegistered(new ObjectName(
                "org.simplevisor:type=Process,context=" + context + ",name=\"import,export\""))).isTrue();
        ObjectName alertsName = new ObjectName("org.simplevisor:type=Alerts,context=" + context);
        assertThat(jmx.alertsObjectName()).isEqualTo(alertsName);
        assertThat(server.isRegistered(alertsName)).isTrue();
        assertThat(server.queryNames(new ObjectName(DOMAIN + ":context=" + context + ",*"), null)).hasSize(4);
    }

    @Test
    void anExplicitDomainAndARootContextPath() throws Exception {
        Supervisor supervisor = supervisor();
        supervisor.register("ticker", blocking(new AtomicInteger()));
        String domain = "simplevisor.test." + context.replace('-', '_');

        try (SupervisorJmx jmx = SupervisorJmx.register(supervisor, server, domain, "/")) {
            assertThat(jmx.supervisorObjectName()).hasToString(domain + ":type=Supervisor,context=/");
            assertThat(server.isRegistered(new ObjectName(domain + ":type=Process,context=/,name=ticker"))).isTrue();
            assertThat(jmx.server()).isSameAs(server);
        }
        assertThat(server.queryNames(new ObjectName(domain + ":*"), null)).isEmpty();
    }

    @Test
    void processAttributesHaveOpenTypesAndTheSnapshotValues() throws Exception {
        Supervisor supervisor = supervisor();
        supervisor.register("worker", blocking(new AtomicInteger()),
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ofMillis(250)));
        supervisor.register("flaky", failingOnce(),
                ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        fixture.register(supervisor);
        Date beforeRun = new Date();
        supervisor.run();
        awaitAttribute(process("worker"), "Running", true);
        awaitAttribute(process("flaky"), "TotalStarts", 2L);
        awaitAttribute(process("flaky"), "Status", "RUNNING");

        Map<String, OpenType<?>> expectedTypes = Map.ofEntries(
                Map.entry("Name", SimpleType.STRING), Map.entry("Status", SimpleType.STRING),
                Map.entry("Group", SimpleType.STRING),
                Map.entry("RestartPolicy", SimpleType.STRING), Map.entry("RestartCount", SimpleType.INTEGER),
                Map.entry("MaxRestarts", SimpleType.INTEGER), Map.entry("RestartDelayMillis", SimpleType.LONG),
                Map.entry("TotalStarts", SimpleType.LONG), Map.entry("TotalRestarts", SimpleType.LONG),
                Map.entry("TotalFailures", SimpleType.LONG), Map.entry("TotalCrashes", SimpleType.LONG),
                Map.entry("LastExitReason", SimpleType.STRING), Map.entry("LastFailure", SimpleType.STRING),
                Map.entry("LastFailureTime", SimpleType.DATE), Map.entry("LastStartTime", SimpleType.DATE),
                Map.entry("UptimeMillis", SimpleType.LONG), Map.entry("Running", SimpleType.BOOLEAN),
                Map.entry("Singleton", SimpleType.BOOLEAN), Map.entry("LeaseHolder", SimpleType.STRING),
                Map.entry("FencingToken", SimpleType.LONG));
        MBeanInfo info = server.getMBeanInfo(process("worker"));
        assertThat(info.getAttributes()).extracting(MBeanAttributeInfo::getName)
                .containsExactlyInAnyOrderElementsOf(expectedTypes.keySet());
        for (MBeanAttributeInfo attribute : info.getAttributes()) {
            assertThat(attribute.getDescriptor().getFieldValue("openType")).as(attribute.getName())
                    .isEqualTo(expectedTypes.get(attribute.getName()));
            assertThat(attribute.isReadable()).isTrue();
            assertThat(attribute.isWritable()).isFalse();
        }

        ObjectName worker = process("worker");
        assertThat(attribute(worker, "Name")).isEqualTo("worker");
        assertThat(attribute(worker, "Status")).isEqualTo("RUNNING");
        assertThat(attribute(worker, "Group")).isNull();
        assertThat(attribute(worker, "RestartPolicy")).isEqualTo("ON_FAILURE");
        assertThat(attribute(worker, "RestartCount")).isEqualTo(0);
        assertThat(attribute(worker, "MaxRestarts")).isEqualTo(2);
        assertThat(attribute(worker, "RestartDelayMillis")).isEqualTo(250L);
        assertThat(attribute(worker, "TotalStarts")).isEqualTo(1L);
        assertThat(attribute(worker, "TotalRestarts")).isEqualTo(0L);
        assertThat(attribute(worker, "TotalFailures")).isEqualTo(0L);
        assertThat(attribute(worker, "TotalCrashes")).isEqualTo(0L);
        assertThat(attribute(worker, "LastExitReason")).isNull();
        assertThat(attribute(worker, "LastFailure")).isNull();
        assertThat(attribute(worker, "LastFailureTime")).isNull();
        assertThat((Date) attribute(worker, "LastStartTime")).isAfterOrEqualTo(truncated(beforeRun));
        assertThat((Long) attribute(worker, "UptimeMillis")).isGreaterThanOrEqualTo(0L);
        assertThat(attribute(worker, "Running")).isEqualTo(true);

        ObjectName flaky = process("flaky");
        assertThat(attribute(flaky, "RestartPolicy")).isEqualTo("ALWAYS");
        assertThat(attribute(flaky, "RestartCount")).isEqualTo(1);
        assertThat(attribute(flaky, "TotalRestarts")).isEqualTo(1L);
        assertThat(attribute(flaky, "TotalFailures")).isEqualTo(1L);
        assertThat(attribute(flaky, "TotalCrashes")).isEqualTo(0L);
        assertThat(attribute(flaky, "LastExitReason")).isEqualTo("FAILED");
        assertThat(attribute(flaky, "LastFailure")).isEqualTo("java.io.IOException: disk full");
        assertThat((Date) attribute(flaky, "LastFailureTime")).isAfterOrEqualTo(truncated(beforeRun));
        assertThat(attribute(flaky, "RestartDelayMillis")).isEqualTo(0L);
    }

    private static Date truncated(Date date) {
        return new Date(date.getTime() / 1000 * 1000); // the clock's instants and Date may round differently
    }

    @Test
    void supervisorAttributesAndTheProcessTable() throws Exception {
        Supervisor supervisor = supervisor();
        supervisor.register("worker", blocking(new AtomicInteger()));
        supervisor.register("flaky", failingOnce(), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3,
                Duration.ZERO));
        supervisor.register("done", ctx -> { });
        SupervisorJmx jmx = fixture.register(supervisor);
        ObjectName name = jmx.supervisorObjectName();
        assertThat(attribute(name, "Started")).isEqualTo(false);

        supervisor.run();
        awaitAttribute(process("flaky"), "TotalStarts", 2L);
        awaitAttribute(process("done"), "LastExitReason", "COMPLETED");
        await().atMost(Duration.ofSeconds(10)).until(() -> Integer.valueOf(2).equals(attribute(name, "RunningCount")));

        assertThat(attribute(name, "Name")).isEqualTo(context);
        assertThat(attribute(name, "Started")).isEqualTo(true);
        assertThat(attribute(name, "ProcessCount")).isEqualTo(3);
        assertThat((String[]) attribute(name, "ProcessNames")).containsExactly("worker", "flaky", "done");
        assertThat(attribute(name, "ShutdownTimeoutMillis")).isEqualTo(2000L);

        MBeanInfo info = server.getMBeanInfo(name);
        Map<String, MBeanAttributeInfo> attributes = byName(info.getAttributes());
        assertThat(attributes).containsOnlyKeys("Name", "Executor", "Started", "ProcessCount", "RunningCount",
                "ProcessNames", "Groups", "ShutdownTimeoutMillis", "NodeId", "Processes");
        assertThat(attribute(name, "Executor")).as("not described by this registration").isEqualTo("");
        assertThat(attributes.get("ProcessNames").getDescriptor().getFieldValue("openType"))
                .isEqualTo(ArrayType.getArrayType(SimpleType.STRING));
        assertThat(attributes.get("ShutdownTimeoutMillis").getDescriptor().getFieldValue("openType"))
                .isEqualTo(SimpleType.LONG);
        OpenMBeanAttributeInfo table = (OpenMBeanAttributeInfo) attributes.get("Processes");
        assertThat(table.getOpenType()).isEqualTo(SupervisorView.TABLE_TYPE);
        assertThat(table.getDescription()).contains("indexed by name");

        TabularData processes = (TabularData) attribute(name, "Processes");
        assertThat(processes.getTabularType().getIndexNames()).containsExactly("name");
        assertThat(processes.size()).isEqualTo(3);
        CompositeData flaky = processes.get(new Object[] {"flaky"});
        assertThat(flaky.get("status")).isEqualTo("RUNNING");
        assertThat(flaky.get("running")).isEqualTo(true);
        assertThat(flaky.get("restartCount")).isEqualTo(1);
        assertThat(flaky.get("maxRestarts")).isEqualTo(3);
        assertThat(flaky.get("restartPolicy")).isEqualTo("ON_FAILURE");
        assertThat(flaky.get("totalFailures")).isEqualTo(1L);
        assertThat(flaky.get("lastFailure")).isEqualTo("java.io.IOException: disk full");
        assertThat(flaky.get("lastFailureTime")).isInstanceOf(Date.class);
        CompositeData done = processes.get(new Object[] {"done"});
        assertThat(done.get("status")).isEqualTo("STOPPED");
        assertThat(done.get("running")).isEqualTo(false);
        assertThat(done.get("lastExitReason")).isEqualTo("COMPLETED");

        assertThat(server.getAttributes(name, new String[] {"ProcessCount", "Processes", "NoSuchThing"}).asList())
                .extracting(a -> a.getName()).containsExactly("ProcessCount", "Processes");
    }

    @Test
    void theMBeansTheirAttributesOperationsAndParametersAreDescribed() throws Exception {
        SupervisorJmx jmx = workerAndHelperMBeans();
        for (ObjectName name : List.of(jmx.supervisorObjectName(), process("worker"))) {
            MBeanInfo info = server.getMBeanInfo(name);
            assertThat(info.getDescription()).as(name.toString()).isNotBlank()
                    .doesNotContain("Information on the management interface");
            for (MBeanAttributeInfo attribute : info.getAttributes()) {
                assertThat(attribute.getDescription()).as(attribute.getName()).isNotBlank()
                        .isNotEqualTo(attribute.getName());
            }
            assertThat(info.getOperations()).isNotEmpty();
            for (MBeanOperationInfo operation : info.getOperations()) {
                assertThat(operation.getDescription()).as(operation.getName()).isNotBlank()
                        .isNotEqualTo(operation.getName());
                assertThat(operation.getImpact()).as(operation.getName()).isEqualTo(MBeanOperationInfo.ACTION);
                for (MBeanParameterInfo parameter : operation.getSignature()) {
                    String named = operation.getName().equals("restartGroup") ? "group" : "process";
                    assertThat(parameter.getName()).isEqualTo(named);
                    assertThat(parameter.getType()).isEqualTo(String.class.getName());
                    assertThat(parameter.getDescription()).as(operation.getName() + "(" + named + ")")
                            .startsWith("The name of the " + named);
                }
            }
        }
        assertThat(byName(server.getMBeanInfo(process("worker")).getAttributes()).get("MaxRestarts")
                .getDescription()).contains("unlimited");
        assertThat(byName(server.getMBeanInfo(process("worker")).getOperations()).keySet())
                .containsExactlyInAnyOrder("start", "stop", "restart", "resetRestartCount");
        assertThat(byName(server.getMBeanInfo(jmx.supervisorObjectName()).getOperations()).keySet())
                .containsExactlyInAnyOrder("startProcess", "stopProcess", "restartProcess", "restartGroup",
                        "resetRestartCount");
    }

    @Test
    void everyNotificationTypeIsDeclaredOnBothMBeans() throws Exception {
        SupervisorJmx jmx = workerAndHelperMBeans();
        List<String> processTypes = List.of(SupervisorJmx.PROCESS_STARTED, SupervisorJmx.PROCESS_STOPPED,
                SupervisorJmx.PROCESS_FAILED, SupervisorJmx.PROCESS_RESTARTING,
                SupervisorJmx.PROCESS_RESTART_LIMIT_EXCEEDED, SupervisorJmx.PROCESS_HUNG,
                SupervisorJmx.PROCESS_LEASE_ACQUIRED, SupervisorJmx.PROCESS_LEASE_LOST,
                SupervisorJmx.PROCESS_SHUTDOWN_TIMEOUT, AttributeChangeNotification.ATTRIBUTE_CHANGE);
        for (ObjectName name : List.of(jmx.supervisorObjectName(), process("worker"))) {
            MBeanNotificationInfo[] notifications = server.getMBeanInfo(name).getNotifications();
            List<String> expected = new java.util.ArrayList<>(processTypes);
            if (name.equals(jmx.supervisorObjectName())) {
                expected.add(SupervisorJmx.GROUP_RESTARTING); // the supervisor MBean's own
            }
            assertThat(Arrays.stream(notifications).flatMap(n -> Arrays.stream(n.getNotifTypes())))
                    .containsExactlyInAnyOrderElementsOf(expected);
            for (MBeanNotificationInfo notification : notifications) {
                assertThat(notification.getDescription()).isNotBlank();
                assertThat(notification.getDescriptor().getFieldValue("severity")).isNotNull();
            }
            assertThat(Arrays.stream(notifications)
                    .filter(n -> n.getNotifTypes()[0].equals(AttributeChangeNotification.ATTRIBUTE_CHANGE))
                    .map(MBeanNotificationInfo::getName))
                    .containsExactly(AttributeChangeNotification.class.getName());
        }
    }

    @Test
    void processOperationsStopStartAndRestartTheRun() throws Exception {
        Supervisor supervisor = supervisor();
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("worker", blocking(runs));
        fixture.register(supervisor);
        supervisor.run();
        ObjectName worker = process("worker");
        awaitAttribute(worker, "Running", true);

        server.invoke(worker, "restart", null, null);
        awaitAttribute(worker, "TotalStarts", 2L);
        awaitAttribute(worker, "Running", true);
        // a start is counted and RUNNING set as the run is handed to its thread: the body may not have begun yet
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 2);
        assertThat(runs).hasValue(2);
        assertThat(attribute(worker, "LastExitReason")).isEqualTo("MANUAL");

        server.invoke(worker, "stop", null, null);
        awaitAttribute(worker, "Status", "STOPPED");
        assertThat(attribute(worker, "Running")).isEqualTo(false);
        assertThat(attribute(worker, "UptimeMillis")).isEqualTo(0L);

        server.invoke(worker, "start", null, null);
        awaitAttribute(worker, "Running", true);
        assertThat(attribute(worker, "TotalStarts")).isEqualTo(3L);
        // a start is counted and RUNNING set as the run is handed to its thread: the body may not have begun yet
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 3);
        assertThat(runs).hasValue(3);
    }

    @Test
    void resetRestartCountSetsTheCountToZero() throws Exception {
        Supervisor supervisor = supervisor();
        supervisor.register("flaky", failingOnce(), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3,
                Duration.ZERO));
        supervisor.register("other", failingOnce(), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3,
                Duration.ZERO));
        SupervisorJmx jmx = fixture.register(supervisor);
        supervisor.run();
        awaitAttribute(process("flaky"), "TotalStarts", 2L);
        awaitAttribute(process("other"), "TotalStarts", 2L);
        assertThat(attribute(process("flaky"), "RestartCount")).isEqualTo(1);

        server.invoke(process("flaky"), "resetRestartCount", null, null);
        server.invoke(jmx.supervisorObjectName(), "resetRestartCount", new Object[] {"other"},
                new String[] {String.class.getName()});

        assertThat(attribute(process("flaky"), "RestartCount")).isEqualTo(0);
        assertThat(attribute(process("other"), "RestartCount")).isEqualTo(0);
        assertThat(attribute(process("flaky"), "TotalRestarts")).isEqualTo(1L);
    }

    @Test
    void supervisorOperationsActOnTheNamedProcess() throws Exception {
        Supervisor supervisor = supervisor();
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("worker", blocking(runs));
        SupervisorJmx jmx = fixture.register(supervisor);
        supervisor.run();
        ObjectName worker = process("worker");
        ObjectName name = jmx.supervisorObjectName();
        String[] signature = {String.class.getName()};
        awaitAttribute(worker, "Running", true);

        server.invoke(name, "restartProcess", new Object[] {"worker"}, signature);
        awaitAttribute(worker, "TotalStarts", 2L);
        server.invoke(name, "stopProcess", new Object[] {"worker"}, signature);
        awaitAttribute(worker, "Status", "STOPPED");
        server.invoke(name, "startProcess", new Object[] {"worker"}, signature);
        awaitAttribute(worker, "TotalStarts", 3L);
        awaitAttribute(worker, "Running", true);

        assertThatThrownBy(() -> server.invoke(name, "restartProcess", new Object[] {"nope"}, signature))
                .isInstanceOf(RuntimeMBeanException.class)
                .extracting(e -> ((RuntimeMBeanException) e).getTargetException())
                .isInstanceOf(NoSuchElementException.class)
                .extracting(Throwable::getMessage).isEqualTo("process \"nope\" not found");
    }

    @Test
    void startBeforeTheSupervisorRunsFailsWithTheCoresMessage() throws Exception {
        Supervisor supervisor = supervisor();
        supervisor.register("worker", blocking(new AtomicInteger()));
        fixture.register(supervisor);

        assertThatThrownBy(() -> server.invoke(process("worker"), "start", null, null))
                .isInstanceOf(RuntimeMBeanException.class)
                .extracting(e -> ((RuntimeMBeanException) e).getTargetException())
                .isInstanceOf(IllegalStateException.class)
                .extracting(Throwable::getMessage).asString().contains("is not running");
    }

    @Test
    void processesRegisteredLaterGetTheirMBean() throws Exception {
        Supervisor supervisor = supervisor();
        fixture.register(supervisor);
        supervisor.register("early", blocking(new AtomicInteger()));
        supervisor.run();
        supervisor.register("late", blocking(new AtomicInteger()));

        await().atMost(Duration.ofSeconds(10)).until(() -> server.isRegistered(process("early"))
                && server.isRegistered(process("late")));
        awaitAttribute(process("late"), "Running", true);
        assertThat((String[]) attribute(SupervisorJmx.supervisorObjectName(DOMAIN, context), "ProcessNames"))
                .containsExactly("early", "late");
    }

    @Test
    void processesRegisteredWhileTheMBeansAreRegisteredGetExactlyOneEach() throws Exception {
        Supervisor supervisor = supervisor();
        int count = 100;
        CountDownLatch go = new CountDownLatch(1);
        Thread registrar = new Thread(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < count; i++) {
                supervisor.register("p" + i, blocking(new AtomicInteger()));
            }
        });
        registrar.start();

        go.countDown();
        fixture.register(supervisor);
        registrar.join();

        await().atMost(Duration.ofSeconds(10)).until(() -> server.queryNames(
                new ObjectName(DOMAIN + ":type=Process,context=" + context + ",*"), null).size() == count);
        supervisor.run();
        awaitAttribute(SupervisorJmx.supervisorObjectName(DOMAIN, context), "RunningCount", count);
        for (int i = 0; i < count; i++) {
            assertThat(attribute(process("p" + i), "Running")).isEqualTo(true);
        }
    }

    @Test
    void aProcessRegisteredLaterWhoseNameIsTakenIsStillRelayedByTheSupervisor() throws Exception {
        ObjectName taken = takenBySomeoneElse("late");
        Supervisor supervisor = supervisor();
        SupervisorJmx jmx = fixture.register(supervisor);
        NotificationRecorder recorder = new NotificationRecorder();
        server.addNotificationListener(jmx.supervisorObjectName(), recorder, null, null);
        supervisor.run();

        supervisor.register("late", blocking(new AtomicInteger()));

        assertThat(recorder.await(SupervisorJmx.PROCESS_STARTED).getSource()).isEqualTo(taken);
        jmx.close();
        assertThat(server.isRegistered(taken)).isTrue(); // not ours: left alone
    }

    @Test
    void shutdownUnregistersEveryMBeanBeforeItReturns() throws Exception {
        Supervisor supervisor = supervisor();
        supervisor.register("worker", blocking(new AtomicInteger()));
        SupervisorJmx jmx = fixture.register(supervisor);
        supervisor.run();
        supervisor.register("late", blocking(new AtomicInteger()));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.isRegistered(process("late")));

        supervisor.shutdown();

        assertThat(server.queryNames(new ObjectName(DOMAIN + ":context=" + context + ",*"), null)).isEmpty();
        assertThat(jmx.isClosed()).isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .doesNotContain("simplevisor-" + context + "-jmx");
    }

    @Test
    void closeUnregistersEverythingOnceAndTheSupervisorRunsOn() throws Exception {
        Supervisor supervisor = supervisor();
        RecordingListener events = new RecordingListener();
        supervisor.register("worker", blocking(new AtomicInteger()));
        SupervisorJmx jmx = fixture.register(supervisor);
        supervisor.addListener(events);
        supervisor.run();
        awaitAttribute(process("worker"), "Running", true);

        jmx.close();
        jmx.close();

        assertThat(jmx.isClosed()).isTrue();
        assertThat(server.queryNames(new ObjectName(DOMAIN + ":context=" + context + ",*"), null)).isEmpty();
        assertThat(supervisor.isRunning("worker")).isTrue();
        supervisor.register("after", blocking(new AtomicInteger()));
        events.await("after", SupervisorEvent.Type.STARTED);
        assertThat(server.isRegistered(process("after"))).isFalse();
    }

    @Test
    void aSupervisorNameAlreadyTakenFailsNamingItAndLeavesTheFirstAlone() throws Exception {
        Supervisor first = supervisor();
        first.register("worker", blocking(new AtomicInteger()));
        fixture.register(first);
        Supervisor second = supervisor();
        second.register("other", blocking(new AtomicInteger()));

        assertThatThrownBy(() -> SupervisorJmx.register(second))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("org.simplevisor:type=Supervisor,context=" + context)
                .hasMessageContaining("already registered");

        assertThat(server.isRegistered(SupervisorJmx.supervisorObjectName(DOMAIN, context))).isTrue();
        assertThat(server.isRegistered(process("worker"))).isTrue();
        assertThat(server.isRegistered(process("other"))).isFalse();
    }

    @Test
    void aProcessNameAlreadyTakenFailsNamingItAndRegistersNothing() throws Exception {
        ObjectName taken = takenBySomeoneElse("worker");
        Supervisor supervisor = supervisor();
        supervisor.register("first", blocking(new AtomicInteger()));
        supervisor.register("worker", blocking(new AtomicInteger()));

        assertThatThrownBy(() -> SupervisorJmx.register(supervisor))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("JMX name " + taken + " is already registered");

        assertThat(server.queryNames(new ObjectName(DOMAIN + ":context=" + context + ",*"), null))
                .containsExactly(taken);
    }

    @Test
    void aDomainTheServerRefusesFailsWithItsReasonAndRegistersNothing() {
        Supervisor supervisor = supervisor();
        supervisor.register("worker", blocking(new AtomicInteger()));

        // The MBean server's own domain: valid as a name, but the server throws a RuntimeOperationsException
        // without a message for any MBean there.
        assertThatThrownBy(() -> SupervisorJmx.register(supervisor, server, "JMImplementation", context))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot register JMImplementation:type=Supervisor")
                .hasMessageContaining(": java.lang.IllegalArgumentException: ");
        assertThat(server.queryNames(null, null)).noneMatch(n -> n.getKeyProperty("context") != null);
    }

    @Test
    void aTerminatedSupervisorCannotBeRegistered() {
        Supervisor supervisor = supervisor();
        supervisor.shutdown();

        assertThatThrownBy(() -> SupervisorJmx.register(supervisor))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("has terminated");
    }

    private static <T extends MBeanFeatureInfo> Map<String, T> byName(T[] features) {
        Map<String, T> map = new LinkedHashMap<>();
        for (T feature : features) {
            map.put(feature.getName(), feature);
        }
        return map;
    }
}
