package org.simplevisor.metrics;

import org.simplevisor.ExitReason;
import org.simplevisor.LeaseLoss;
import org.simplevisor.SupervisorEvent;

/**
 * The counters of one process as a publisher of meters keeps them; {@link #count} decides, the same for every
 * publisher, which event counts where. Called on the supervisor's event thread only.
 */
interface ProcessCounters {

    /** A run began. */
    void started();

    /** A restart by the restart policy happened (its run began). */
    void restarted();

    /** A run ended, for this reason. */
    void stopped(ExitReason reason);

    /** A run threw a {@code RuntimeException} or {@code Error}. */
    void panicked();

    /** The process exceeded its restart limit. */
    void restartLimitExceeded();

    /** The process outlived the shutdown timeout, or the time its group gave it to end. */
    void shutdownTimedOut();

    /** This node acquired the singleton's lease. */
    void leaseAcquired();

    /** This node stopped holding the singleton's lease, for this reason. */
    void leaseLost(LeaseLoss loss);

    /**
     * Counts an event of the process; the other events change only what the gauges read.
     *
     * @param event    an event of the process these counters belong to
     * @param counters the counters
     */
    static void count(SupervisorEvent event, ProcessCounters counters) {
        switch (event.type()) {
            case STARTED:
                counters.started();
                if (event.restart()) {
                    counters.restarted();
                }
                break;
            case COMPLETED:
            case FAILED:
            case CRASHED:
            case STOPPED:
                if (event.reason() != null) {
                    counters.stopped(event.reason());
                }
                if (event.type() == SupervisorEvent.Type.CRASHED) {
                    counters.panicked();
                }
                break;
            case RESTART_LIMIT_EXCEEDED:
                counters.restartLimitExceeded();
                break;
            case LEASE_ACQUIRED:
                counters.leaseAcquired();
                break;
            case LEASE_LOST:
                counters.leaseLost(event.snapshot().lease().lastLoss());
                break;
            case SHUTDOWN_TIMEOUT:
                counters.shutdownTimedOut();
                break;
            default:
                break;
        }
    }
}
