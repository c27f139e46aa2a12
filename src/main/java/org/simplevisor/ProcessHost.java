package org.simplevisor;

import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * What a {@link ManagedProcess} uses of its supervisor: the time (the wall clock for what it reports, a monotonic
 * ticker in nanoseconds for what it measures: heartbeats, health, the restart window), where runs execute, where
 * delays wait, where events go, and who keeps the leases of singletons ({@code null} when the supervisor has no
 * lease store).
 */
final class ProcessHost {
    final String supervisorName;
    final Clock clock;
    final LongSupplier ticker;
    final Executor executor;
    final ScheduledExecutorService scheduler;
    final EventDispatcher events;
    final LeaseKeeper leases;

    ProcessHost(String supervisorName, Clock clock, LongSupplier ticker, Executor executor,
            ScheduledExecutorService scheduler, EventDispatcher events, LeaseKeeper leases) {
        this.supervisorName = supervisorName;
        this.clock = clock;
        this.ticker = ticker;
        this.executor = executor;
        this.scheduler = scheduler;
        this.events = events;
        this.leases = leases;
    }
}
