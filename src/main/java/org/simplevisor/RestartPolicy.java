package org.simplevisor;

/** When a process whose run ended on its own is started again. A cancelled run is never restarted. */
public enum RestartPolicy {
    /** Never restart: a completed process is then {@link ProcessStatus#STOPPED}, a failed one {@code FAILED}. */
    NEVER,
    /** Restart after completion, failure and crash alike: the process is meant to run for ever. */
    ALWAYS,
    /** Restart after a failure or a crash, not after a normal completion. */
    ON_FAILURE;

    /** {@return whether a run that ended as {@code outcome} is restarted under this policy} */
    boolean restartsAfter(ExitReason outcome) {
        switch (outcome) {
            case COMPLETED:
                return this == ALWAYS;
            case FAILED:
            case CRASHED:
                return this != NEVER;
            default:
                return false;
        }
    }
}
