package org.simplevisor.testing;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.simplevisor.Lease;
import org.simplevisor.LeaseStore;
import org.simplevisor.LeaseStoreException;
import org.simplevisor.LeaseStoreUnavailableException;
import org.simplevisor.LeaseTiming;

/**
 * Lease rows in memory whose "database time" is a test's clock, so that a test drives lease expiry with
 * {@link ManualClock}. Each node reaches them through a {@link Connection} of its own, which a test can cut off (a
 * database down, a partition, a node paused) and counts its calls (one per statement of a database). The rules are
 * those of {@code JdbcLeaseStore}, whose contract tests run on real databases.
 */
public final class ClockLeaseStore {

    private record Row(String owner, long token, Instant expires) {
    }

    private final Clock clock;
    private final LeaseTiming timing;
    private final Map<String, Row> rows = new HashMap<>();

    public ClockLeaseStore(Clock clock, LeaseTiming timing) {
        this.clock = clock;
        this.timing = timing;
    }

    /** {@return a new node's way to the rows} */
    public Connection connect() {
        return new Connection();
    }

    /** Gives a lease to another owner, as a node that took it over would. */
    public synchronized Lease takeOver(String name, String owner) {
        Row row = rows.get(name);
        long token = row == null ? 1 : row.token + 1;
        rows.put(name, new Row(owner, token, clock.instant().plus(timing.leaseTime())));
        return new Lease(name, owner, token);
    }

    /** {@return the holder of a lease now, if it is held} */
    public synchronized Optional<Lease> holder(String name) {
        Row row = rows.get(name);
        return row == null || !row.expires.isAfter(clock.instant()) ? Optional.empty()
                : Optional.of(new Lease(name, row.owner, row.token));
    }

    /** One node's connection to the rows. */
    public final class Connection implements LeaseStore {

        private volatile boolean reachable = true;
        private volatile String misconfiguration;
        private final AtomicInteger calls = new AtomicInteger();

        /** Cuts the node off the rows, or connects it again. */
        public void reachable(boolean reachable) {
            this.reachable = reachable;
        }

        /** Makes {@link #prepare()} fail as a misconfigured store does, with this message. */
        public void misconfigured(String message) {
            misconfiguration = message;
        }

        /** {@return the calls since the last call of this method, and counts afresh} */
        public int takeCalls() {
            return calls.getAndSet(0);
        }

        @Override
        public LeaseTiming timing() {
            return timing;
        }

        @Override
        public void prepare() throws LeaseStoreException {
            call();
            if (misconfiguration != null) {
                throw new LeaseStoreException(misconfiguration, null);
            }
        }

        @Override
        public Optional<Lease> tryAcquire(String name, String owner) throws LeaseStoreException {
            call();
            synchronized (ClockLeaseStore.this) {
                if (holder(name).isPresent()) {
                    return Optional.empty();
                }
                return Optional.of(takeOver(name, owner));
            }
        }

        @Override
        public Set<Lease> renew(Collection<Lease> held) throws LeaseStoreException {
            call();
            Set<Lease> renewed = new LinkedHashSet<>();
            synchronized (ClockLeaseStore.this) {
                for (Lease lease : held) {
                    if (holder(lease.name()).filter(lease::equals).isPresent()) {
                        rows.put(lease.name(), new Row(lease.owner(), lease.token(),
                                clock.instant().plus(timing.leaseTime())));
                        renewed.add(lease);
                    }
                }
            }
            return renewed;
        }

        @Override
        public boolean release(Lease lease) throws LeaseStoreException {
            call();
            synchronized (ClockLeaseStore.this) {
                if (holder(lease.name()).filter(lease::equals).isEmpty()) {
                    return false;
                }
                rows.put(lease.name(), new Row(lease.owner(), lease.token(), clock.instant()));
                return true;
            }
        }

        @Override
        public Map<String, Lease> holders(Collection<String> names) throws LeaseStoreException {
            call();
            Map<String, Lease> holders = new HashMap<>();
            synchronized (ClockLeaseStore.this) {
                names.forEach(name -> holder(name).ifPresent(lease -> holders.put(name, lease)));
            }
            return holders;
        }

        private void call() throws LeaseStoreUnavailableException {
            calls.incrementAndGet();
            if (!reachable) {
                throw new LeaseStoreUnavailableException("the lease rows cannot be reached", null);
            }
        }

        @Override
        public String toString() {
            return "ClockLeaseStore";
        }
    }
}
