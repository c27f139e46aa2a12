package org.simplevisor.jmx;

import java.util.Date;
import org.jspecify.annotations.Nullable;

/**
 * The management interface of one supervised process, registered as
 * {@code <domain>:type=Process,context=<context>,name=<process>}. Every value is read afresh from the supervisor
 * at each call. The MBean also emits the process's notifications (see {@link SupervisorJmx}).
 */
@Description("A process run and restarted by a simplevisor supervisor: its status, counters and last failure, and"
        + " operations to start, stop and restart it")
public interface ProcessMXBean {

    /** {@return the process's registered name} */
    @Description("The process's registered name")
    String getName();

    /**
     * {@return the status: {@code STOPPED}, {@code STARTING}, {@code RUNNING}, {@code RESTARTING}, {@code FAILED} or
     * {@code STANDBY}}
     */
    @Description("STOPPED, STARTING, RUNNING, RESTARTING, FAILED (will not run again on its own: restart limit"
            + " exceeded, or a failure its policy does not restart), or STANDBY (a singleton waiting for its lease,"
            + " which another node holds)")
    String getStatus();

    /** {@return the group the process restarts with, or null if it is in none} */
    @Description("The process group it restarts with, as the supervisor's Groups declare it; null if it is in none")
    @Nullable String getGroup();

    /** {@return the restart policy: {@code NEVER}, {@code ALWAYS} or {@code ON_FAILURE}} */
    @Description("When a run that ended on its own is started again: NEVER, ALWAYS or ON_FAILURE")
    String getRestartPolicy();

    /** {@return how many restarts are counted toward the limit} */
    @Description("Restarts counted toward MaxRestarts (within the restart window, if any); reset by a healthy run,"
            + " by start, restart and resetRestartCount")
    int getRestartCount();

    /** {@return the restart limit; 0 or less means unlimited} */
    @Description("Restarts allowed before the process becomes FAILED; 0 or less means unlimited")
    int getMaxRestarts();

    /** {@return the base delay before a restart, in milliseconds} */
    @Description("Base delay before a restart, in milliseconds (before any backoff and jitter)")
    long getRestartDelayMillis();

    /** {@return how many runs began since registration} */
    @Description("Runs begun since registration")
    long getTotalStarts();

    /** {@return how many restarts were performed since registration} */
    @Description("Restarts performed by the restart policy, or with its group, since registration (never reset)")
    long getTotalRestarts();

    /** {@return how many runs ended with a checked exception or were declared hung} */
    @Description("Runs that threw a checked exception or were declared hung by the watchdog")
    long getTotalFailures();

    /** {@return how many runs ended with a {@link RuntimeException} or an {@link Error}} */
    @Description("Runs that crashed: threw a RuntimeException or an Error")
    long getTotalCrashes();

    /**
     * {@return how the last run ended (COMPLETED, FAILED, CRASHED, CANCELLED, SHUTDOWN, MANUAL, LEASE_LOST, GROUP),
     * or null}
     */
    @Description("How the last run ended: COMPLETED, FAILED, CRASHED, CANCELLED, SHUTDOWN, MANUAL, LEASE_LOST (a"
            + " singleton's node lost its lease) or GROUP (its group cancelled it); null before the first end")
    @Nullable String getLastExitReason();

    /** {@return the last failure as {@code "class: message"}, or null if the process never failed} */
    @Description("What the last failed or crashed run threw, as \"class: message\"; null if it never failed")
    @Nullable String getLastFailure();

    /** {@return when the last failure happened, or null} */
    @Description("When the last failure happened; null if it never failed")
    @Nullable Date getLastFailureTime();

    /** {@return when the last run began, or null if the process never ran} */
    @Description("When the last run began; null if it never ran")
    @Nullable Date getLastStartTime();

    /** {@return how long the current run has lasted, in milliseconds; 0 when not running} */
    @Description("How long the current run has lasted, in milliseconds; 0 when not running")
    long getUptimeMillis();

    /** {@return whether a run is in progress} */
    @Description("Whether a run is in progress (Status is RUNNING)")
    boolean isRunning();

    /** {@return whether the process is a cluster singleton: it runs on one node of those sharing its lease store} */
    @Description("Whether the process is a cluster singleton: it runs on the one node that holds its lease, and"
            + " waits in STANDBY on the others")
    boolean isSingleton();

    /** {@return the node id of the singleton's lease holder as this node last saw it; empty if none} */
    @Description("The node id of the node holding the singleton's lease, as this node last saw it; this node's"
            + " NodeId while it holds it; empty when nobody holds it (or the process is not a singleton)")
    String getLeaseHolder();

    /** {@return the fencing token this node holds the singleton's lease with; 0 if it does not hold it} */
    @Description("The fencing token this node holds the singleton's lease with, which its run sees; greater than"
            + " that of every earlier holder. 0 when this node does not hold the lease")
    long getFencingToken();

    /** Starts the process if it is stopped or failed, with a fresh restart count; a pending restart happens now. */
    @Description("Starts the process if it is STOPPED or FAILED, with a fresh restart count; a pending restart"
            + " happens at once. Does nothing to a running process")
    void start();

    /** Stops the process: cancels its run or its pending restart. */
    @Description("Stops the process: cancels its run (it becomes STOPPED when the run ends) or its pending"
            + " restart")
    void stop();

    /** Restarts the process: a running one is cancelled and started again once its run has ended. */
    @Description("Restarts the process: a running one is cancelled and started again once its run has ended; one"
            + " at rest is started. The restart count begins afresh. A STARTING one is left to begin its run")
    void restart();

    /** Sets the restart count (and backoff) back to zero. */
    @Description("Sets RestartCount (and the backoff) back to zero")
    void resetRestartCount();
}
