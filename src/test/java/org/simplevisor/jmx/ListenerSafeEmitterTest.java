package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import org.junit.jupiter.api.Test;

/** Subscriptions as {@code NotificationBroadcasterSupport} keeps them, and sending that no listener can break. */
class ListenerSafeEmitterTest {

    private final ListenerSafeEmitter emitter = new ListenerSafeEmitter();
    private final List<String> received = new ArrayList<>();

    private NotificationListener recorder(String name) {
        return (notification, handback) -> received.add(name + ":" + handback + ":" + notification.getType());
    }

    private static Notification notification(String type) {
        return new Notification(type, "source", 1);
    }

    @Test
    void sendsToEachSubscriptionWhoseFilterAccepts() {
        NotificationListener a = recorder("a");
        NotificationFilter onlyStarted = n -> n.getType().equals("started");
        emitter.addNotificationListener(a, null, "h1");
        emitter.addNotificationListener(a, onlyStarted, "h2");
        emitter.addNotificationListener(recorder("b"), null, null);

        emitter.sendNotification(notification("stopped"));
        emitter.sendNotification(notification("started"));

        assertThat(received).containsExactly("a:h1:stopped", "b:null:stopped", "a:h1:started", "a:h2:started",
                "b:null:started");
    }

    @Test
    void aThrowingListenerOrFilterIsSkippedAndTheNextStillReceives() {
        emitter.addNotificationListener((n, h) -> {
            throw new IllegalStateException("listener bug");
        }, null, null);
        emitter.addNotificationListener((n, h) -> {
            throw new AssertionError("an Error is a bug too");
        }, null, null);
        emitter.addNotificationListener(recorder("filtered"), n -> {
            throw new IllegalStateException("filter bug");
        }, null);
        emitter.addNotificationListener(recorder("last"), null, null);

        emitter.sendNotification(notification("failed"));

        assertThat(received).containsExactly("last:null:failed");
    }

    @Test
    void removesEverySubscriptionOfAListenerOrExactlyOne() throws Exception {
        NotificationListener a = recorder("a");
        NotificationFilter filter = n -> true;
        assertThat(emitter.hasListeners()).isFalse();
        emitter.addNotificationListener(a, null, "h1");
        emitter.addNotificationListener(a, filter, "h2");
        emitter.addNotificationListener(a, filter, "h2");
        assertThat(emitter.hasListeners()).isTrue();

        assertThatThrownBy(() -> emitter.removeNotificationListener(a, filter, "other handback"))
                .isInstanceOf(ListenerNotFoundException.class);
        emitter.removeNotificationListener(a, filter, "h2"); // one of the two alike
        emitter.sendNotification(notification("x"));
        assertThat(received).containsExactly("a:h1:x", "a:h2:x");

        emitter.removeNotificationListener(a); // every one left
        assertThat(emitter.hasListeners()).isFalse();
        assertThatThrownBy(() -> emitter.removeNotificationListener(a)).isInstanceOf(ListenerNotFoundException.class);
        assertThatThrownBy(() -> emitter.addNotificationListener(null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void declaresTheProcessNotificationsAndHandsOutCopies() {
        assertThat(emitter.getNotificationInfo()).isEqualTo(ProcessNotifications.infos())
                .isNotSameAs(emitter.getNotificationInfo());
    }
}
