package org.simplevisor;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the leases of cluster singletons live: a store that every node of a cluster shares, typically the
 * application's own relational database ({@code org.simplevisor.cluster.JdbcLeaseStore}).
 *
 * <p>A lease is a named record with a holder, a fencing token and an expiry. Implementations must keep these
 * promises, which the supervisor's singletons rely on:
 * <ul>
 *   <li><b>The store's time only.</b> Expiry is computed and compared with the store's clock, never a node's.</li>
 *   <li><b>One holder.</b> A lease is acquired only where it has never been held, was released, or has expired in
 *       the store's time; acquisitions of one lease never overlap.</li>
 *   <li><b>Fencing tokens.</b> Every acquisition gives a token greater than that of every earlier acquisition of
 *       the same lease, on any node, for as long as the store keeps the lease.</li>
 *   <li><b>Exact matches.</b> Renewal and release act only on a lease still held by the same owner with the same
 *       token, so a late renewal or release never touches a later acquisition.</li>
 *   <li><b>Flat load.</b> {@link #renew renew} and {@link #holders holders} cover many leases in as few round trips
 *       as the store allows (one, for a database), so that a node's load on the store does not grow with its
 *       singletons.</li>
 * </ul>
 *
 * <p>Every method other than {@link #timing()} and {@link #close()} may block on the store, but no longer than
 * about half the {@linkplain LeaseTiming#renewInterval() renewal interval}. All methods are thread-safe.
 */
public interface LeaseStore extends AutoCloseable {

    /**
     * The longest lease name and owner every store accepts: {@value} characters. A singleton's lease is named
     * {@code <supervisor name>/<process name>} and owned by the node's id; the supervisor refuses longer ones.
     */
    int MAX_NAME_LENGTH = 255;

    /** {@return the lease time, and how often and how long holders renew} */
    LeaseTiming timing();

    /**
     * Makes the store ready: connects, and creates or checks its storage. The supervisor calls it when it starts,
     * and again before each further use for as long as it fails with {@link LeaseStoreUnavailableException}. Calling
     * it again once it has succeeded does nothing.
     *
     * @throws LeaseStoreUnavailableException if the store cannot be reached now
     * @throws LeaseStoreException            if the store is misconfigured: the supervisor does not start
     */
    void prepare() throws LeaseStoreException;

    /**
     * Acquires a lease for {@code owner} if nobody holds it: never held, released, or expired in the store's time.
     * A lease {@code owner} itself still holds is not acquired again.
     *
     * @param name  the lease's name
     * @param owner the acquiring node
     * @return the new acquisition, with a token greater than any earlier one of this lease; empty if another
     *         acquisition still holds the lease
     * @throws LeaseStoreException if the store failed; the lease may or may not have been acquired, and if it was,
     *                             it expires unrenewed
     */
    Optional<Lease> tryAcquire(String name, String owner) throws LeaseStoreException;

    /**
     * Extends every given lease by the lease time from now, in the store's time, where it is still held by the same
     * owner with the same token and has not expired.
     *
     * @param held acquisitions, each of a different lease
     * @return those renewed; a lease left out is no longer held by its acquisition (it expired, or another
     *         acquisition took it)
     * @throws IllegalArgumentException if two acquisitions are of the same lease
     * @throws LeaseStoreException      if the store failed; some leases may have been renewed
     */
    Set<Lease> renew(Collection<Lease> held) throws LeaseStoreException;

    /**
     * Releases a lease at once, if it is still held by this acquisition, so that another node may acquire it
     * without waiting for its expiry.
     *
     * @param lease the acquisition
     * @return whether it was still held, and is now released
     * @throws LeaseStoreException if the store failed; the lease then expires unrenewed
     */
    boolean release(Lease lease) throws LeaseStoreException;

    /**
     * {@return the current acquisitions of the named leases, by name; a lease that nobody holds (never held,
     * released or expired) is absent}
     *
     * @param names lease names
     * @throws LeaseStoreException if the store failed
     */
    Map<String, Lease> holders(Collection<String> names) throws LeaseStoreException;

    /** Releases what the store itself holds (not the leases). The default does nothing. */
    @Override
    default void close() {
    }
}
