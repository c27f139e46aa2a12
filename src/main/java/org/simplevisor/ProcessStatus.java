package org.simplevisor;

/**
 * Where a process is in its life.
 *
 * <pre>
 *   STOPPED --start--&gt; STARTING --thread begins--&gt; RUNNING --run ends, restart due--&gt; RESTARTING
 *      ^                                              |   ^                                |
 *      |        run completed, cancelled,             |   +--------thread begins-----------+
 *      +--------or not restarted after completion ----+
 *   FAILED  &lt;--- restart limit exceeded, or a failure/crash that the policy does not restart
 * </pre>
 *
 * <p>A singleton waits in {@code STANDBY} instead of {@code STARTING} until its node acquires the lease, and goes back
 * to {@code STANDBY} when its run ends because the node lost the lease.
 *
 * <p>{@code STOPPED} and {@code FAILED} are at rest: the process runs again only through
 * {@link Supervisor#start(String)} or {@link Supervisor#restart(String)}.
 */
public enum ProcessStatus {
    /** Not running, and not due to run: never started, completed, or cancelled. */
    STOPPED,
    /** Handed to the executor; its thread has not begun the run yet. */
    STARTING,
    /** A run is in progress. */
    RUNNING,
    /** The last run ended and a restart is due, after the restart delay. */
    RESTARTING,
    /**
     * Given up on: it will not run again on its own, as the restart limit was exceeded or a failure is not to be
     * restarted.
     */
    FAILED,
    /**
     * A singleton that wants to run but does not hold its lease: another node holds it, or the lease store cannot be
     * reached. It starts as soon as this node acquires the lease.
     */
    STANDBY;

    /**
     * Returns whether the process is at rest: {@code STOPPED} or {@code FAILED}, so that it runs again only when an
     * operator or the application starts it.
     *
     * @return true for {@code STOPPED} and {@code FAILED}
     */
    public boolean isAtRest() {
        return this == STOPPED || this == FAILED;
    }
}
