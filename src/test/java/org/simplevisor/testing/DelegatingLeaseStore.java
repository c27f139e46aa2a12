package org.simplevisor.testing;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.simplevisor.Lease;
import org.simplevisor.LeaseStore;
import org.simplevisor.LeaseStoreException;
import org.simplevisor.LeaseTiming;

/** A lease store that passes every call on to another: a test overrides the call it makes slow or fail. */
public class DelegatingLeaseStore implements LeaseStore {

    private final LeaseStore delegate;

    /** @param delegate the store that answers */
    public DelegatingLeaseStore(LeaseStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public LeaseTiming timing() {
        return delegate.timing();
    }

    @Override
    public void prepare() throws LeaseStoreException {
        delegate.prepare();
    }

    @Override
    public Optional<Lease> tryAcquire(String name, String owner) throws LeaseStoreException {
        return delegate.tryAcquire(name, owner);
    }

    @Override
    public Set<Lease> renew(Collection<Lease> held) throws LeaseStoreException {
        return delegate.renew(held);
    }

    @Override
    public boolean release(Lease lease) throws LeaseStoreException {
        return delegate.release(lease);
    }

    @Override
    public Map<String, Lease> holders(Collection<String> names) throws LeaseStoreException {
        return delegate.holders(names);
    }
}
