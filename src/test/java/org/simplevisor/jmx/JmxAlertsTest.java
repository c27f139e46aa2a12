package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.jmx.NotificationRecorder.userData;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_HUNG;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_LEASE_LOST;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_RESTART_LIMIT_EXCEEDED;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_SHUTDOWN_TIMEOUT;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.GroupStrategy;
import org.simplevisor.LeaseTiming;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessStatus;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.testing.ClockLeaseStore;
import org.simplevisor.testing.DeafProcess;
import org.simplevisor.testing.FirstRunFails;

/** The Alerts MBean: only what needs a person, numbered on its own, with messages that lead with the alert. */
class JmxAlertsTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final String context = "jmx-alerts";
    private final CountDownLatch release = new CountDownLatch(1);
    private final Supervisor supervisor = Supervisor.builder().name(context).shutdownTimeout(Duration.ofMillis(300))
            .build();

    @AfterEach
    void cleanUp() {
        release.countDown();
        supervisor.shutdown();
    }

    @Test
    void theAlertsMBeanRelaysOnlyRestartLimitHungAndShutdownTimeoutWhileTheSupervisorRelaysEverything()
            throws Exception {
        supervisor.register("limited", ctx -> {
            throw new IllegalStateException("HTTP 401");
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ZERO));
        supervisor.register("silent", ctx -> ctx.awaitCancellation(),
                ProcessOption.withWatchdog(Duration.ofMillis(100)));
        supervisor.register("stubborn", DeafProcess.until(release));
        SupervisorJmx jmx = SupervisorJmx.register(supervisor);
        ObjectName alertsName = jmx.alertsObjectName();
        assertThat(alertsName).isEqualTo(new ObjectName("org.simplevisor:type=Alerts,context=" + context));
        assertThat(Arrays.stream(server.getMBeanInfo(alertsName).getNotifications())
                .flatMap(info -> Arrays.stream(info.getNotifTypes())))
                .containsExactlyInAnyOrder(PROCESS_RESTART_LIMIT_EXCEEDED, PROCESS_HUNG, PROCESS_SHUTDOWN_TIMEOUT,
                        PROCESS_LEASE_LOST, SupervisorJmx.PROCESS_REFUSED, SupervisorJmx.PROCESS_STOPPED);
        assertThat(server.getAttribute(alertsName, "AlertCount")).isEqualTo(0L);
        NotificationRecorder alerts = new NotificationRecorder();
        NotificationRecorder everything = new NotificationRecorder();
        server.addNotificationListener(alertsName, alerts, null, null);
        server.addNotificationListener(jmx.supervisorObjectName(), everything, null, null);

        supervisor.run();
        alerts.awaitCount(n -> true, 2);
        assertThat(server.getAttribute(alertsName, "AlertCount")).isEqualTo(2L);
        assertThat(server.getAttribute(alertsName, "LastAlert")).isEqualTo(alerts.all().get(1).getMessage());
        assertThat(((java.util.Date) server.getAttribute(alertsName, "LastAlertTime")).getTime())
                .isEqualTo(alerts.all().get(1).getTimeStamp());
        supervisor.shutdown();

        List<Notification> received = alerts.all();
        assertThat(received).extracting(Notification::getSequenceNumber).containsExactly(1L, 2L, 3L);
        Map<String, Notification> byType = received.stream()
                .collect(Collectors.toMap(Notification::getType, Function.identity()));
        assertThat(byType).containsOnlyKeys(PROCESS_RESTART_LIMIT_EXCEEDED, PROCESS_HUNG, PROCESS_SHUTDOWN_TIMEOUT);

        Notification limit = byType.get(PROCESS_RESTART_LIMIT_EXCEEDED);
        assertThat(limit.getSource()).isEqualTo(jmx.processObjectName("limited"));
        assertThat(limit.getMessage()).isEqualTo("RESTART LIMIT EXCEEDED: limited (" + context + ") is FAILED after 2"
                + " of 2 restarts; last error: java.lang.IllegalStateException: HTTP 401");
        assertThat(userData(limit).get("status")).isEqualTo("FAILED");
        Notification hung = byType.get(PROCESS_HUNG);
        assertThat(hung.getSource()).isEqualTo(jmx.processObjectName("silent"));
        assertThat(hung.getMessage()).startsWith("HUNG: silent (" + context + ") is being cancelled: ")
                .contains("no heartbeat");
        Notification timeout = byType.get(PROCESS_SHUTDOWN_TIMEOUT);
        assertThat(timeout.getSource()).isEqualTo(jmx.processObjectName("stubborn"));
        assertThat(timeout.getMessage()).startsWith("SHUTDOWN TIMEOUT: stubborn (" + context + ") was abandoned: ");

        // the supervisor MBean relays these and everything else
        assertThat(everything.all()).extracting(Notification::getType)
                .contains(PROCESS_RESTART_LIMIT_EXCEEDED, PROCESS_HUNG, PROCESS_SHUTDOWN_TIMEOUT)
                .contains(SupervisorJmx.PROCESS_STARTED, SupervisorJmx.PROCESS_FAILED);
        assertThat(everything.all().size()).isGreaterThan(received.size());
        assertThat(server.isRegistered(alertsName)).isFalse();
    }

    /** A failure whose message cannot be built: an exception's {@code toString()} is the application's code. */
    static final class UnprintableFailure extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new NullPointerException("the message's source is gone");
        }
    }

    @Test
    void aFailureWhoseMessageCannotBeBuiltStillRaisesItsAlertAndNotificationsNamingItsClass() throws Exception {
        supervisor.register("unprintable", ctx -> {
            throw new UnprintableFailure();
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 1, Duration.ZERO));
        SupervisorJmx jmx = SupervisorJmx.register(supervisor);
        NotificationRecorder alerts = NotificationRecorder.subscribe(server, jmx.alertsObjectName());
        NotificationRecorder everything = NotificationRecorder.subscribe(server, jmx.supervisorObjectName());
        supervisor.run();

        String named = UnprintableFailure.class.getName() + "@";
        String why = " (its toString() threw java.lang.NullPointerException)";
        assertThat(alerts.await(PROCESS_RESTART_LIMIT_EXCEEDED).getMessage()).contains("; last error: " + named)
                .endsWith(why);
        List<Notification> crashes = everything.awaitCount(n -> n.getType().equals(SupervisorJmx.PROCESS_FAILED), 2);
        assertThat(crashes).allSatisfy(n -> {
            assertThat(n.getMessage()).contains(" crashed: " + named).endsWith(why);
            assertThat((String) userData(n).get("error")).startsWith(named).endsWith(why);
        });
        assertThat((String) server.getAttribute(jmx.processObjectName("unprintable"), "LastFailure"))
                .startsWith(named).endsWith(why);
    }

    @Test
    void eachAlertTypeIsDeclaredWithASeverity() throws Exception {
        try (SupervisorJmx jmx = SupervisorJmx.register(supervisor)) {
            for (MBeanNotificationInfo info : server.getMBeanInfo(jmx.alertsObjectName()).getNotifications()) {
                assertThat(info.getDescriptor().getFieldValue("severity")).as(info.getNotifTypes()[0]).isNotNull();
                assertThat(info.getDescription()).isNotBlank();
            }
        }
    }

    @Test
    void aSingletonAbandonedAtShutdownRaisesOneAlertThatSaysItsLeaseIsLeftToExpire() throws Exception {
        ClockLeaseStore rows = new ClockLeaseStore(Clock.systemUTC(), LeaseTiming.of(Duration.ofSeconds(3)));
        Supervisor singletons = Supervisor.builder().name(context + "-singleton").nodeId("node-a")
                .leaseStore(rows.connect()).shutdownTimeout(Duration.ofMillis(300)).build();
        singletons.register("relay", DeafProcess.until(release), ProcessOption.singleton());
        SupervisorJmx jmx = SupervisorJmx.register(singletons);
        NotificationRecorder alerts = new NotificationRecorder();
        server.addNotificationListener(jmx.alertsObjectName(), alerts, null, null);
        NotificationRecorder everything = new NotificationRecorder();
        server.addNotificationListener(jmx.supervisorObjectName(), everything, null, null);
        singletons.run();
        await().until(() -> singletons.status("relay") == ProcessStatus.RUNNING);

        singletons.shutdown(); // the relay ignores it: abandoned after 300 ms, its lease left to expire

        assertThat(everything.all()).extracting(Notification::getType).as("the lease loss is still relayed")
                .contains(PROCESS_SHUTDOWN_TIMEOUT, PROCESS_LEASE_LOST);
        assertThat(alerts.all()).extracting(Notification::getType).as("one incident, one alert")
                .containsExactly(PROCESS_SHUTDOWN_TIMEOUT);
        assertThat(alerts.all().get(0).getMessage())
                .startsWith("SHUTDOWN TIMEOUT: relay (" + context + "-singleton) was abandoned: ")
                .endsWith("; its lease is left to expire, so another node may start it while this run still works");
    }

    /**
     * The supervisor MBean relays a crash loop's every event; a listener of it that does not keep up fills its
     * bounded delivery queue, whose overflow is dropped. The restart-limit alert must not be among what is dropped.
     */
    @Test
    void aSlowListenerOfTheSupervisorMBeanNeitherDelaysNorDropsAnAlert() throws Exception {
        int maxRestarts = 4_000; // STARTED, CRASHED, RESTARTING a turn: more events than the delivery queue holds
        supervisor.register("looping", ctx -> {
            throw new IllegalStateException("HTTP 401");
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, maxRestarts, Duration.ZERO));
        SupervisorJmx jmx = SupervisorJmx.register(supervisor);
        CountDownLatch slowListenerMayGo = new CountDownLatch(1);
        server.addNotificationListener(jmx.supervisorObjectName(),
                (notification, handback) -> DeafProcess.awaitIgnoringInterrupts(slowListenerMayGo), null, null);
        NotificationRecorder alerts = new NotificationRecorder();
        server.addNotificationListener(jmx.alertsObjectName(), alerts, null, null);
        try {
            supervisor.run();

            Notification limit = alerts.await(PROCESS_RESTART_LIMIT_EXCEEDED); // while the slow listener still hangs
            assertThat(limit.getSequenceNumber()).isEqualTo(1L);
            assertThat(server.getAttribute(jmx.alertsObjectName(), "AlertCount")).isEqualTo(1L);
        } finally {
            slowListenerMayGo.countDown();
        }
    }

    @Test
    void aMemberItsGroupAbandonsRaisesAShutdownTimeoutAlertThatSaysSo() throws Exception {
        CountDownLatch mayFail = new CountDownLatch(1);
        Supervisor grouped = Supervisor.builder().name(context + "-group").shutdownTimeout(Duration.ofMillis(300))
                .group("pipeline", GroupStrategy.ONE_FOR_ALL).build();
        try {
            grouped.register("reader", new FirstRunFails(mayFail, () -> new Exception("feed closed")),
                    ProcessOption.inGroup("pipeline"), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3,
                            Duration.ZERO));
            grouped.register("stubborn", DeafProcess.until(release), ProcessOption.inGroup("pipeline"));
            SupervisorJmx jmx = SupervisorJmx.register(grouped);
            NotificationRecorder alerts = new NotificationRecorder();
            server.addNotificationListener(jmx.alertsObjectName(), alerts, null, null);
            grouped.run();
            await().until(() -> grouped.isRunning("reader") && grouped.isRunning("stubborn"));

            mayFail.countDown(); // the group stops stubborn, which ignores it: abandoned after 300 ms

            Notification timeout = alerts.await(PROCESS_SHUTDOWN_TIMEOUT);
            assertThat(timeout.getMessage())
                    .startsWith("SHUTDOWN TIMEOUT: stubborn (" + context + "-group) was abandoned by its group: ");
            assertThat(userData(timeout).get("reason")).isEqualTo("group");
        } finally {
            release.countDown();
            grouped.shutdown();
        }
    }

    /**
     * A singleton its group abandoned keeps its lease renewed while the stuck run works; when a renewal then fails,
     * another node may start it beside that run: the loss is an alert, and says so.
     */
    @Test
    void aGroupAbandonedSingletonWhoseRenewedLeaseIsThenLostRaisesALeaseLostAlert() throws Exception {
        CountDownLatch mayFail = new CountDownLatch(1);
        ClockLeaseStore rows = new ClockLeaseStore(Clock.systemUTC(), LeaseTiming.of(Duration.ofSeconds(3)));
        ClockLeaseStore.Connection store = rows.connect();
        Supervisor grouped = Supervisor.builder().name(context + "-abandoned-lease").nodeId("node-a").leaseStore(store)
                .shutdownTimeout(Duration.ofMillis(300)).group("pipeline", GroupStrategy.ONE_FOR_ALL).build();
        try {
            grouped.register("reader", new FirstRunFails(mayFail, () -> new Exception("feed closed")),
                    ProcessOption.inGroup("pipeline"), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3,
                            Duration.ZERO));
            grouped.register("writer", DeafProcess.until(release), ProcessOption.inGroup("pipeline"),
                    ProcessOption.singleton());
            SupervisorJmx jmx = SupervisorJmx.register(grouped);
            NotificationRecorder alerts = new NotificationRecorder();
            server.addNotificationListener(jmx.alertsObjectName(), alerts, null, null);
            NotificationRecorder everything = new NotificationRecorder();
            server.addNotificationListener(jmx.supervisorObjectName(), everything, null, null);
            grouped.run();
            await().until(() -> grouped.isRunning("reader") && grouped.isRunning("writer"));

            mayFail.countDown(); // the group stops the writer, which ignores it: abandoned after 300 ms, FAILED
            alerts.await(PROCESS_SHUTDOWN_TIMEOUT);
            await().until(() -> grouped.status("writer") == ProcessStatus.FAILED
                    && grouped.snapshot("writer").lease().held());

            store.reachable(false); // renewals fail: the deadline passes, the lease is lost under the stuck run
            everything.await(PROCESS_LEASE_LOST);
            assertThat(grouped.snapshot("writer").lease().held()).isFalse();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(alerts.all())
                    .extracting(Notification::getType)
                    .as("the lease of a run still working, lost without being given back")
                    .contains(PROCESS_LEASE_LOST));
            assertThat(alerts.all()).filteredOn(n -> n.getType().equals(PROCESS_LEASE_LOST)).first()
                    .extracting(Notification::getMessage).asString().endsWith("the run its group abandoned may still be"
                            + " working, and another node may start it");
        } finally {
            release.countDown();
            grouped.shutdown();
        }
    }

    /**
     * Two ways a process stops for good without a restart limit: an interrupt its supervisor did not send (a
     * container's hung-task check cancelling the run) leaves it {@code STOPPED}, an executor that refuses its run
     * (shut down, saturated, a server being suspended) leaves it {@code FAILED}. Either needs a person to start it.
     */
    @Test
    void aProcessStoppedByAForeignInterruptOrWhoseRunIsRefusedRaisesAnAlert() throws Exception {
        ExecutorService refusing = Executors.newSingleThreadExecutor();
        refusing.shutdown();
        Supervisor refused = Supervisor.builder().name(context + "-refused").executor(refusing).build();
        try {
            supervisor.register("interrupted", ctx -> {
                throw new InterruptedException("the container's hung-task check");
            }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
            refused.register("refused", ctx -> ctx.awaitCancellation());
            SupervisorJmx jmx = SupervisorJmx.register(supervisor);
            SupervisorJmx refusedJmx = SupervisorJmx.register(refused);
            for (SupervisorJmx each : List.of(jmx, refusedJmx)) {
                assertThat(Arrays.stream(server.getMBeanInfo(each.alertsObjectName()).getNotifications())
                        .flatMap(info -> Arrays.stream(info.getNotifTypes())))
                        .contains(SupervisorJmx.PROCESS_STOPPED, SupervisorJmx.PROCESS_REFUSED);
            }
            NotificationRecorder alerts = new NotificationRecorder();
            server.addNotificationListener(jmx.alertsObjectName(), alerts, null, null);
            NotificationRecorder refusedAlerts = new NotificationRecorder();
            server.addNotificationListener(refusedJmx.alertsObjectName(), refusedAlerts, null, null);

            supervisor.run();
            refused.run();

            Notification stopped = alerts.await(SupervisorJmx.PROCESS_STOPPED);
            assertThat(stopped.getSource()).isEqualTo(jmx.processObjectName("interrupted"));
            assertThat(stopped.getMessage()).isEqualTo("STOPPED BY AN INTERRUPT: interrupted (" + context + ") was"
                    + " interrupted by something other than its supervisor (a container's hung-task check, say); it is"
                    + " STOPPED and will not run again until an operator starts it");
            assertThat(userData(stopped).get("reason")).isEqualTo("cancelled");
            Notification refusal = refusedAlerts.await(SupervisorJmx.PROCESS_REFUSED);
            assertThat(refusal.getSource()).isEqualTo(refusedJmx.processObjectName("refused"));
            assertThat(refusal.getMessage()).startsWith("REFUSED: refused (" + context + "-refused) is FAILED: "
                    + "java.util.concurrent.RejectedExecutionException")
                    .endsWith("; it will not run again until an operator starts it");
            assertThat(userData(refusal).get("status")).isEqualTo("FAILED");
        } finally {
            refused.shutdown();
        }
    }
}
