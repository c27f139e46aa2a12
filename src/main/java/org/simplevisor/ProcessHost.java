package org.simplevisor;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

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
    // Declared: generated ones can keep a web application's class loader alive (ClassLoaderReleaseTest).
    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof ProcessHost that && Objects.equals(supervisorName, that.supervisorName)
                && Objects.equals(clock, that.clock) && Objects.equals(executor, that.executor)
                && Objects.equals(scheduler, that.scheduler) && Objects.equals(events, that.events)
                && Objects.equals(leases, that.leases);
    }

    @Override
    public int hashCode() {
        return Objects.hash(supervisorName, clock, executor, scheduler, events, leases);
    }

    @Override
    public String toString() {
        return "ProcessHost[supervisorName=" + supervisorName + ", clock=" + clock + ", executor=" + executor
                + ", scheduler=" + scheduler + ", events=" + events + ", leases=" + leases + "]";
    }
}
