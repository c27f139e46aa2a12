package org.simplevisor;

import org.jspecify.annotations.Nullable;

/**
 * An operation a {@link LeaseStore} refused: it is misconfigured (a missing table or column, a user without the
 * rights it needs, an unsupported database) or the operation failed in a way that trying again will not mend.
 * {@link LeaseStoreUnavailableException}, a subclass, says the store could not be reached for now.
 */
public class LeaseStoreException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Reports an operation the store refused.
     *
     * @param message what went wrong, naming what the operator must fix
     * @param cause   the store's own exception, or {@code null}
     */
    public LeaseStoreException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
