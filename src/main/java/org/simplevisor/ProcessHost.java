package org.simplevisor;

import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a {@link ManagedProcess} uses of its supervisor: the time, where runs execute, where delays wait, where
 * events go, and who keeps the leases of singletons ({@code null} when the supervisor has no lease store).
 */
record ProcessHost(
        String supervisorName,
        Clock clock,
        Executor executor,
        ScheduledExecutorService scheduler,
        EventDispatcher events,
        LeaseKeeper leases) {
}
