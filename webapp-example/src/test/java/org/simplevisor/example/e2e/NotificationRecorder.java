package org.simplevisor.example.e2e;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/** Records the JMX notifications a remote client receives and lets a test wait for them. */
final class NotificationRecorder implements NotificationListener {

    private final List<Notification> received = new ArrayList<>();

    @Override
    public synchronized void handleNotification(Notification notification, Object handback) {
        received.add(notification);
    }

    synchronized List<Notification> all() {
        return List.copyOf(received);
    }

    /** Waits until {@code count} notifications match; @return those that match */
    List<Notification> awaitCount(Predicate<Notification> matching, int count, Duration timeout) {
        await().atMost(timeout).until(() -> all().stream().filter(matching).count() >= count);
        return all().stream().filter(matching).toList();
    }

    /** @return a predicate: notifications of this type about this process */
    static Predicate<Notification> of(String type, String process) {
        return n -> type.equals(n.getType()) && n.getUserData() instanceof CompositeData data
                && process.equals(data.get("process"));
    }
}
