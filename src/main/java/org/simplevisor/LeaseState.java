package org.simplevisor;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a singleton's node knows of its lease, in a {@link ProcessSnapshot}.
 *
 * @param holder       the node that holds the lease, as this node last saw it: its own {@link Supervisor#nodeId()}
 *                     while it holds the lease; empty when nobody holds it or nobody is known to
 * @param fencingToken the token this node holds the lease with, and its runs see in
 *                     {@link ProcessContext#fencingToken()}; 0 while it does not hold the lease
 * @param lastLoss     how this node last stopped holding the lease, or {@code null} if it never has
 */
public record LeaseState(String holder, long fencingToken, LeaseLoss lastLoss) {

    /** {@return whether this node holds the lease} */
    public boolean held() {
        return fencingToken > 0;
    }

    // Declared: generated ones can keep a web application's class loader alive (ClassLoaderReleaseTest).
    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof LeaseState that && Objects.equals(holder, that.holder)
                && fencingToken == that.fencingToken && lastLoss == that.lastLoss;
    }

    @Override
    public int hashCode() {
        return Objects.hash(holder, fencingToken, lastLoss);
    }

    @Override
    public String toString() {
        return "LeaseState[holder=" + holder + ", fencingToken=" + fencingToken + ", lastLoss=" + lastLoss + "]";
    }
}
