package org.simplevisor.jmx;

import static org.simplevisor.jmx.SupervisorJmx.PROCESS_FAILED;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_HUNG;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_LEASE_ACQUIRED;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_LEASE_LOST;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_RESTARTING;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_RESTART_LIMIT_EXCEEDED;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_SHUTDOWN_TIMEOUT;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_STARTED;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_STOPPED;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.AttributeChangeNotification;
import javax.management.ImmutableDescriptor;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import org.jspecify.annotations.Nullable;
import org.simplevisor.ExitReason;
import org.simplevisor.LeaseLoss;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.SupervisorEvent;

/** Turns the core's events into JMX notifications: their types, messages and user data. */
final class ProcessNotifications {

    /** The attribute whose changes are notified. */
    static final String STATUS_ATTRIBUTE = "Status";

    private static final String[] ITEMS = {
        "process", "supervisor", "context", "event", "status", "previousStatus", "restartCount", "maxRestarts",
        "reason", "error", "delayMillis", "leaseHolder", "fencingToken"};
    private static final String[] ITEM_DESCRIPTIONS = {
        "The process's name", "The supervisor's name", "The JMX context (the web application's context path)",
        "The core event: STARTED, COMPLETED, FAILED, CRASHED, STOPPED, RESTARTING, RESTART_LIMIT_EXCEEDED, HUNG,"
                + " SHUTDOWN_TIMEOUT, LEASE_ACQUIRED, LEASE_LOST or STATUS_CHANGED",
        "The status after the event", "The status before the event", "Restarts counted toward the limit",
        "The restart limit; 0 or less is unlimited",
        "Why: start or restart for started; completed, failed, crashed, cancelled, shutdown, manual, lease_lost or"
                + " group for the end of a run (and for restarting and restart-limit-exceeded, the end that led to"
                + " them); hung; acquired, or released, expired or renewal_failed for a singleton's lease; null for a"
                + " bare status change",
        "What the run threw, the hang, or the unstopped thread, as \"class: message\"; null if nothing",
        "The delay before the restart in milliseconds, for restarting; otherwise null",
        "A singleton's lease holder as this node last saw it (empty if none); null for other processes",
        "The fencing token this node holds a singleton's lease with (0 if none); null for other processes"};
    private static final OpenType<?>[] ITEM_TYPES = {
        SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING,
        SimpleType.STRING, SimpleType.INTEGER, SimpleType.INTEGER, SimpleType.STRING, SimpleType.STRING,
        SimpleType.LONG, SimpleType.STRING, SimpleType.LONG};

    /** The type of every notification's user data. */
    static final CompositeType USER_DATA_TYPE;

    static {
        try {
            USER_DATA_TYPE = new CompositeType("org.simplevisor.jmx.ProcessEvent",
                    "What happened to a supervised process", ITEMS, ITEM_DESCRIPTIONS, ITEM_TYPES);
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What process and supervisor MBeans declare they emit; shared, as every emitter copies the array. */
    private static final MBeanNotificationInfo[] INFOS = {
        info(PROCESS_STARTED, Notification.class, 6, "A run of the process began: a start or a restart"),
        info(PROCESS_STOPPED, Notification.class, 6,
                "A run ended without failing: it completed, or was cancelled (stop, restart, shutdown, its group)"),
        info(PROCESS_FAILED, Notification.class, 4,
                "A run failed (threw a checked exception, or was hung) or crashed (threw a RuntimeException or"
                        + " an Error)"),
        info(PROCESS_RESTARTING, Notification.class, 5,
                "The process will be restarted by its restart policy after the delay in the user data"),
        info(PROCESS_RESTART_LIMIT_EXCEEDED, Notification.class, 2,
                "ALERT: the process failed once more than its restart limit allows; it is FAILED and will not"
                        + " run again until an operator starts it"),
        info(PROCESS_HUNG, Notification.class, 3,
                "The watchdog saw no heartbeat within its timeout; the run is being cancelled"),
        info(PROCESS_SHUTDOWN_TIMEOUT, Notification.class, 3,
                "The run did not end within the shutdown timeout, or the time its group gave it, and was"
                        + " abandoned"),
        info(PROCESS_LEASE_ACQUIRED, Notification.class, 6,
                "This node acquired a singleton's lease: its run starts here, with the fencing token in the user"
                        + " data"),
        info(PROCESS_LEASE_LOST, Notification.class, 4,
                "This node stopped holding a singleton's lease: released (the process came to rest here), expired"
                        + " (another node may hold it now) or renewal_failed (the lease store did not answer in time);"
                        + " a run in progress is cancelled"),
        info(AttributeChangeNotification.ATTRIBUTE_CHANGE, AttributeChangeNotification.class, 6,
                "The Status attribute changed")};

    private ProcessNotifications() {
    }

    /** {@return what process and supervisor MBeans declare they emit: every type, with a severity for monitors} */
    static MBeanNotificationInfo[] infos() {
        return INFOS.clone();
    }

    static MBeanNotificationInfo info(String type, Class<? extends Notification> notificationClass,
            int severity, String description) {
        // "severity" is the JMX Descriptor field monitoring tools read (1 non-recoverable ... 6 informational)
        return new MBeanNotificationInfo(new String[] {type}, notificationClass.getName(), description,
                new ImmutableDescriptor("severity=" + severity));
    }

    /** {@return how many notifications {@link #of} makes of an event: the sequence numbers it takes} */
    static int countOf(SupervisorEvent event) {
        return (typeOf(event.type()) != null ? 1 : 0) + (event.statusChanged() ? 1 : 0);
    }

    /**
     * Builds the notifications of one event: the one of its type, if it has one, then an attribute change if the
     * status changed.
     *
     * @param event    the core event, of a process
     * @param source   the process MBean's name
     * @param context  the JMX context
     * @param sequence the process MBean's sequence; each notification takes the next number
     * @return the notifications, in the order to send them
     */
    static List<Notification> of(SupervisorEvent event, ObjectName source, String context, AtomicLong sequence) {
        ProcessSnapshot snapshot = event.snapshot();
        String type = typeOf(event.type());
        long time = event.time().toEpochMilli();
        CompositeData userData = userData(event, context);
        List<Notification> notifications = new ArrayList<>(2);
        if (type != null) {
            Notification notification = new Notification(type, source, sequence.incrementAndGet(), time,
                    message(event, context));
            notification.setUserData(userData);
            notifications.add(notification);
        }
        if (event.statusChanged()) {
            String before = event.previousStatus() == null ? null : event.previousStatus().name();
            String after = snapshot.status().name();
            Notification change = new AttributeChangeNotification(source, sequence.incrementAndGet(), time,
                    process(event.processName()) + " status changed from " + before + " to " + after,
                    STATUS_ATTRIBUTE, String.class.getName(), before, after);
            change.setUserData(userData);
            notifications.add(change);
        }
        return notifications;
    }

    /** {@return the JMX type of an event, or {@code null} for events that have none (registration, bare status)} */
    static @Nullable String typeOf(SupervisorEvent.Type type) {
        switch (type) {
            case STARTED:
                return PROCESS_STARTED;
            case COMPLETED:
            case STOPPED:
                return PROCESS_STOPPED;
            case FAILED:
            case CRASHED:
                return PROCESS_FAILED;
            case RESTARTING:
                return PROCESS_RESTARTING;
            case RESTART_LIMIT_EXCEEDED:
                return PROCESS_RESTART_LIMIT_EXCEEDED;
            case HUNG:
                return PROCESS_HUNG;
            case SHUTDOWN_TIMEOUT:
                return PROCESS_SHUTDOWN_TIMEOUT;
            case LEASE_ACQUIRED:
                return PROCESS_LEASE_ACQUIRED;
            case LEASE_LOST:
                return PROCESS_LEASE_LOST;
            default:
                return null;
        }
    }

    /**
     * A copy for the supervisor MBean to relay: a listener may change a notification it receives (its source or
     * sequence number), and must not change what the listeners of the other MBean see.
     */
    static Notification copy(Notification original) {
        Notification copy;
        if (original instanceof AttributeChangeNotification) {
            AttributeChangeNotification change = (AttributeChangeNotification) original;
            copy = new AttributeChangeNotification(change.getSource(), change.getSequenceNumber(),
                    change.getTimeStamp(), change.getMessage(), change.getAttributeName(), change.getAttributeType(),
                    change.getOldValue(), change.getNewValue());
        } else {
            copy = new Notification(original.getType(), original.getSource(), original.getSequenceNumber(),
                    original.getTimeStamp(), original.getMessage());
        }
        copy.setUserData(original.getUserData());
        return copy;
    }

    /** @return the user data of an event's notifications */
    static CompositeData userData(SupervisorEvent event, String context) {
        ProcessSnapshot snapshot = event.snapshot();
        Object[] values = {
            event.processName(), event.supervisor(), context, event.type().name(), snapshot.status().name(),
            event.previousStatus() == null ? null : event.previousStatus().name(), snapshot.restartCount(),
            snapshot.maxRestarts(), reason(event), event.errorDescription(),
            event.delay() == null ? null : event.delay().toMillis(),
            snapshot.lease() == null ? null : snapshot.lease().holder(),
            snapshot.lease() == null ? null : snapshot.lease().fencingToken()};
        try {
            return new CompositeDataSupport(USER_DATA_TYPE, ITEMS, values);
        } catch (OpenDataException e) {
            throw new IllegalStateException("user data does not match its own type", e); // a bug here, not data
        }
    }

    private static String reason(SupervisorEvent event) {
        switch (event.type()) {
            case STARTED:
                return event.restart() ? "restart" : "start";
            case HUNG:
                return "hung";
            case SHUTDOWN_TIMEOUT:
                return event.reason() == ExitReason.GROUP ? "group" : "shutdown";
            case LEASE_ACQUIRED:
                return "acquired";
            case LEASE_LOST:
                return event.snapshot().lease().lastLoss().tagValue();
            default:
                return ProcessView.tagOf(event.reason());
        }
    }

    private static String message(SupervisorEvent event, String context) {
        ProcessSnapshot s = event.snapshot();
        String process = process(event.processName());
        switch (event.type()) {
            case STARTED:
                if (!event.restart()) {
                    return process + " started";
                }
                if (s.lastExitReason() == ExitReason.GROUP) { // its trigger's restart, not one of its own
                    return process + " restarted with its group " + quoted(s.group());
                }
                return process + " restarted (restart " + s.restartCount() + limit(s) + ")";
            case COMPLETED:
                return process + " completed";
            case STOPPED:
                return process + " stopped (" + reason(event) + ")";
            case FAILED:
                return process + " failed: " + event.errorDescription();
            case CRASHED:
                return process + " crashed: " + event.errorDescription();
            case RESTARTING:
                if (event.reason() == ExitReason.GROUP) { // not counted toward its limit: the trigger's restart is
                    return process + " will restart with its group " + quoted(s.group());
                }
                return process + " will restart in " + event.delay().toMillis() + " ms (restart "
                        + (s.restartCount() + 1) + limit(s) + ") after it " + pastTense(event);
            case RESTART_LIMIT_EXCEEDED:
                return restartLimitMessage(event, context);
            case HUNG:
                return process + " is hung and is being cancelled: " + event.error().getMessage();
            case SHUTDOWN_TIMEOUT:
                return process + " did not stop within " + (event.reason() == ExitReason.GROUP
                        ? "the time its group gave it" : "the shutdown timeout") + " and was abandoned: "
                        + event.error().getMessage();
            case LEASE_ACQUIRED:
                return process + " acquired its lease on node " + quoted(s.lease().holder()) + " (fencing token "
                        + s.lease().fencingToken() + ")";
            case LEASE_LOST:
                return s.lease().lastLoss() == LeaseLoss.RELEASED ? process + " released its lease"
                        : process + " lost its lease (" + reason(event) + ")";
            default:
                return process + " is " + s.status();
        }
    }

    /** The alert operators wire to their monitoring: which process, how many restarts, the last error. */
    private static String restartLimitMessage(SupervisorEvent event, String context) {
        ProcessSnapshot s = event.snapshot();
        StringBuilder message = new StringBuilder()
                .append(process(event.processName())).append(" (context ").append(quoted(context))
                .append(") exceeded its restart limit after ").append(s.restartCount())
                .append(s.restartCount() == 1 ? " restart" : " restarts")
                .append(" (maxRestarts ").append(s.maxRestarts()).append(") and is now FAILED; last run ")
                .append(pastTense(event));
        if (event.error() != null) {
            message.append(": ").append(event.errorDescription());
        } else if (s.lastFailure() != null) {
            message.append("; last error: ").append(s.lastFailureDescription());
        }
        return message.toString();
    }

    private static String pastTense(SupervisorEvent event) {
        return event.reason() == null ? "ended" : event.reason().tagValue();
    }

    private static String limit(ProcessSnapshot s) {
        return s.maxRestarts() > 0 ? " of " + s.maxRestarts() : ", unlimited";
    }

    private static String process(String name) {
        return "Process " + quoted(name);
    }

    private static String quoted(String value) {
        return "\"" + value + "\"";
    }
}
