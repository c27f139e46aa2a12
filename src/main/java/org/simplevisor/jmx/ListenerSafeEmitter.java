package org.simplevisor.jmx;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Sends to each listener on the calling thread, which is the notification thread. A listener that throws, even
 * an {@link Error} other than a {@link VirtualMachineError}, is skipped: the next listener still gets the
 * notification.
 */
final class ListenerSafeEmitter extends NotificationBroadcasterSupport {

    private static final Logger LOG = LogManager.getLogger(SupervisorJmx.class);
    private static final MBeanNotificationInfo[] PROCESS_INFOS = ProcessNotifications.infos();

    private final MBeanNotificationInfo[] infos;
    @GuardedBy("this") private @Nullable List<NotificationListener> subscribed; // one entry per subscription
    private volatile boolean hasListeners;

    /** A process's emitter. */
    ListenerSafeEmitter() {
        this(PROCESS_INFOS);
    }

    /** @param infos what it declares it sends; kept as it is, not copied (one array shared by every process) */
    ListenerSafeEmitter(MBeanNotificationInfo[] infos) {
        this.infos = infos;
    }

    @Override
    public MBeanNotificationInfo[] getNotificationInfo() {
        return infos.clone();
    }

    /** {@return whether a listener is subscribed: without one, notifications are not worth building} */
    boolean hasListeners() {
        return hasListeners;
    }

    @Override
    public synchronized void addNotificationListener(NotificationListener listener, NotificationFilter filter,
            Object handback) {
        super.addNotificationListener(listener, filter, handback);
        if (subscribed == null) {
            subscribed = new ArrayList<>(1); // most process MBeans never get a listener
        }
        subscribed.add(listener);
        hasListeners = true;
    }

    @Override
    public synchronized void removeNotificationListener(NotificationListener listener)
            throws ListenerNotFoundException {
        super.removeNotificationListener(listener);
        subscribed.removeIf(each -> each == listener); // identity, as the superclass matches listeners
        hasListeners = !subscribed.isEmpty();
    }

    @Override
    public synchronized void removeNotificationListener(NotificationListener listener, NotificationFilter filter,
            Object handback) throws ListenerNotFoundException {
        super.removeNotificationListener(listener, filter, handback);
        for (int i = 0; i < subscribed.size(); i++) {
            if (subscribed.get(i) == listener) {
                subscribed.remove(i);
                break;
            }
        }
        hasListeners = !subscribed.isEmpty();
    }

    @Override
    protected void handleNotification(NotificationListener listener, Notification notification,
            Object handback) {
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
