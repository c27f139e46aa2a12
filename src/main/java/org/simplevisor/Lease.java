package org.simplevisor;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One acquisition of a named lease: who holds it, with which fencing token. A holder renews and releases the lease
 * by presenting this value, so that a renewal or release that arrives late never touches a later acquisition.
 *
 * @param name  the lease's name, unique within its {@link LeaseStore}
 * @param owner the node that acquired it
 * @param token the fencing token of this acquisition: greater than that of every earlier acquisition of the same
 *              lease, on any node
 */
public record Lease(String name, String owner, long token) {

    /**
     * Creates an acquisition, checking its parts.
     *
     * @param name  the lease's name
     * @param owner the node that acquired it
     * @param token the fencing token of this acquisition
     * @throws IllegalArgumentException if a name or owner is empty, or the token is not positive
     */
    public Lease {
        requireText("name", name);
        requireText("owner", owner);
        if (token <= 0) {
            throw new IllegalArgumentException("lease token must be positive, was " + token);
        }
    }

    private static void requireText(String part, String value) {
        Objects.requireNonNull(value, part);
        if (value.isEmpty()) {
            throw new IllegalArgumentException("lease " + part + " must not be empty");
        }
    }

    // Declared: generated ones can keep a web application's class loader alive (ClassLoaderReleaseTest).
    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof Lease that && Objects.equals(name, that.name) && Objects.equals(owner, that.owner)
                && token == that.token;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, owner, token);
    }

    @Override
    public String toString() {
        return "Lease[name=" + name + ", owner=" + owner + ", token=" + token + "]";
    }
}
