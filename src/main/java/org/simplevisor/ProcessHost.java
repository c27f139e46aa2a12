package org.simplevisor;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link ManagedProcess} uses of its supervisor: the time (the wall clock for what it reports, a monotonic
 * ticker in nanoseconds for what it measures: heartbeats, health, the restart window), where runs execute, where
 * delays wait, where events go, who keeps the leases of singletons ({@code null} when the supervisor has no
 * lease store), and how long the executor has to take a run ({@code null} for the supervisor's own threads).
 */
final class ProcessHost {
    final String supervisorName;
    final Clock clock;
    final LongSupplier ticker;
    final Executor executor;
    final ScheduledExecutorService scheduler;
    final EventDispatcher events;
    final LeaseKeeper leases;
    final @Nullable Duration runTakeTimeout;

    ProcessHost(String supervisorName, Clock clock, LongSupplier ticker, Executor executor,
            ScheduledExecutorService scheduler, EventDispatcher events, LeaseKeeper leases,
            @Nullable Duration runTakeTimeout) {
        this.supervisorName = supervisorName;
        this.clock = clock;
        this.ticker = ticker;
        this.executor = executor;
        this.scheduler = scheduler;
        this.events = events;
        this.leases = leases;
        this.runTakeTimeout = runTakeTimeout;
    }
}
