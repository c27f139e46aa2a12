package org.simplevisor.jmx;

import java.util.Arrays;
import javax.management.ListenerNotFoundException;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Sends to each listener on the calling thread, which is the notification thread. A listener that throws, even
 * an {@link Error} other than a {@link VirtualMachineError}, is skipped: the next listener still gets the
 * notification; so is a listener whose filter throws. Subscriptions match as {@code NotificationBroadcasterSupport}'s
 * do (the same listener, filter and handback objects); unlike it, an emitter nobody subscribes to, as most process
 * MBeans, holds no list of listeners at all.
 */
final class ListenerSafeEmitter implements NotificationEmitter {

    private static final Logger LOG = LogManager.getLogger(SupervisorJmx.class);
    private static final MBeanNotificationInfo[] PROCESS_INFOS = ProcessNotifications.infos();
    private static final Subscription[] NONE = {};

    private final MBeanNotificationInfo[] infos;
    /** Replaced (under this emitter's lock), never changed: sending reads it without the lock. */
    private volatile Subscription[] subscriptions = NONE;

    /** A process's emitter. */
    ListenerSafeEmitter() {
        this(PROCESS_INFOS);
    }

    /** @param infos what it declares it sends; kept as it is, not copied (one array shared by every process) */
    ListenerSafeEmitter(MBeanNotificationInfo[] infos) {
        this.infos = infos;
    }

    /** {@return whether a listener is subscribed: without one, notifications are not worth building} */
    boolean hasListeners() {
        return subscriptions.length > 0;
    }

    /**
     * Sends the notification to every listener whose filter lets it through, one after another. An interrupt a
     * listener or filter leaves set reaches no other (see {@link NotificationThread#clearInterruptLeftByListener}).
     */
    void sendNotification(Notification notification) {
        for (Subscription subscription : subscriptions) {
            if (subscription.accepts(notification)) {
                subscription.handle(notification);
            }
            NotificationThread.clearInterruptLeftByListener();
        }
    }

    @Override
    public synchronized void addNotificationListener(NotificationListener listener,
            @Nullable NotificationFilter filter, @Nullable Object handback) {
        if (listener == null) {
            throw new IllegalArgumentException("listener is null");
        }
        Subscription[] grown = Arrays.copyOf(subscriptions, subscriptions.length + 1);
        grown[subscriptions.length] = new Subscription(listener, filter, handback);
        subscriptions = grown;
    }

    /** Removes every subscription of the listener. */
    @Override
    public synchronized void removeNotificationListener(NotificationListener listener)
            throws ListenerNotFoundException {
        Subscription[] kept = Arrays.stream(subscriptions).filter(s -> s.listener != listener)
                .toArray(Subscription[]::new);
        if (kept.length == subscriptions.length) {
            throw new ListenerNotFoundException("Listener not registered");
        }
        subscriptions = kept.length == 0 ? NONE : kept;
    }

    /** Removes one subscription of the listener with exactly this filter and handback. */
    @Override
    public synchronized void removeNotificationListener(NotificationListener listener,
            @Nullable NotificationFilter filter, @Nullable Object handback) throws ListenerNotFoundException {
        for (int i = 0; i < subscriptions.length; i++) {
            Subscription s = subscriptions[i];
            if (s.listener == listener && s.filter == filter && s.handback == handback) {
                Subscription[] kept = new Subscription[subscriptions.length - 1];
                System.arraycopy(subscriptions, 0, kept, 0, i);
                System.arraycopy(subscriptions, i + 1, kept, i, kept.length - i);
                subscriptions = kept.length == 0 ? NONE : kept;
                return;
            }
        }
        throw new ListenerNotFoundException("Listener not registered (with this filter and handback)");
    }

    @Override
    public MBeanNotificationInfo[] getNotificationInfo() {
        return infos.clone();
    }

    private static final class Subscription {
        final NotificationListener listener;
        final @Nullable NotificationFilter filter;
        final @Nullable Object handback;

        Subscription(NotificationListener listener, @Nullable NotificationFilter filter, @Nullable Object handback) {
            this.listener = listener;
            this.filter = filter;
            this.handback = handback;
        }

        boolean accepts(Notification notification) {
            try {
                return filter == null || filter.isNotificationEnabled(notification);
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable failure) { // a client's bug, as a listener's: an Error would end the delivery for all
                LOG.debug("JMX notification filter {} threw on {} #{}", filter, notification.getType(),
                        notification.getSequenceNumber(), failure);
                return false;
            }
        }

        void handle(Notification notification) {
            try {
                listener.handleNotification(notification, handback);
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable failure) { // a client's bug; at debug, as a crash loop would repeat it endlessly
                LOG.debug("JMX listener {} threw on {} #{}", listener, notification.getType(),
                        notification.getSequenceNumber(), failure);
            }
        }
    }
}
