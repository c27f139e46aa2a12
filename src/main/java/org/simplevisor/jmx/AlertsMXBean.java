package org.simplevisor.jmx;

import java.util.Date;

/**
 * The management interface of a supervisor's alerts, registered as {@code <domain>:type=Alerts,context=<context>}:
 * the MBean to subscribe to for what needs a person. It emits only {@value SupervisorJmx#PROCESS_RESTART_LIMIT_EXCEEDED},
 * {@value SupervisorJmx#PROCESS_HUNG} and {@value SupervisorJmx#PROCESS_SHUTDOWN_TIMEOUT}, each with a message that
 * begins with what happened and to which process; the supervisor MBean relays everything.
 */
@Description("The alerts of a simplevisor supervisor: subscribe here for what needs a person (restart limit"
        + " exceeded, hung, shutdown timeout); the Supervisor MBean relays every notification")
public interface AlertsMXBean {

    /** @return how many alerts were raised since the MBean was registered */
    @Description("How many alerts were raised since the MBean was registered; also the last alert's sequence number")
    long getAlertCount();

    /** @return the last alert's message, or null if there was none */
    @Description("The last alert's message; null if there was none")
    String getLastAlert();

    /** @return when the last alert was raised, or null */
    @Description("When the last alert was raised; null if there was none")
    Date getLastAlertTime();
}
