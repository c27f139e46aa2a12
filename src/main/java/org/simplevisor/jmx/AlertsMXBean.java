package org.simplevisor.jmx;

import java.util.Date;
import org.jspecify.annotations.Nullable;

/**
 * The management interface of a supervisor's alerts, registered as {@code <domain>:type=Alerts,context=<context>}:
 * the MBean to subscribe to for what needs a person. It emits only
 * {@value SupervisorJmx#PROCESS_RESTART_LIMIT_EXCEEDED}, {@value SupervisorJmx#PROCESS_HUNG},
 * {@value SupervisorJmx#PROCESS_SHUTDOWN_TIMEOUT}, for a singleton whose node lost its lease without giving it
 * back {@value SupervisorJmx#PROCESS_LEASE_LOST}, for a process a refused run left {@code FAILED}
 * {@value SupervisorJmx#PROCESS_REFUSED}, and for one an interrupt the supervisor did not send left at rest
 * {@value SupervisorJmx#PROCESS_STOPPED}, each with a message that begins with what happened and to which process;
 * the supervisor MBean relays everything.
 */
@Description("The alerts of a simplevisor supervisor: subscribe here for what needs a person (restart limit"
        + " exceeded, hung, shutdown timeout, lease lost, run refused, stopped by an interrupt); the Supervisor MBean"
        + " relays every notification")
public interface AlertsMXBean {

    /** {@return how many alerts were raised since the MBean was registered} */
    @Description("How many alerts were raised since the MBean was registered; also the last alert's sequence number")
    long getAlertCount();

    /** {@return the last alert's message, or null if there was none} */
    @Description("The last alert's message; null if there was none")
    @Nullable String getLastAlert();

    /** {@return when the last alert was raised, or null} */
    @Description("When the last alert was raised; null if there was none")
    @Nullable Date getLastAlertTime();
}
