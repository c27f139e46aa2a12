package org.simplevisor.jmx;

import static org.simplevisor.jmx.SupervisorJmx.GROUP_RESTARTING;

import java.util.Arrays;
import javax.management.ImmutableDescriptor;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.ArrayType;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import org.simplevisor.SupervisorEvent;

/** Turns a group restart into the supervisor MBean's notification: its type, message and user data. */
final class GroupNotifications {

    private static final String[] ITEMS = {
        "group", "supervisor", "context", "trigger", "reason", "members", "delayMillis"};
    private static final String[] ITEM_DESCRIPTIONS = {
        "The group's name", "The supervisor's name", "The JMX context (the web application's context path)",
        "The member whose end restarts the group; null when an operator restarted it",
        "How the trigger's run ended: completed, failed or crashed; null when an operator restarted the group",
        "The members that will start again, in start order",
        "The delay before they start, in milliseconds, counted from the end of the last run the group cancelled"};
    private static final OpenType<?>[] ITEM_TYPES;
    /** The type of the notification's user data. */
    static final CompositeType USER_DATA_TYPE;

    static {
        try {
            ITEM_TYPES = new OpenType<?>[] {
                SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING,
                ArrayType.getArrayType(SimpleType.STRING), SimpleType.LONG};
            USER_DATA_TYPE = new CompositeType("org.simplevisor.jmx.GroupRestart", "A restart of a process group",
                    ITEMS, ITEM_DESCRIPTIONS, ITEM_TYPES);
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final MBeanNotificationInfo INFO = new MBeanNotificationInfo(new String[] {GROUP_RESTARTING},
            Notification.class.getName(), "A process group is restarting: its members are cancelled and start again"
                    + " together, in start order", new ImmutableDescriptor("severity=4"));

    private GroupNotifications() {
    }

    /** {@return what the supervisor MBean declares it emits: every process notification, and the group restart} */
    static MBeanNotificationInfo[] supervisorInfos() {
        MBeanNotificationInfo[] processInfos = ProcessNotifications.infos();
        MBeanNotificationInfo[] all = Arrays.copyOf(processInfos, processInfos.length + 1);
        all[processInfos.length] = INFO;
        return all;
    }

    /**
     * @param event    a {@link SupervisorEvent.Type#GROUP_RESTARTING} event
     * @param source   the supervisor MBean's name
     * @param context  the JMX context
     * @param sequence the notification's sequence number
     * @return its notification
     */
    static Notification of(SupervisorEvent event, ObjectName source, String context, long sequence) {
        Notification notification = new Notification(GROUP_RESTARTING, source, sequence, event.time().toEpochMilli(),
                message(event));
        Object[] values = {
            event.group(), event.supervisor(), context, event.trigger(),
            event.reason() == null ? null : event.reason().tagValue(), event.members().toArray(new String[0]),
            event.delay().toMillis()};
        try {
            notification.setUserData(new CompositeDataSupport(USER_DATA_TYPE, ITEMS, values));
        } catch (OpenDataException e) {
            throw new IllegalStateException("user data does not match its own type", e); // a bug here, not data
        }
        return notification;
    }

    private static String message(SupervisorEvent event) {
        String members = String.join(", ", event.members());
        if (event.trigger() == null) {
            return "Group \"" + event.group() + "\" is restarting at an operator's request: " + members;
        }
        return "Group \"" + event.group() + "\" is restarting in " + event.delay().toMillis() + " ms because \""
                + event.trigger() + "\" " + event.reason().tagValue() + ": " + members;
    }
}
