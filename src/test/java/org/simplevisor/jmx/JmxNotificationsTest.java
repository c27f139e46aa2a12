package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.jmx.NotificationRecorder.userData;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_FAILED;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_HUNG;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_RESTARTING;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_RESTART_LIMIT_EXCEEDED;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_SHUTDOWN_TIMEOUT;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_STARTED;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_STOPPED;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.management.AttributeChangeNotification;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.NotificationFilterSupport;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.DeafProcess;
import org.simplevisor.testing.RecordingListener;

/** Notifications in the platform MBean server: mapping of core events, user data, relaying, delivery. */
class JmxNotificationsTest {

    private static final String CHANGE = AttributeChangeNotification.ATTRIBUTE_CHANGE;

    @RegisterExtension
    final JmxFixture fixture = new JmxFixture("jmx-notifications");

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final String context = fixture.context();

    private Supervisor supervisor(Duration shutdownTimeout) {
        return fixture.supervisor(shutdownTimeout);
    }


    private NotificationRecorder subscribe(ObjectName name) throws Exception {
        return NotificationRecorder.subscribe(server, name);
    }

    /**
     * {@return a supervisor of "flaky", allowed one restart: its first run fails with a checked exception, its
     * second crashes with a runtime exception, over the limit}
     */
    private Supervisor flakyOverItsLimit() {
        Supervisor supervisor = supervisor(Duration.ofSeconds(2));
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("flaky", ctx -> {
            int run = runs.incrementAndGet();
            if (run == 1) {
                throw new IOException("disk full");
            } else if (run == 2) {
                throw new IllegalStateException("boom");
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 1, Duration.ZERO));
        return supervisor;
    }

    private static List<Long> sequenceNumbers(List<Notification> notifications) {
        return notifications.stream().map(Notification::getSequenceNumber).collect(Collectors.toList());
    }

    private static List<Long> oneTo(long n) {
        return LongStream.rangeClosed(1, n).boxed().collect(Collectors.toList());
    }

    @Test
    void aFailureThenACrashOverTheLimitIsNotifiedInOrderByTheProcessAndRelayedByTheSupervisor() throws Exception {
        Supervisor supervisor = flakyOverItsLimit();
        SupervisorJmx jmx = fixture.register(supervisor);
        ObjectName flaky = jmx.processObjectName("flaky");
        NotificationRecorder fromProcess = subscribe(flaky);
        NotificationRecorder fromSupervisor = subscribe(jmx.supervisorObjectName());
        NotificationRecorder alertsOnly = new NotificationRecorder();
        NotificationFilterSupport filter = new NotificationFilterSupport();
        filter.enableType(PROCESS_RESTART_LIMIT_EXCEEDED);
        server.addNotificationListener(jmx.supervisorObjectName(), alertsOnly, filter, null);

        supervisor.run();
        fromSupervisor.await(PROCESS_RESTART_LIMIT_EXCEEDED);
        fromProcess.await(PROCESS_RESTART_LIMIT_EXCEEDED);

        List<String> expectedTypes = List.of(CHANGE, PROCESS_STARTED, CHANGE, PROCESS_FAILED, CHANGE,
                PROCESS_RESTARTING, PROCESS_STARTED, CHANGE, PROCESS_FAILED, CHANGE, PROCESS_RESTART_LIMIT_EXCEEDED);
        List<Notification> own = fromProcess.all();
        assertThat(own).extracting(Notification::getType).containsExactlyElementsOf(expectedTypes);
        assertThat(sequenceNumbers(own)).containsExactlyElementsOf(oneTo(expectedTypes.size()));
        assertThat(own).extracting(Notification::getSource).containsOnly(flaky);

        List<Notification> relayed = fromSupervisor.all();
        assertThat(relayed).extracting(Notification::getType).containsExactlyElementsOf(expectedTypes);
        assertThat(sequenceNumbers(relayed)).containsExactlyElementsOf(oneTo(expectedTypes.size()));
        assertThat(relayed).extracting(Notification::getSource).containsOnly(flaky);
        for (int i = 0; i < own.size(); i++) {
            assertThat(relayed.get(i)).isNotSameAs(own.get(i));
            assertThat(relayed.get(i).getMessage()).isEqualTo(own.get(i).getMessage());
            assertThat(relayed.get(i).getTimeStamp()).isEqualTo(own.get(i).getTimeStamp());
            assertThat(relayed.get(i).getUserData()).isEqualTo(own.get(i).getUserData());
        }
        assertThat(alertsOnly.all()).extracting(Notification::getType).containsExactly(PROCESS_RESTART_LIMIT_EXCEEDED);

        assertThat(((AttributeChangeNotification) own.get(0))).satisfies(change -> {
            assertThat(change.getAttributeName()).isEqualTo("Status");
            assertThat(change.getAttributeType()).isEqualTo(String.class.getName());
            assertThat(change.getOldValue()).isEqualTo("STOPPED");
            assertThat(change.getNewValue()).isEqualTo("STARTING");
        });
        assertThat(own.stream().filter(n -> n.getType().equals(CHANGE))
                .map(n -> ((AttributeChangeNotification) n).getNewValue()))
                .containsExactly("STARTING", "RUNNING", "RESTARTING", "RUNNING", "FAILED");

        CompositeData started = userData(own.get(1));
        assertThat(started.get("event")).isEqualTo("STARTED");
        assertThat(started.get("reason")).isEqualTo("start");
        assertThat(started.get("status")).isEqualTo("RUNNING");
        assertThat(started.get("previousStatus")).isEqualTo("STARTING");
        assertThat(started.get("process")).isEqualTo("flaky");
        assertThat(started.get("supervisor")).isEqualTo(context);
        assertThat(started.get("context")).isEqualTo(context);
        assertThat(started.get("error")).isNull();

        CompositeData failed = userData(own.get(3));
        assertThat(own.get(3).getMessage()).isEqualTo("Process \"flaky\" failed: java.io.IOException: disk full");
        assertThat(failed.get("event")).isEqualTo("FAILED");
        assertThat(failed.get("reason")).isEqualTo("failed");
        assertThat(failed.get("error")).isEqualTo("java.io.IOException: disk full");
        assertThat(failed.get("status")).isEqualTo("RESTARTING");
        assertThat(failed.get("restartCount")).isEqualTo(0);
        assertThat(failed.get("maxRestarts")).isEqualTo(1);

        CompositeData restarting = userData(own.get(5));
        assertThat(restarting.get("delayMillis")).isEqualTo(0L);
        assertThat(restarting.get("reason")).isEqualTo("failed");
        assertThat(own.get(5).getMessage()).isEqualTo(
                "Process \"flaky\" will restart in 0 ms (restart 1 of 1) after it failed");

        CompositeData restarted = userData(own.get(6));
        assertThat(restarted.get("reason")).isEqualTo("restart");
        assertThat(restarted.get("restartCount")).isEqualTo(1);
        assertThat(own.get(6).getMessage()).isEqualTo("Process \"flaky\" restarted (restart 1 of 1)");

        CompositeData crashed = userData(own.get(8));
        assertThat(crashed.get("event")).isEqualTo("CRASHED");
        assertThat(crashed.get("reason")).isEqualTo("crashed");
        assertThat(crashed.get("error")).isEqualTo("java.lang.IllegalStateException: boom");

        Notification alert = own.get(10);
        NotificationRecorder.assertRestartLimitExceededByACrash(alert, 1);
        assertThat(alert.getMessage()).isEqualTo("Process \"flaky\" (context \"" + context + "\") exceeded its"
                + " restart limit after 1 restart (maxRestarts 1) and is now FAILED; last run crashed:"
                + " java.lang.IllegalStateException: boom");
    }

    @Test
    void completionManualStopAndShutdownAreStoppedNotificationsWithTheirReason() throws Exception {
        Supervisor supervisor = supervisor(Duration.ofSeconds(2));
        CountDownLatch finish = new CountDownLatch(1);
        supervisor.register("once", ctx -> finish.await());
        supervisor.register("manual", ctx -> ctx.awaitCancellation());
        supervisor.register("last", ctx -> ctx.awaitCancellation());
        SupervisorJmx jmx = fixture.register(supervisor);
        NotificationRecorder recorder = subscribe(jmx.supervisorObjectName());
        supervisor.run();
        recorder.awaitCount(n -> n.getType().equals(PROCESS_STARTED), 3);

        finish.countDown();
        Notification completed = recorder.await(PROCESS_STOPPED);
        server.invoke(jmx.processObjectName("manual"), "stop", null, null);
        Notification manual = recorder.awaitCount(n -> n.getType().equals(PROCESS_STOPPED), 2).get(1);
        supervisor.shutdown();

        assertThat(completed.getSource()).isEqualTo(jmx.processObjectName("once"));
        assertThat(userData(completed).get("event")).isEqualTo("COMPLETED");
        assertThat(userData(completed).get("reason")).isEqualTo("completed");
        assertThat(completed.getMessage()).isEqualTo("Process \"once\" completed");
        assertThat(manual.getSource()).isEqualTo(jmx.processObjectName("manual"));
        assertThat(userData(manual).get("reason")).isEqualTo("manual");
        assertThat(manual.getMessage()).isEqualTo("Process \"manual\" stopped (manual)");
        // Delivered before shutdown() returned: closing drains the queue before unregistering.
        Notification atShutdown = recorder.from(jmx.processObjectName("last")).stream()
                .filter(n -> n.getType().equals(PROCESS_STOPPED)).findFirst().orElseThrow();
        assertThat(userData(atShutdown).get("reason")).isEqualTo("shutdown");
        assertThat(userData(atShutdown).get("status")).isEqualTo("STOPPED");
    }

    @Test
    void aHungProcessIsNotifiedAsHungThenFailed() throws Exception {
        Supervisor supervisor = supervisor(Duration.ofSeconds(2));
        supervisor.register("silent", ctx -> ctx.awaitCancellation(),
                ProcessOption.withWatchdog(Duration.ofMillis(100)));
        SupervisorJmx jmx = fixture.register(supervisor);
        NotificationRecorder recorder = subscribe(jmx.processObjectName("silent"));
        supervisor.run();

        Notification hung = recorder.await(PROCESS_HUNG);
        Notification failed = recorder.await(PROCESS_FAILED);

        assertThat(userData(hung).get("reason")).isEqualTo("hung");
        assertThat((String) userData(hung).get("error")).startsWith("org.simplevisor.ProcessHungException")
                .contains("sent no heartbeat");
        assertThat(hung.getMessage()).startsWith("Process \"silent\" is hung and is being cancelled: process");
        assertThat(userData(failed).get("reason")).isEqualTo("failed");
        assertThat(failed.getSequenceNumber()).isGreaterThan(hung.getSequenceNumber());
    }

    @Test
    void aProcessThatOutlivesTheShutdownTimeoutIsNotified() throws Exception {
        Supervisor supervisor = supervisor(Duration.ofMillis(300));
        CountDownLatch release = new CountDownLatch(1);
        fixture.closeable(release::countDown);
        supervisor.register("stubborn", DeafProcess.until(release));
        SupervisorJmx jmx = fixture.register(supervisor);
        NotificationRecorder recorder = subscribe(jmx.supervisorObjectName());
        supervisor.run();
        recorder.await(PROCESS_STARTED);

        supervisor.shutdown();

        List<Notification> last = recorder.from(jmx.processObjectName("stubborn"));
        assertThat(last).extracting(Notification::getType)
                .endsWith(PROCESS_SHUTDOWN_TIMEOUT, CHANGE, PROCESS_STOPPED); // the status changes with the first
        Notification timeout = last.get(last.size() - 3);
        assertThat(timeout.getMessage()).startsWith(
                "Process \"stubborn\" did not stop within the shutdown timeout and was abandoned");
        assertThat(userData(timeout).get("reason")).isEqualTo("shutdown");
        assertThat((String) userData(timeout).get("error")).contains("ProcessNotStoppedException");
        assertThat(((AttributeChangeNotification) last.get(last.size() - 2)).getNewValue()).isEqualTo("STOPPED");
        assertThat(userData(last.get(last.size() - 1)).get("reason")).isEqualTo("shutdown");
    }

    @Test
    void aListenerOrFilterThatThrowsHarmsNeitherTheOthersNorTheSequence() throws Exception {
        Supervisor supervisor = flakyOverItsLimit();
        SupervisorJmx jmx = fixture.register(supervisor);
        AtomicInteger thrown = new AtomicInteger();
        NotificationListener throwingException = (notification, handback) -> {
            thrown.incrementAndGet();
            throw new IllegalStateException("listener bug");
        };
        NotificationListener throwingError = (notification, handback) -> {
            thrown.incrementAndGet();
            throw new AssertionError("listener bug");
        };
        server.addNotificationListener(jmx.supervisorObjectName(), throwingError, null, null);
        server.addNotificationListener(jmx.processObjectName("flaky"), throwingException, null, null);
        // A filter is a JMX client's code too: one that throws an Error (a NoClassDefFoundError once its
        // application's classes are gone) is skipped like a listener that throws one.
        AtomicInteger filtered = new AtomicInteger();
        server.addNotificationListener(jmx.processObjectName("flaky"), (notification, handback) -> { },
                notification -> {
                    if (filtered.incrementAndGet() == 1) {
                        throw new NoClassDefFoundError("com/example/UndeployedFilter");
                    }
                    return true;
                }, null);
        NotificationRecorder fromSupervisor = subscribe(jmx.supervisorObjectName());
        NotificationRecorder fromProcess = subscribe(jmx.processObjectName("flaky"));

        supervisor.run();
        fromSupervisor.await(PROCESS_RESTART_LIMIT_EXCEEDED);
        fromProcess.await(PROCESS_RESTART_LIMIT_EXCEEDED);

        assertThat(sequenceNumbers(fromSupervisor.all())).containsExactlyElementsOf(oneTo(11));
        assertThat(sequenceNumbers(fromProcess.all())).containsExactlyElementsOf(oneTo(11));
        assertThat(thrown).hasValue(22);
        assertThat(filtered).hasValue(11);
    }

    /** The supervisor MBean relays what the process emitted, whatever a listener of the process MBean does to it. */
    @Test
    void aListenerThatChangesANotificationChangesNothingTheSupervisorRelays() throws Exception {
        Supervisor supervisor = flakyOverItsLimit();
        SupervisorJmx jmx = fixture.register(supervisor);
        ObjectName flaky = jmx.processObjectName("flaky");
        server.addNotificationListener(flaky, (notification, handback) -> {
            notification.setSource("changed by a listener");
            notification.setSequenceNumber(-1);
        }, null, null);
        NotificationRecorder fromSupervisor = subscribe(jmx.supervisorObjectName());

        supervisor.run();
        fromSupervisor.await(PROCESS_RESTART_LIMIT_EXCEEDED);

        assertThat(fromSupervisor.all()).extracting(Notification::getSource).containsOnly(flaky);
        assertThat(sequenceNumbers(fromSupervisor.all())).containsExactlyElementsOf(oneTo(11));
    }

    @Test
    void aBlockedListenerNeitherSlowsProcessesNorBlocksTheEventThreadAndLosesNothing() throws Exception {
        Supervisor supervisor = supervisor(Duration.ofSeconds(2));
        int failingRuns = 200;
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("looper", ctx -> {
            if (runs.incrementAndGet() <= failingRuns) {
                throw new IllegalStateException("run " + runs.get());
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO));
        SupervisorJmx jmx = fixture.register(supervisor);
        RecordingListener events = new RecordingListener(); // called after the JMX listener, on the event thread
        supervisor.addListener(events);
        CountDownLatch unblock = new CountDownLatch(1);
        fixture.closeable(unblock::countDown);
        NotificationRecorder blocked = new NotificationRecorder();
        server.addNotificationListener(jmx.supervisorObjectName(), (notification, handback) -> {
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            blocked.handleNotification(notification, handback);
        }, null, null);

        supervisor.run();

        events.awaitCount("looper", SupervisorEvent.Type.STARTED, failingRuns + 1);
        assertThat(supervisor.isRunning("looper")).isTrue();
        assertThat(blocked.all()).isEmpty();

        unblock.countDown();
        long expected = expectedNotifications(events, "looper");
        List<Notification> delivered = blocked.awaitCount(n -> true, (int) expected);
        assertThat(sequenceNumbers(delivered)).containsExactlyElementsOf(oneTo(expected));
    }

    /**
     * A JMX listener that returns with the notification thread's interrupt status set (it caught an
     * {@code InterruptedException} and set the status again) leaves it to no other listener, of the same notification
     * or of the next one the same event makes: they would fail on their first blocking call.
     */
    @Test
    void anInterruptLeftByAListenerReachesNoOtherListenerOrNotification() throws Exception {
        Supervisor supervisor = supervisor(Duration.ofSeconds(5));
        supervisor.register("p", ProcessContext::awaitCancellation);
        SupervisorJmx jmx = fixture.register(supervisor);
        ObjectName process = SupervisorJmx.processObjectName(SupervisorJmx.DEFAULT_DOMAIN, context, "p");
        List<String> seen = new CopyOnWriteArrayList<>();
        server.addNotificationListener(process, (notification, handback) -> Thread.currentThread().interrupt(),
                null, null);
        server.addNotificationListener(process, (notification, handback) -> seen.add("process MBean's listener on "
                + notification.getType() + ", interrupted: " + Thread.currentThread().isInterrupted()), null, null);
        server.addNotificationListener(jmx.supervisorObjectName(), (notification, handback) -> seen.add(
                "supervisor MBean's listener on " + notification.getType() + ", interrupted: "
                        + Thread.currentThread().isInterrupted()), null, null);
        NotificationRecorder last = subscribe(jmx.supervisorObjectName()); // the last listener of the STARTED task

        supervisor.run();
        last.awaitCount(n -> n instanceof AttributeChangeNotification change
                && "RUNNING".equals(change.getNewValue()), 1); // STARTED's second notification

        assertThat(seen).contains("process MBean's listener on " + PROCESS_STARTED + ", interrupted: false",
                "supervisor MBean's listener on " + CHANGE + ", interrupted: false")
                .allMatch(line -> line.endsWith("interrupted: false"));
    }

    /**
     * A JMX listener may shut the supervisor down: its {@code shutdown()} returns as a supervisor listener's does,
     * so that closing the registration at TERMINATED, which waits for the listener, still delivers the notifications
     * queued behind it, the process's stop among them.
     */
    @Test
    void aListenerThatShutsTheSupervisorDownStillGetsTheShutdownsNotifications() throws Exception {
        Supervisor supervisor = supervisor(Duration.ofSeconds(5));
        supervisor.register("p", ProcessContext::awaitCancellation);
        SupervisorJmx jmx = fixture.register(supervisor);
        CompletableFuture<Boolean> shutDown = new CompletableFuture<>();
        server.addNotificationListener(jmx.supervisorObjectName(), (notification, handback) -> {
            if (notification.getType().equals(PROCESS_STARTED)) {
                supervisor.shutdown();
                shutDown.complete(supervisor.isTerminated());
            }
        }, null, null);
        NotificationRecorder recorder = subscribe(jmx.supervisorObjectName());

        try (CapturedLogs logs = CapturedLogs.attach()) {
            supervisor.run();
            assertThat(shutDown.get(10, TimeUnit.SECONDS)).as("terminated when shutdown() returned").isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> !server.isRegistered(jmx.supervisorObjectName()));
            assertThat(logs.at(Level.WARN)).as("notifications dropped").isEmpty();
        }
        assertThat(recorder.all()).filteredOn(n -> n.getType().equals(PROCESS_STOPPED)).singleElement()
                .satisfies(stopped -> assertThat(userData(stopped).get("reason")).isEqualTo("shutdown"));
    }

    /** As a listener that shuts down while another caller's shutdown is under way. */
    @Test
    void aListenerThatShutsDownDuringAShutdownHoldsUpNeitherItNorTheNotificationsAfter() throws Exception {
        Supervisor supervisor = supervisor(Duration.ofSeconds(5));
        supervisor.register("a", ProcessContext::awaitCancellation);
        supervisor.register("b", ProcessContext::awaitCancellation);
        SupervisorJmx jmx = fixture.register(supervisor);
        CompletableFuture<Boolean> shutDown = new CompletableFuture<>();
        server.addNotificationListener(jmx.supervisorObjectName(), (notification, handback) -> {
            if (notification.getType().equals(PROCESS_STOPPED) && !shutDown.isDone()) { // the first stop
                supervisor.shutdown();
                shutDown.complete(supervisor.isTerminated());
            }
        }, null, null);
        NotificationRecorder recorder = subscribe(jmx.supervisorObjectName());
        supervisor.run();
        recorder.awaitCount(n -> n.getType().equals(PROCESS_STARTED), 2);

        try (CapturedLogs logs = CapturedLogs.attach()) {
            supervisor.shutdown();
            assertThat(logs.at(Level.WARN)).as("notifications dropped").isEmpty();
        }
        assertThat(shutDown).isCompletedWithValue(true);
        assertThat(recorder.all()).filteredOn(n -> n.getType().equals(PROCESS_STOPPED)).hasSize(2);
        assertThat(server.isRegistered(jmx.supervisorObjectName())).isFalse();
    }

    /**
     * With no listener subscribed, notifications are not built (a crash loop would build a CompositeData per event
     * for nobody), yet they are numbered: a listener that comes later, or comes back, sees numbers that continue.
     */
    @Test
    void unobservedNotificationsStillTakeTheirSequenceNumbers() throws Exception {
        Supervisor supervisor = supervisor(Duration.ofSeconds(2));
        supervisor.register("steady", ctx -> ctx.awaitCancellation());
        SupervisorJmx jmx = fixture.register(supervisor);
        RecordingListener events = new RecordingListener(); // after the JMX listener: it has seen what this sees
        supervisor.addListener(events);
        ObjectName steady = jmx.processObjectName("steady");

        supervisor.run();
        events.await("steady", SupervisorEvent.Type.STARTED);
        long unobserved = expectedNotifications(events, "steady");
        NotificationRecorder late = subscribe(steady);
        supervisor.restart("steady");
        events.awaitCount("steady", SupervisorEvent.Type.STARTED, 2);
        long observed = expectedNotifications(events, "steady") - unobserved;
        await().until(() -> late.all().size() == observed);
        server.removeNotificationListener(steady, late);

        supervisor.restart("steady");
        events.awaitCount("steady", SupervisorEvent.Type.STARTED, 3);
        long unobservedAgain = expectedNotifications(events, "steady") - unobserved - observed;
        NotificationRecorder back = subscribe(steady);
        supervisor.stop("steady");
        back.await(PROCESS_STOPPED);

        assertThat(unobserved).isPositive();
        assertThat(sequenceNumbers(late.all())).containsExactlyElementsOf(
                LongStream.rangeClosed(unobserved + 1, unobserved + observed).boxed().collect(Collectors.toList()));
        assertThat(unobservedAgain).isPositive();
        assertThat(back.all().get(0).getSequenceNumber()).isEqualTo(unobserved + observed + unobservedAgain + 1);
    }

    /** @return how many notifications the events of one process make: its type, plus a status change */
    static long expectedNotifications(RecordingListener events, String process) {
        return events.events().stream().filter(e -> process.equals(e.processName()))
                .mapToLong(ProcessNotifications::countOf).sum();
    }
}
