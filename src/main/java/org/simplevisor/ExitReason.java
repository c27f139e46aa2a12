package org.simplevisor;

import java.util.Locale;

/** How one run of a process ended. */
public enum ExitReason {
    /** The run returned normally without having been cancelled. */
    COMPLETED,
    /** The run threw a checked exception, or the watchdog declared it hung. */
    FAILED,
    /** The run threw a {@link RuntimeException} or an {@link Error} (Go: a panic). */
    CRASHED,
    /**
     * The run ended with an {@link InterruptedException} although the supervisor had not cancelled it: something
     * else interrupted its thread, typically a container shutting its executor down. Not a failure, never restarted.
     * A {@link java.util.concurrent.CancellationException} the run throws is not this: it says that some work the run
     * waited for was cancelled, not that the run was asked to end, so it is {@link #CRASHED} like any other
     * unchecked exception.
     */
    CANCELLED,
    /** The run ended after the supervisor's shutdown cancelled it. */
    SHUTDOWN,
    /** The run ended after an operator's {@code stop} or {@code restart} cancelled it. */
    MANUAL,
    /**
     * The run of a singleton ended after its node lost the lease and cancelled it. Not a failure: the process waits
     * in {@link ProcessStatus#STANDBY} to acquire the lease again.
     */
    LEASE_LOST,
    /**
     * The run ended after its group cancelled it: another member's end restarted the group, an operator restarted
     * the group, or the group gave up. See {@link GroupStrategy}.
     */
    GROUP;

    private final String tagValue = name().toLowerCase(Locale.ROOT);

    /** {@return the lower-case name used in metric tags and notifications, such as {@code "completed"}} */
    public String tagValue() {
        return tagValue;
    }

    /** {@return whether a run ending this way counts as a failure (and may be restarted)} */
    public boolean isFailure() {
        return this == FAILED || this == CRASHED;
    }

    /** {@return whether the run was ended by a cancellation rather than by itself} */
    public boolean isCancellation() {
        return this == CANCELLED || this == SHUTDOWN || this == MANUAL || this == LEASE_LOST || this == GROUP;
    }
}
