package org.simplevisor.jmx;

import java.util.Map;

/**
 * The management interface of a supervisor, registered as {@code <domain>:type=Supervisor,context=<context>}.
 *
 * <p>The MBean has one more attribute than this interface: {@code Processes}, a {@code TabularData} table with a
 * row per process (name, status, running, restart count and limit, counters, last failure), indexed by
 * {@code name}. An MXBean interface cannot declare a {@code TabularData} of its own type, so it is added to the
 * MBean's info directly; read it with {@code MBeanServerConnection.getAttribute(name, "Processes")}.
 *
 * <p>The MBean relays every notification of every process MBean of the supervisor, unchanged (same source,
 * sequence number and user data): one subscription here sees them all.
 */
@Description("A simplevisor supervisor: its processes, their statuses, and operations on one process by name."
        + " Relays the notifications of all its processes")
public interface SupervisorMXBean {

    /** {@return the supervisor's name} */
    @Description("The supervisor's name")
    String getName();

    /**
     * {@return the executor the runs execute on, as whoever published the supervisor described it: in a web
     * application, "the container's executor" and its JNDI name, or "its own executor" and its name; empty when
     * not described}
     */
    @Description("The executor the processes run on: in a web application the container's ManagedExecutorService"
            + " by its JNDI name, or the application's own; empty when whoever published the supervisor did not say")
    String getExecutor();

    /** {@return whether the supervisor was started and has not begun to shut down} */
    @Description("Whether run() was called and shutdown has not begun")
    boolean isStarted();

    /** {@return how many processes are registered} */
    @Description("How many processes are registered")
    int getProcessCount();

    /** {@return how many processes have a run in progress} */
    @Description("How many processes have a run in progress (status RUNNING)")
    int getRunningCount();

    /** {@return the names of all processes, in registration order} */
    @Description("The names of all processes, in registration order")
    String[] getProcessNames();

    /** {@return this node's id: the owner of the leases its singletons hold} */
    @Description("This node's id: the owner of the leases its singletons hold, and what LeaseHolder shows on the"
            + " other nodes")
    String getNodeId();

    /** {@return every declared process group and its strategy} */
    @Description("Every declared process group and its strategy: ONE_FOR_ONE, ONE_FOR_ALL or REST_FOR_ONE")
    Map<String, String> getGroups();

    /** {@return the total time shutdown waits for processes, in milliseconds} */
    @Description("Total time a shutdown waits for the processes to end, in milliseconds")
    long getShutdownTimeoutMillis();

    /**
     * Starts one process (see {@link ProcessMXBean#start()}).
     *
     * @param process the process name
     */
    @Description("Starts a STOPPED or FAILED process, with a fresh restart count")
    void startProcess(@Description(value = "The name of the process to start", name = "process") String process);

    /**
     * Stops one process (see {@link ProcessMXBean#stop()}).
     *
     * @param process the process name
     */
    @Description("Stops a process: cancels its run or its pending restart")
    void stopProcess(@Description(value = "The name of the process to stop", name = "process") String process);

    /**
     * Restarts one process (see {@link ProcessMXBean#restart()}).
     *
     * @param process the process name
     */
    @Description("Restarts a process: a running one is cancelled and started again once its run has ended")
    void restartProcess(
            @Description(value = "The name of the process to restart", name = "process") String process);

    /**
     * Restarts every member of a process group, in start order (see
     * {@link org.simplevisor.Supervisor#restartGroup Supervisor.restartGroup}).
     *
     * @param group the group name
     */
    @Description("Restarts every member of a process group: runs in progress are cancelled, and once all have ended"
            + " every member starts again in start order, with a fresh restart count")
    void restartGroup(@Description(value = "The name of the group to restart", name = "group") String group);

    /**
     * Sets one process's restart count back to zero (see {@link ProcessMXBean#resetRestartCount()}).
     *
     * @param process the process name
     */
    @Description("Sets a process's restart count (and backoff) back to zero")
    void resetRestartCount(
            @Description(value = "The name of the process whose restart count to reset", name = "process")
            String process);
}
