package org.simplevisor;

import java.time.Duration;

/**
 * What a running process sees of its supervisor: one context per run.
 *
 * <p>All methods are thread-safe. The context of a run that has ended stays cancelled, however the run ended:
 * another thread of the process waiting in {@link #awaitCancellation()} is released when the run ends.
 */
public interface ProcessContext {

    /** {@return the name the process was registered under} */
    String name();

    /**
     * {@return whether the supervisor asked this run to end (shutdown, stop, restart, the watchdog, its group or a
     * lost lease), or the run has ended}
     */
    boolean isCancelled();

    /**
     * Tells the watchdog that the process is alive. Without a watchdog it does nothing; with one, a run that does
     * not call it within the watchdog timeout is declared hung.
     */
    void heartbeat();

    /** {@return how many restarts had been counted when this run began: 0 for the first run} */
    int restartCount();

    /**
     * {@return the fencing token of this run: for a singleton, the token of the lease acquisition it runs under,
     * greater than that of every earlier acquisition on any node; 0 for a process that is not a singleton}
     * Writing it with every side effect, and refusing writes that carry a smaller token than the last one seen
     * (for example {@code UPDATE ... SET fence = ? WHERE fence <= ?}), rejects the late writes of a node that lost
     * its lease while paused.
     */
    default long fencingToken() {
        return 0;
    }

    /**
     * Blocks until this run is cancelled. On the run's own thread, a cancellation that finds it waiting here wakes it
     * without an interrupt: the call returns with the interrupt status clear, so that the cleanup after it may block
     * on I/O, JDBC or {@link Thread#sleep}. A run's thread that is anywhere else when it is cancelled is interrupted
     * instead, and a later call here returns at once with that status left set. Another thread of the process
     * returns with its interrupt status as it was.
     *
     * @throws InterruptedException if the thread is interrupted by something other than this run's cancellation
     */
    void awaitCancellation() throws InterruptedException;

    /**
     * Blocks until this run is cancelled or the timeout elapses.
     *
     * @param timeout how long to wait; on the run's own platform thread, rounded up to a whole millisecond
     * @return {@code true} if the run was cancelled, with the interrupt status as {@link #awaitCancellation()}
     *         leaves it; {@code false} if the timeout elapsed first. A wait that times out just as the run is
     *         cancelled either returns {@code true} or leaves the cancellation's interrupt to follow: it is never
     *         missed.
     * @throws InterruptedException if the thread is interrupted by something other than this run's cancellation
     */
    boolean awaitCancellation(Duration timeout) throws InterruptedException;
}
