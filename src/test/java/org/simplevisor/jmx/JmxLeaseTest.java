package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.jmx.NotificationRecorder.userData;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.LeaseTiming;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.Supervisor;
import org.simplevisor.testing.ClockLeaseStore;

/**
 * A singleton over JMX on two nodes of one lease store, each with an MBean server of its own (as two JVMs): the
 * lease attributes, the node id, and the lease notifications as the lease moves.
 */
class JmxLeaseTest {

    private final ClockLeaseStore rows = new ClockLeaseStore(Clock.systemUTC(), LeaseTiming.of(Duration.ofSeconds(3)));
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    /** One node: its supervisor, its MBean server, its process MBean's name and a recorder of its notifications. */
    private final class Node {
        final Supervisor supervisor;
        final MBeanServer server = MBeanServerFactory.newMBeanServer();
        final ObjectName relay = SupervisorJmx.processObjectName(SupervisorJmx.DEFAULT_DOMAIN, "app", "relay");
        final ObjectName alerts = SupervisorJmx.alertsObjectName(SupervisorJmx.DEFAULT_DOMAIN, "app");
        final NotificationRecorder notifications = new NotificationRecorder();

        Node(String id) throws Exception {
            supervisor = Supervisor.builder().name("app").nodeId(id).leaseStore(rows.connect()).build();
            supervisor.register("relay", ProcessContext::awaitCancellation, ProcessOption.singleton());
            supervisor.register("plain", ProcessContext::awaitCancellation);
            cleanup.add(supervisor);
            cleanup.add(SupervisorJmx.register(supervisor, server, SupervisorJmx.DEFAULT_DOMAIN, "app"));
            server.addNotificationListener(relay, notifications, null, null);
        }

        Object attribute(String name) throws Exception {
            return server.getAttribute(relay, name);
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    void theHolderAndTheStandbyShowTheLeaseAndTheNotificationsFollowItsMove() throws Exception {
        Node a = new Node("node-a");
        Node b = new Node("node-b");
        a.supervisor.run();
        await().until(() -> "RUNNING".equals(a.attribute("Status")));
        b.supervisor.run();
        await().until(() -> "STANDBY".equals(b.attribute("Status")) && "node-a".equals(b.attribute("LeaseHolder")));

        assertThat(a.attribute("Singleton")).isEqualTo(true);
        assertThat(a.attribute("LeaseHolder")).isEqualTo("node-a");
        assertThat(a.attribute("FencingToken")).isEqualTo(1L);
        assertThat(b.attribute("FencingToken")).isEqualTo(0L);
        ObjectName plain = SupervisorJmx.processObjectName(SupervisorJmx.DEFAULT_DOMAIN, "app", "plain");
        assertThat(a.server.getAttribute(plain, "Singleton")).isEqualTo(false);
        assertThat(a.server.getAttribute(plain, "LeaseHolder")).isEqualTo("");
        ObjectName supervisor = SupervisorJmx.supervisorObjectName(SupervisorJmx.DEFAULT_DOMAIN, "app");
        assertThat(b.server.getAttribute(supervisor, "NodeId")).isEqualTo("node-b");
        Notification acquired = a.notifications.await(SupervisorJmx.PROCESS_LEASE_ACQUIRED);
        assertThat(acquired.getMessage()).isEqualTo("Process \"relay\" acquired its lease on node \"node-a\" "
                + "(fencing token 1)");
        assertThat(userData(acquired).get("reason")).isEqualTo("acquired");
        assertThat(userData(acquired).get("fencingToken")).isEqualTo(1L);

        a.supervisor.stop("relay");

        CompositeData released = userData(a.notifications.await(SupervisorJmx.PROCESS_LEASE_LOST));
        assertThat(released.get("reason")).isEqualTo("released");
        assertThat(released.get("fencingToken")).isEqualTo(0L);
        CompositeData moved = userData(b.notifications.await(SupervisorJmx.PROCESS_LEASE_ACQUIRED));
        assertThat(moved.get("fencingToken")).isEqualTo(2L);
        assertThat(moved.get("leaseHolder")).isEqualTo("node-b");
        await().until(() -> "RUNNING".equals(b.attribute("Status")));
        assertThat(a.attribute("Status")).isEqualTo("STOPPED");
        assertThat(a.notifications.typesFrom(a.relay)).containsSubsequence(SupervisorJmx.PROCESS_LEASE_ACQUIRED,
                SupervisorJmx.PROCESS_STARTED, SupervisorJmx.PROCESS_STOPPED, SupervisorJmx.PROCESS_LEASE_LOST);
        assertThat(a.server.getAttribute(a.alerts, "AlertCount")).as("a lease given back is no alert").isEqualTo(0L);
    }

    @Test
    void aLeaseTheHolderLosesWithoutGivingItBackIsAnAlert() throws Exception {
        Node a = new Node("node-a");
        NotificationRecorder alerts = new NotificationRecorder();
        a.server.addNotificationListener(a.alerts, alerts, null, null);
        a.supervisor.run();
        await().until(() -> "RUNNING".equals(a.attribute("Status")));

        rows.takeOver("app/relay", "node-x"); // as if the lease had expired and another node taken it

        Notification alert = alerts.await(SupervisorJmx.PROCESS_LEASE_LOST);
        assertThat(alert.getSource()).isEqualTo(a.relay);
        assertThat(alert.getMessage()).isEqualTo("LEASE LOST: relay (app) no longer holds its lease (expired); its run "
                + "is cancelled and it waits in STANDBY");
        assertThat(userData(alert).get("reason")).isEqualTo("expired");
        await().until(() -> "STANDBY".equals(a.attribute("Status")));
        assertThat(a.server.getAttribute(a.alerts, "AlertCount")).isEqualTo(1L);
    }
}
