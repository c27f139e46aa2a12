package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.simplevisor.Supervisor;

/**
 * Over a connector secured like an operator's Tomcat ({@code jmxremote.password} and {@code jmxremote.access}): a
 * read-only user can watch but not act, a read-write user can act.
 */
class JmxRemoteAuthenticationTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final JmxFixture fixture = new JmxFixture("jmx-auth");

    private final AtomicInteger runs = new AtomicInteger();
    private LoopbackJmxServer jmxServer;
    private Supervisor supervisor;
    private SupervisorJmx jmx;
    private ObjectName worker;

    @BeforeEach
    void start() throws Exception {
        Path passwords = ownerOnly(Files.writeString(dir.resolve("jmxremote.password"),
                "monitor monitor-secret\ncontrol control-secret\n"));
        Path access = ownerOnly(Files.writeString(dir.resolve("jmxremote.access"),
                "monitor readonly\ncontrol readwrite\n"));
        jmxServer = LoopbackJmxServer.startSecured(ManagementFactory.getPlatformMBeanServer(), passwords, access);
        supervisor = fixture.supervisor(Duration.ofSeconds(2));
        supervisor.register("worker", ctx -> {
            runs.incrementAndGet();
            ctx.awaitCancellation();
        });
        jmx = fixture.register(supervisor);
        supervisor.run();
        worker = jmx.processObjectName("worker");
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.isRunning("worker"));
        // RUNNING is set as the run is handed to its thread: the body may not have begun yet
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 1);
    }

    /** As the JDK's agent demands of a password file: readable by its owner only. */
    private static Path ownerOnly(Path file) throws IOException {
        return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterEach
    void stopConnectorServer() throws Exception {
        jmxServer.close();
    }

    @Test
    void aReadOnlyUserReadsAndSubscribesButMayNotRestart() throws Exception {
        try (JMXConnector monitor = jmxServer.connect("monitor", "monitor-secret");
             JMXConnector control = jmxServer.connect("control", "control-secret")) {
            MBeanServerConnection readOnly = monitor.getMBeanServerConnection();
            assertThat(readOnly.getAttribute(worker, "Status")).isEqualTo("RUNNING");
            assertThat(readOnly.getAttribute(jmx.supervisorObjectName(), "ProcessCount")).isEqualTo(1);
            NotificationRecorder recorder = new NotificationRecorder();
            readOnly.addNotificationListener(jmx.supervisorObjectName(), recorder, null, null);

            assertThatThrownBy(() -> readOnly.invoke(worker, "restart", null, null))
                    .isInstanceOf(SecurityException.class).hasMessageContaining("Access denied");
            ProcessMXBean proxy = JMX.newMXBeanProxy(readOnly, worker, ProcessMXBean.class);
            assertThatThrownBy(proxy::stop).isInstanceOf(SecurityException.class);
            assertThatThrownBy(() -> readOnly.invoke(jmx.supervisorObjectName(), "restartProcess",
                    new Object[] {"worker"}, new String[] {String.class.getName()}))
                    .isInstanceOf(SecurityException.class);
            assertThat(supervisor.snapshot("worker").totalStarts()).isEqualTo(1);
            assertThat(runs).hasValue(1);

            control.getMBeanServerConnection().invoke(worker, "restart", null, null);

            await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 2 && supervisor.isRunning("worker"));
            assertThat(readOnly.getAttribute(worker, "TotalStarts")).isEqualTo(2L);
            assertThat(recorder.await(SupervisorJmx.PROCESS_STARTED).getSource()).isEqualTo(worker);
            assertThat(recorder.await(SupervisorJmx.PROCESS_STOPPED).getMessage())
                    .isEqualTo("Process \"worker\" stopped (manual)");
        }
    }

    @Test
    void aReadWriteUserMayStopAndStart() throws Exception {
        try (JMXConnector control = jmxServer.connect("control", "control-secret")) {
            ProcessMXBean proxy = JMX.newMXBeanProxy(control.getMBeanServerConnection(), worker,
                    ProcessMXBean.class);

            proxy.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> "STOPPED".equals(proxy.getStatus()));
            proxy.start();
            await().atMost(Duration.ofSeconds(10)).until(proxy::isRunning);
            // RUNNING is set as the run is handed to its thread: the body may not have begun yet
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 2);

            assertThat(runs).hasValue(2);
        }
    }

    @Test
    void unknownUsersWrongPasswordsAndAnonymousClientsAreRefused() {
        assertThatThrownBy(() -> jmxServer.connect("monitor", "guess").close())
                .isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> jmxServer.connect("intruder", "x").close())
                .isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> jmxServer.connect().close()).isInstanceOf(SecurityException.class);
    }
}
