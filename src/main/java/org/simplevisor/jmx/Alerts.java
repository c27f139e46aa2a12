package org.simplevisor.jmx;

import static org.simplevisor.jmx.SupervisorJmx.PROCESS_HUNG;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_LEASE_LOST;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_REFUSED;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_RESTART_LIMIT_EXCEEDED;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_SHUTDOWN_TIMEOUT;
import static org.simplevisor.jmx.SupervisorJmx.PROCESS_STOPPED;

import java.util.Date;
import java.util.concurrent.Executor;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.ObjectName;
import org.jspecify.annotations.Nullable;
import org.simplevisor.ExitReason;
import org.simplevisor.LeaseLoss;
import org.simplevisor.LeaseState;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.ProcessStatus;
import org.simplevisor.SupervisorEvent;

/**
 * The Alerts MBean of one {@link SupervisorJmx}: of all the events of its processes it relays only those that need
 * a person, as notifications numbered 1, 2, ... of its own, whose source is the process MBean and whose user data
 * is that of the process's notification. Their messages begin with the alert and the process, so that JConsole's
 * notification table reads well even where it cuts the type column. Each attribute read shows the last alert, but
 * in the view {@link #forOneCall()} makes, every attribute of one {@code getAttributes} call shows the same one.
 */
final class Alerts implements AlertsMXBean {

    private static final MBeanNotificationInfo[] INFOS = {
        info(PROCESS_RESTART_LIMIT_EXCEEDED, 2,
                "A process failed once more than its restart limit allows; it is FAILED and will not run again"
                        + " until an operator starts it"),
        info(PROCESS_HUNG, 3, "The watchdog saw no heartbeat from a process within its timeout; the run is being"
                + " cancelled and restarted by its policy"),
        info(PROCESS_SHUTDOWN_TIMEOUT, 3, "A process did not stop within the time it was given (at shutdown, or"
                + " when its group stopped it) and was abandoned; its thread may still run, and a singleton's lease is"
                + " left to expire rather than given back"),
        info(PROCESS_LEASE_LOST, 3, "A singleton's node lost its lease without giving it back (it expired in the"
                + " lease store, or no renewal succeeded in time): its run is cancelled, another node may take over"),
        info(PROCESS_REFUSED, 2, "The executor refused a process's run (shut down, saturated, or its server"
                + " suspended), or the scheduler its timer; it is FAILED and will not run again until an operator"
                + " starts it"),
        info(PROCESS_STOPPED, 3, "An interrupt the supervisor did not send (a container's hung-task check, say)"
                + " ended a process's run; it is STOPPED and will not run again until an operator starts it")};

    private static final String UNTIL_STARTED = "will not run again until an operator starts it";

    private final ListenerSafeEmitter emitter = new ListenerSafeEmitter(INFOS.clone());
    private final String context;
    private final Executor deliveries;
    // Written on the event thread only; read by JMX clients. Its sequence number is the count of alerts, so that a
    // reader sees the two together.
    private volatile @Nullable Notification last;

    /**
     * @param context    the JMX context, named in the messages
     * @param deliveries where notifications are sent to listeners: never on the event thread
     */
    Alerts(String context, Executor deliveries) {
        this.context = context;
        this.deliveries = deliveries;
    }

    /** {@return the emitter to register the MBean with} */
    ListenerSafeEmitter emitter() {
        return emitter;
    }

    /**
     * The alert type of an event, or {@code null} if it needs no person. A lease given back (the process came to rest
     * on this node) is no alert; one that expired or could not be renewed is, unless shutdown left it to expire (under
     * the run its shutdown-timeout alert has told of, or one that shut its supervisor down itself). A process that
     * stops for good with no restart limit exceeded is: failed by a refused run, or stopped by a foreign interrupt.
     */
    static @Nullable String alertType(SupervisorEvent event) {
        return switch (event.type()) {
            case RESTART_LIMIT_EXCEEDED, HUNG, SHUTDOWN_TIMEOUT -> ProcessNotifications.typeOf(event.type());
            case LEASE_LOST -> leaseLoss(event) != LeaseLoss.RELEASED && event.reason() != ExitReason.SHUTDOWN
                    ? PROCESS_LEASE_LOST : null;
            case STOPPED -> event.reason() == ExitReason.CANCELLED && event.snapshot().status().isAtRest()
                    ? PROCESS_STOPPED : null;
            case STATUS_CHANGED -> event.error() != null && event.snapshot().status() == ProcessStatus.FAILED
                    ? PROCESS_REFUSED : null;
            default -> null;
        };
    }

    private static @Nullable LeaseLoss leaseLoss(SupervisorEvent event) {
        LeaseState lease = event.snapshot() == null ? null : event.snapshot().lease();
        return lease == null ? null : lease.lastLoss();
    }

    /**
     * Raises the alert of an event, if it is one; on the event thread.
     *
     * @param event  the event
     * @param source the process MBean's name
     */
    void onEvent(SupervisorEvent event, ObjectName source) {
        String type = alertType(event);
        if (type == null) {
            return;
        }
        Notification alert = new Notification(type, source, getAlertCount() + 1, event.time().toEpochMilli(),
                message(event));
        last = alert;
        if (emitter.hasListeners()) {
            alert.setUserData(ProcessNotifications.userData(event, context));
            // a copy: a listener may change what it receives, and the last alert is read from here
            deliveries.execute(() -> emitter.sendNotification(ProcessNotifications.copy(alert)));
        }
    }

    private String message(SupervisorEvent event) {
        ProcessSnapshot s = event.snapshot();
        String process = event.processName() + " (" + context + ")";
        switch (event.type()) {
            case RESTART_LIMIT_EXCEEDED:
                String error = event.error() != null ? event.errorDescription() : s.lastFailureDescription();
                return "RESTART LIMIT EXCEEDED: " + process + " is FAILED after " + s.restartCount() + " of "
                        + s.maxRestarts() + " restarts" + (error != null ? "; last error: " + error : "");
            case HUNG:
                return "HUNG: " + process + " is being cancelled: " + event.error().getMessage();
            case STOPPED:
                return "STOPPED BY AN INTERRUPT: " + process + " was interrupted by something other than its supervisor"
                        + " (a container's hung-task check, say); it is " + s.status() + " and " + UNTIL_STARTED;
            case STATUS_CHANGED:
                return "REFUSED: " + process + " is FAILED: " + event.errorDescription() + "; it " + UNTIL_STARTED;
            case LEASE_LOST:
                return "LEASE LOST: " + process + " no longer holds its lease (" + leaseLoss(event).tagValue() + "); "
                        + (s.status().isAtRest() ? "the run its group abandoned may still be working, and another"
                                + " node may start it" : "its run is cancelled and it waits in STANDBY");
            default:
                boolean byGroup = event.reason() == ExitReason.GROUP;
                return "SHUTDOWN TIMEOUT: " + process + " was abandoned" + (byGroup ? " by its group: " : ": ")
                        + event.error().getMessage()
                        + (!byGroup && s.lease() != null && s.lease().held() ? "; its lease is left to expire, so"
                                + " another node may start it while this run still works" : "");
        }
    }

    /**
     * {@return a view for one {@code getAttributes} call: the last alert as it is now, so that the values of the call
     * hold together (never the count of one alert with the message of the next)}
     */
    AlertsMXBean forOneCall() {
        return new LastAlert(last);
    }

    @Override
    public long getAlertCount() {
        return forOneCall().getAlertCount();
    }

    @Override
    public @Nullable String getLastAlert() {
        return forOneCall().getLastAlert();
    }

    @Override
    public @Nullable Date getLastAlertTime() {
        return forOneCall().getLastAlertTime();
    }

    /** The attributes of one alert, or of none yet. */
    private static final class LastAlert implements AlertsMXBean {
        private final @Nullable Notification alert;

        LastAlert(@Nullable Notification alert) {
            this.alert = alert;
        }

        @Override
        public long getAlertCount() {
            return alert == null ? 0 : alert.getSequenceNumber();
        }

        @Override
        public @Nullable String getLastAlert() {
            return alert == null ? null : alert.getMessage();
        }

        @Override
        public @Nullable Date getLastAlertTime() {
            return alert == null ? null : new Date(alert.getTimeStamp());
        }
    }

    private static MBeanNotificationInfo info(String type, int severity, String description) {
        return ProcessNotifications.info(type, Notification.class, severity, description);
    }
}
