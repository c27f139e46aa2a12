package org.simplevisor;

import org.jspecify.annotations.Nullable;

/**
 * A {@link LeaseStore} that could not be reached, or did not answer in time: the database is down, unreachable,
 * overloaded or restarting. Trying again later may succeed.
 */
public class LeaseStoreUnavailableException extends LeaseStoreException {

    private static final long serialVersionUID = 1L;

    /**
     * Reports that the store could not be reached, or did not answer in time.
     *
     * @param message what could not be done
     * @param cause   the store's own exception, or {@code null}
     */
    public LeaseStoreUnavailableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
