package org.simplevisor.benchmarks;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The work of the restart-path benchmark, the same for the supervisor and every baseline: a task that fails at
 * once with a fresh {@link IllegalStateException} (its stack trace filled in, as a real failure's is). It counts its
 * runs; the benchmark thread parks until a batch of runs has happened and is woken by the run that completes it, so
 * that waiting costs no CPU.
 */
final class CrashLoop {

    private final AtomicLong runs = new AtomicLong();
    private volatile long target = Long.MAX_VALUE;
    private volatile Thread waiter;
    private volatile boolean stopped;

    /** One run: fails at once, unless the loop is being stopped. */
    void run() {
        if (stopped) {
            return; // lets Failsafe and the bare loops end; the supervisor is shut down instead
        }
        if (runs.incrementAndGet() >= target) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
        throw new IllegalStateException("fails at once");
    }

    /** @return runs so far */
    long runs() {
        return runs.get();
    }

    /** Forgets the runs made while no one was waiting (between JMH iterations). */
    void resetTarget() {
        target = runs.get();
    }

    /**
     * Waits until {@code batch} more runs have happened since the previous batch (or {@link #resetTarget()}).
     *
     * @throws IllegalStateException if nothing runs for 10 s
     */
    void awaitBatch(int batch) {
        waiter = Thread.currentThread();
        long next = target + batch;
        target = next;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (runs.get() < next) {
            LockSupport.parkNanos(this, 10_000_000L);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the crash loop stalled at " + runs.get() + " runs, waiting for "
                        + next);
            }
        }
    }

    boolean isStopped() {
        return stopped;
    }

    void stop() {
        stopped = true;
    }
}
