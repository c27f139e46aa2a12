package org.simplevisor;

import java.util.Locale;

/** Why a singleton's node stopped holding its lease. */
public enum LeaseLoss {
    /** The node gave the lease back: the process came to rest here (stopped, failed, shut down, undeployed). */
    RELEASED,
    /** The lease store no longer had the lease as this node's: it expired there, and perhaps another node took it. */
    EXPIRED,
    /** No renewal succeeded within the renew deadline: the node stopped the run before the lease could expire. */
    RENEWAL_FAILED;

    /** {@return the lower-case name used in metric tags and notifications, such as {@code "renewal_failed"}} */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
