package org.simplevisor;

/**
 * A long-running piece of background work that a {@link Supervisor} starts, watches and restarts.
 *
 * <p>One call of {@link #run(ProcessContext)} is one <em>run</em>. How the run ends decides what the supervisor
 * does next:
 * <ul>
 *   <li>returning normally is a <em>completion</em>, restarted only under {@link RestartPolicy#ALWAYS};</li>
 *   <li>throwing a checked {@link Exception} is a <em>failure</em>, restarted under {@code ALWAYS} and
 *       {@code ON_FAILURE};</li>
 *   <li>throwing a {@link RuntimeException} or an {@link Error} is a <em>crash</em>: the recover handler is
 *       called, and it is restarted under {@code ALWAYS} and {@code ON_FAILURE};</li>
 *   <li>any exit after the supervisor cancelled the run is a <em>cancellation</em>: never a failure, never
 *       restarted.</li>
 * </ul>
 *
 * <p>A well-behaved process checks {@link ProcessContext#isCancelled()} or blocks in
 * {@link ProcessContext#awaitCancellation()}, and returns promptly once cancelled. A run waiting in
 * {@code awaitCancellation} is woken without an interrupt, so that it can clean up over a socket or a JDBC
 * connection; a run anywhere else is interrupted, so that blocking JDK calls end with an
 * {@link InterruptedException}.
 */
@FunctionalInterface
public interface SupervisedProcess {

    /**
     * Does the work of one run.
     *
     * @param ctx this run's context: its name, cancellation and heartbeat
     * @throws Exception a checked exception ends the run as a failure
     */
    void run(ProcessContext ctx) throws Exception;
}
