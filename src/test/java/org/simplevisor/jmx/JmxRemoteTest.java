package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.jmx.NotificationRecorder.userData;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.management.JMX;
import javax.management.MBeanInfo;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnectionNotification;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.testing.RecordingListener;

/** What an operator's JConsole or monitoring sees over a real RMI connector on 127.0.0.1. */
class JmxRemoteTest {

    private static LoopbackJmxServer jmxServer;

    @RegisterExtension
    final JmxFixture fixture = new JmxFixture("jmx-remote");

    private final String context = fixture.context();
    private final List<String> connectionEvents = new CopyOnWriteArrayList<>();
    private JMXConnector client;
    private MBeanServerConnection connection;

    @BeforeAll
    static void startConnectorServer() throws Exception {
        jmxServer = LoopbackJmxServer.start(ManagementFactory.getPlatformMBeanServer());
    }

    @AfterAll
    static void stopConnectorServer() throws Exception {
        jmxServer.close();
    }

    @BeforeEach
    void connect() throws Exception {
        client = jmxServer.connect();
        client.addConnectionNotificationListener((n, handback) -> connectionEvents.add(n.getType()), null, null);
        connection = client.getMBeanServerConnection();
    }

    @AfterEach
    void disconnect() throws Exception {
        client.close();
    }

    private Supervisor supervisor() {
        return fixture.supervisor(Duration.ofSeconds(2));
    }


    private NotificationRecorder subscribe(ObjectName name) throws Exception {
        return NotificationRecorder.subscribe(connection, name);
    }

    @Test
    void aSubscriberToTheSupervisorReceivesTheRestartLimitAlertOfACrashLoopingProcess() throws Exception {
        Supervisor supervisor = supervisor();
        SupervisorJmx jmx = fixture.register(supervisor);
        supervisor.run();
        NotificationRecorder recorder = subscribe(jmx.supervisorObjectName());

        supervisor.register("crashy", ctx -> {
            throw new IllegalStateException("boom");
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 2, Duration.ZERO));

        Notification alert = recorder.await(SupervisorJmx.PROCESS_RESTART_LIMIT_EXCEEDED);
        assertThat(alert.getSource()).isEqualTo(jmx.processObjectName("crashy"));
        assertThat(alert.getMessage()).isEqualTo("Process \"crashy\" (context \"" + context + "\") exceeded its"
                + " restart limit after 2 restarts (maxRestarts 2) and is now FAILED; last run crashed:"
                + " java.lang.IllegalStateException: boom");
        CompositeData data = userData(alert);
        assertThat(data.getCompositeType().getTypeName()).isEqualTo("org.simplevisor.jmx.ProcessEvent");
        assertThat(data.get("process")).isEqualTo("crashy");
        assertThat(data.get("context")).isEqualTo(context);
        NotificationRecorder.assertRestartLimitExceededByACrash(alert, 2);

        assertThat(recorder.typesFrom(jmx.processObjectName("crashy")).stream()
                .filter(t -> t.equals(SupervisorJmx.PROCESS_FAILED)).count()).isEqualTo(3);
        assertThat(connection.getAttribute(jmx.processObjectName("crashy"), "Status")).isEqualTo("FAILED");
        assertThat(connection.getAttribute(jmx.processObjectName("crashy"), "TotalCrashes")).isEqualTo(3L);
    }

    @Test
    void noSequenceNumberIsMissingOverMoreThanAThousandNotifications() throws Exception {
        int failingRuns = 300;
        AtomicInteger runs = new AtomicInteger();
        Supervisor supervisor = supervisor();
        supervisor.register("looper", ctx -> {
            if (runs.incrementAndGet() <= failingRuns) {
                throw new IllegalStateException("run " + runs.get());
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO)); // unlimited, at once
        SupervisorJmx jmx = fixture.register(supervisor);
        RecordingListener events = new RecordingListener();
        supervisor.addListener(events);
        ObjectName looper = jmx.processObjectName("looper");
        NotificationRecorder fromSupervisor = subscribe(jmx.supervisorObjectName());
        NotificationRecorder fromProcess = subscribe(looper);

        supervisor.run();
        events.awaitCount("looper", SupervisorEvent.Type.STARTED, failingRuns + 1);
        long expected = JmxNotificationsTest.expectedNotifications(events, "looper");
        assertThat(expected).isGreaterThan(1000);

        for (NotificationRecorder recorder : List.of(fromSupervisor, fromProcess)) {
            List<Notification> received = recorder.awaitCount(n -> looper.equals(n.getSource()), (int) expected);
            assertThat(received.stream().map(Notification::getSequenceNumber).collect(Collectors.toList()))
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, expected).boxed()
                            .collect(Collectors.toList()));
        }
        assertThat(connectionEvents).doesNotContain(JMXConnectionNotification.NOTIFS_LOST);
    }

    @Test
    void aRemoteRestartStartsANewRun() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Supervisor supervisor = supervisor();
        supervisor.register("worker", ctx -> {
            runs.incrementAndGet();
            ctx.awaitCancellation();
        });
        SupervisorJmx jmx = fixture.register(supervisor);
        supervisor.run();
        ProcessMXBean worker = JMX.newMXBeanProxy(connection, jmx.processObjectName("worker"), ProcessMXBean.class);
        SupervisorMXBean proxy = JMX.newMXBeanProxy(connection, jmx.supervisorObjectName(), SupervisorMXBean.class);
        await().atMost(Duration.ofSeconds(10)).until(worker::isRunning);
        NotificationRecorder recorder = subscribe(jmx.processObjectName("worker"));

        worker.restart();

        await().atMost(Duration.ofSeconds(10)).until(() -> worker.getTotalStarts() == 2 && worker.isRunning());
        // a start is counted and RUNNING set as the run is handed to its thread: the body may not have begun yet
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 2);
        assertThat(runs).hasValue(2);
        assertThat(worker.getLastExitReason()).isEqualTo("MANUAL");
        assertThat(recorder.await(SupervisorJmx.PROCESS_STARTED).getSequenceNumber())
                .isGreaterThan(recorder.await(SupervisorJmx.PROCESS_STOPPED).getSequenceNumber());

        proxy.restartProcess("worker");
        await().atMost(Duration.ofSeconds(10)).until(() -> worker.getTotalStarts() == 3 && worker.isRunning());
        // a start is counted and RUNNING set as the run is handed to its thread: the body may not have begun yet
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 3);
        assertThat(runs).hasValue(3);
        assertThat(proxy.getProcessNames()).containsExactly("worker");
        assertThat(proxy.getRunningCount()).isEqualTo(1);
        TabularData table = (TabularData) connection.getAttribute(jmx.supervisorObjectName(), "Processes");
        assertThat(table.get(new Object[] {"worker"}).get("totalStarts")).isEqualTo(3L);

        MBeanInfo info = connection.getMBeanInfo(jmx.processObjectName("worker"));
        assertThat(info.getDescription()).startsWith("A process run and restarted by a simplevisor supervisor");
    }
}
