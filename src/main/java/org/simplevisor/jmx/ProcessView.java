package org.simplevisor.jmx;

import java.time.Instant;
import java.util.Date;
import org.jspecify.annotations.Nullable;
import org.simplevisor.ExitReason;
import org.simplevisor.LeaseState;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.Supervisor;

/** The {@link ProcessMXBean} of one process: a thin, stateless view of the supervisor's snapshot of it. */
final class ProcessView implements ProcessMXBean {

    private final Supervisor supervisor;
    private final String name;

    ProcessView(Supervisor supervisor, String name) {
        this.supervisor = supervisor;
        this.name = name;
    }

    private ProcessSnapshot snapshot() {
        return supervisor.snapshot(name);
    }

    static @Nullable Date toDate(@Nullable Instant instant) {
        return instant == null ? null : Date.from(instant);
    }

    static @Nullable String tagOf(@Nullable ExitReason reason) {
        return reason == null ? null : reason.tagValue();
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getStatus() {
        return snapshot().status().name();
    }

    @Override
    public String getRestartPolicy() {
        return snapshot().restartPolicy().name();
    }

    @Override
    public int getRestartCount() {
        return snapshot().restartCount();
    }

    @Override
    public int getMaxRestarts() {
        return snapshot().maxRestarts();
    }

    @Override
    public long getRestartDelayMillis() {
        return snapshot().restartDelay().toMillis();
    }

    @Override
    public long getTotalStarts() {
        return snapshot().totalStarts();
    }

    @Override
    public long getTotalRestarts() {
        return snapshot().totalRestarts();
    }

    @Override
    public long getTotalFailures() {
        return snapshot().totalFailures();
    }

    @Override
    public long getTotalCrashes() {
        return snapshot().totalCrashes();
    }

    @Override
    public @Nullable String getLastExitReason() {
        return tagOf(snapshot().lastExitReason());
    }

    @Override
    public @Nullable String getLastFailure() {
        return snapshot().lastFailureDescription();
    }

    @Override
    public @Nullable Date getLastFailureTime() {
        return toDate(snapshot().lastFailureTime());
    }

    @Override
    public @Nullable Date getLastStartTime() {
        return toDate(snapshot().lastStartTime());
    }

    @Override
    public long getUptimeMillis() {
        return snapshot().uptime().toMillis();
    }

    @Override
    public boolean isRunning() {
        return snapshot().running();
    }

    @Override
    public boolean isSingleton() {
        return snapshot().singleton();
    }

    @Override
    public String getLeaseHolder() {
        LeaseState lease = snapshot().lease();
        return lease == null ? "" : lease.holder();
    }

    @Override
    public long getFencingToken() {
        LeaseState lease = snapshot().lease();
        return lease == null ? 0 : lease.fencingToken();
    }

    @Override
    public void start() {
        supervisor.start(name);
    }

    @Override
    public void stop() {
        supervisor.stop(name);
    }

    @Override
    public void restart() {
        supervisor.restart(name);
    }

    @Override
    public void resetRestartCount() {
        supervisor.resetRestartCount(name);
    }
}
