package org.simplevisor;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.simplevisor.testing.DelegatingLeaseStore;

/**
 * For tests that race something against the lease keeper's hand-over of an acquisition to its process: the first
 * acquisition waits for the test; another thread then holds the process's lock (an operator's
 * {@code resetRestartCount}, whose clock reading runs a hook) while the keeper's worker waits for it.
 */
final class HandOverGate {

    private HandOverGate() {
    }

    /** A store whose first acquisition waits until the test lets it go. */
    static final class GatedAcquisition extends DelegatingLeaseStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch proceed = new CountDownLatch(1);
        private volatile boolean armed = true;

        GatedAcquisition(LeaseStore delegate) {
            super(delegate);
        }

        @Override
        public Optional<Lease> tryAcquire(String name, String owner) throws LeaseStoreException {
            if (armed) {
                armed = false;
                entered.countDown();
                try {
                    proceed.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.tryAcquire(name, owner);
        }
    }

    /** A clock that runs a hook at its first reading by {@code gated} within {@code resetRestartCount}. */
    static final class GatedClock extends Clock {
        private final Clock delegate;
        volatile Thread gated;
        volatile Runnable hook;

        GatedClock(Clock delegate) {
            this.delegate = delegate;
        }

        @Override
        public Instant instant() {
            if (Thread.currentThread() == gated && Arrays.stream(Thread.currentThread().getStackTrace())
                    .anyMatch(f -> f.getMethodName().equals("resetRestartCount")
                            && f.getClassName().equals(ManagedProcess.class.getName()))) {
                gated = null;
                hook.run();
            }
            return delegate.instant();
        }

        @Override
        public ZoneId getZone() {
            return delegate.getZone();
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** {@return the lease keeper's worker thread of the supervisor named {@code supervisor}} */
    static Thread leaseWorker(String supervisor) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(Supervisor.threadNamePrefix(supervisor) + "-lease-")).findFirst()
                .orElseThrow();
    }

    /** {@return whether the keeper's worker waits for the process's lock to hand it an acquisition} */
    static boolean waitsInLeaseAcquired(Thread worker) {
        return worker.getState() == Thread.State.BLOCKED && Arrays.stream(worker.getStackTrace())
                .anyMatch(f -> f.getMethodName().equals("leaseAcquired"));
    }
}
