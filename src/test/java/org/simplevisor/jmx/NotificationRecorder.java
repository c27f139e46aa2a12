package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/** Records the JMX notifications it receives, locally or over a connector, and lets a test wait for them. */
public final class NotificationRecorder implements NotificationListener {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final List<Notification> received = new ArrayList<>();

    /** {@return a recorder subscribed to {@code name}'s notifications on {@code server} (local or remote)} */
    public static NotificationRecorder subscribe(MBeanServerConnection server, ObjectName name) throws Exception {
        NotificationRecorder recorder = new NotificationRecorder();
        server.addNotificationListener(name, recorder, null, null);
        return recorder;
    }

    @Override
    public synchronized void handleNotification(Notification notification, Object handback) {
        received.add(notification);
    }

    /** @return every notification so far, in the order received */
    public synchronized List<Notification> all() {
        return List.copyOf(received);
    }

    /** @return the notifications whose source is {@code source}, in the order received */
    public List<Notification> from(ObjectName source) {
        return all().stream().filter(n -> source.equals(n.getSource())).collect(Collectors.toList());
    }

    /** @return the types of the notifications from {@code source}, in the order received */
    public List<String> typesFrom(ObjectName source) {
        return from(source).stream().map(Notification::getType).collect(Collectors.toList());
    }

    /** Waits for the first notification of a type; @return it */
    public Notification await(String type) {
        return awaitCount(n -> type.equals(n.getType()), 1).get(0);
    }

    /** Waits until {@code count} notifications match; @return all that match */
    public List<Notification> awaitCount(Predicate<Notification> matching, int count) {
        Awaitility.await().atMost(TIMEOUT).until(() -> all().stream().filter(matching).count() >= count);
        return all().stream().filter(matching).collect(Collectors.toList());
    }

    /**
     * Checks the user data of a {@code PROCESS_RESTART_LIMIT_EXCEEDED} notification whose process crashed with
     * {@code IllegalStateException: boom} after its {@code maxRestarts} restarts.
     */
    public static void assertRestartLimitExceededByACrash(Notification alert, int maxRestarts) {
        CompositeData data = userData(alert);
        assertThat(data.get("event")).isEqualTo("RESTART_LIMIT_EXCEEDED");
        assertThat(data.get("status")).isEqualTo("FAILED");
        assertThat(data.get("restartCount")).isEqualTo(maxRestarts);
        assertThat(data.get("maxRestarts")).isEqualTo(maxRestarts);
        assertThat(data.get("reason")).isEqualTo("crashed");
        assertThat(data.get("error")).isEqualTo("java.lang.IllegalStateException: boom");
    }

    /** @return the user data of a notification as a {@link CompositeData} */
    public static CompositeData userData(Notification notification) {
        return (CompositeData) notification.getUserData();
    }
}
