package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.jmx.NotificationRecorder.userData;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.Test;
import org.simplevisor.GroupStrategy;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.testing.FirstRunFails;

/**
 * Process groups over JMX: the process attribute {@code Group}, the supervisor's {@code Groups} and its operation
 * {@code restartGroup}, and the supervisor MBean's notification {@value SupervisorJmx#GROUP_RESTARTING}.
 */
class JmxGroupTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aGroupRestartIsNotifiedByTheSupervisorMBeanAndAnOperatorCanRestartTheGroup() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        try (Supervisor supervisor = Supervisor.builder().name("jmx-groups")
                .group("pipeline", GroupStrategy.ONE_FOR_ALL).group("idle", GroupStrategy.REST_FOR_ONE).build();
                SupervisorJmx jmx = SupervisorJmx.register(supervisor, server, "test", "/shop")) {
            CountDownLatch processorRuns = new CountDownLatch(1);
            supervisor.register("reader", new FirstRunFails(processorRuns, () -> new IOException("feed closed")),
                    ProcessOption.inGroup("pipeline"), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3,
                    Duration.ofMillis(50)));
            supervisor.register("processor", ctx -> {
                processorRuns.countDown();
                ctx.awaitCancellation();
            }, ProcessOption.inGroup("pipeline"), ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
            supervisor.register("alone", ProcessContext::awaitCancellation);
            ObjectName supervisorName = jmx.supervisorObjectName();
            NotificationRecorder recorder = new NotificationRecorder();
            server.addNotificationListener(supervisorName, recorder, null, null);
            supervisor.run();

            Notification restarting = recorder.await(SupervisorJmx.GROUP_RESTARTING);
            assertThat(restarting.getSource()).isEqualTo(supervisorName);
            assertThat(restarting.getSequenceNumber()).isEqualTo(1);
            assertThat(restarting.getMessage()).isEqualTo(
                    "Group \"pipeline\" is restarting in 50 ms because \"reader\" failed: reader, processor");
            CompositeData data = userData(restarting);
            assertThat(data.get("group")).isEqualTo("pipeline");
            assertThat(data.get("supervisor")).isEqualTo("jmx-groups");
            assertThat(data.get("context")).isEqualTo("/shop");
            assertThat(data.get("trigger")).isEqualTo("reader");
            assertThat(data.get("reason")).isEqualTo("failed");
            assertThat((String[]) data.get("members")).containsExactly("reader", "processor");
            assertThat(data.get("delayMillis")).isEqualTo(50L);
            ObjectName processorName = jmx.processObjectName("processor");
            Notification processorStopped = recorder.awaitCount(n -> n.getType().equals(SupervisorJmx.PROCESS_STOPPED)
                    && processorName.equals(n.getSource()), 1).get(0);
            assertThat(userData(processorStopped).get("reason")).isEqualTo("group");
            Notification processorRestarting = recorder.awaitCount(n -> n.getType()
                    .equals(SupervisorJmx.PROCESS_RESTARTING)
                    && jmx.processObjectName("processor").equals(n.getSource()), 1).get(0);
            assertThat(processorRestarting.getMessage()).as("not counted toward its restart limit")
                    .isEqualTo("Process \"processor\" will restart with its group \"pipeline\"");
            await().atMost(WAIT).until(() -> supervisor.snapshot("processor").totalStarts() == 2
                    && supervisor.isRunning("processor") && supervisor.isRunning("reader"));
            List<Notification> processorStarts = recorder.awaitCount(n -> n.getType()
                    .equals(SupervisorJmx.PROCESS_STARTED) && processorName.equals(n.getSource()), 2);
            assertThat(processorStarts.get(1).getMessage()).as("its own restart count is left as it is")
                    .isEqualTo("Process \"processor\" restarted with its group \"pipeline\"");
            Notification readerRestarted = recorder.awaitCount(n -> n.getType().equals(SupervisorJmx.PROCESS_STARTED)
                    && jmx.processObjectName("reader").equals(n.getSource()), 2).get(1);
            assertThat(readerRestarted.getMessage()).as("the trigger's restart counts")
                    .isEqualTo("Process \"reader\" restarted (restart 1 of 3)");

            ObjectName processor = jmx.processObjectName("processor");
            assertThat(server.getAttribute(processor, "Group")).isEqualTo("pipeline");
            assertThat(server.getAttribute(jmx.processObjectName("alone"), "Group")).isNull();
            TabularData groups = (TabularData) server.getAttribute(supervisorName, "Groups");
            assertThat(groups.get(new Object[] {"pipeline"}).get("value")).isEqualTo("ONE_FOR_ALL");
            assertThat(groups.get(new Object[] {"idle"}).get("value")).isEqualTo("REST_FOR_ONE");
            TabularData table = (TabularData) server.getAttribute(supervisorName, "Processes");
            assertThat(table.get(new Object[] {"reader"}).get("group")).isEqualTo("pipeline");

            server.invoke(supervisorName, "restartGroup", new Object[] {"pipeline"},
                    new String[] {String.class.getName()});
            List<Notification> restarts = recorder.awaitCount(
                    n -> n.getType().equals(SupervisorJmx.GROUP_RESTARTING), 2);
            Notification byOperator = restarts.get(1);
            assertThat(byOperator.getSequenceNumber()).isEqualTo(2);
            assertThat(userData(byOperator).get("trigger")).isNull();
            assertThat(userData(byOperator).get("reason")).isNull();
            assertThat(byOperator.getMessage())
                    .isEqualTo("Group \"pipeline\" is restarting at an operator's request: reader, processor");
            await().atMost(WAIT).until(() -> supervisor.snapshot("processor").totalStarts() == 3
                    && supervisor.isRunning("processor"));
            assertThat(supervisor.snapshot("alone").totalStarts()).isEqualTo(1);
        }
    }
}
