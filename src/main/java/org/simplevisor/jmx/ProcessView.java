package org.simplevisor.jmx;

import java.time.Instant;
import java.util.Date;
import org.jspecify.annotations.Nullable;
import org.simplevisor.ExitReason;
import org.simplevisor.LeaseState;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.Supervisor;

/**
 * The {@link ProcessMXBean} of one process: a thin view of the supervisor's snapshot of it. Each attribute read
 * takes a fresh snapshot, but in the view {@link #forOneCall()} makes, which reads every attribute of one
 * {@code getAttributes} call from the same snapshot.
 */
final class ProcessView implements ProcessMXBean {

    private final Supervisor supervisor;
    private final String name;
    private final boolean oneSnapshot;
    private @Nullable ProcessSnapshot taken; // of a view for one call: the snapshot every read shows

    ProcessView(Supervisor supervisor, String name) {
        this(supervisor, name, false);
    }

    private ProcessView(Supervisor supervisor, String name, boolean oneSnapshot) {
        this.supervisor = supervisor;
        this.name = name;
        this.oneSnapshot = oneSnapshot;
    }

    /**
     * {@return a view for one {@code getAttributes} call, on its thread: it takes a snapshot at its first read and
     * shows that one from then on, so that the values of the call hold together (never a {@code Status} of
     * {@code RUNNING} with {@code Running} false)} A snapshot that cannot be taken is tried again at the next read,
     * so each such attribute fails as it would alone.
     */
    ProcessView forOneCall() {
        return new ProcessView(supervisor, name, true);
    }

    private ProcessSnapshot snapshot() {
        if (!oneSnapshot) {
            return supervisor.snapshot(name);
        }
        if (taken == null) {
            taken = supervisor.snapshot(name);
        }
        return taken;
    }

    static @Nullable Date toDate(@Nullable Instant instant) {
        return instant == null ? null : Date.from(instant);
    }

    static @Nullable String tagOf(@Nullable ExitReason reason) {
        return reason == null ? null : reason.tagValue();
    }

    /** @return the reason upper-case, as every enum value of the MBeans, or {@code null} */
    static @Nullable String nameOf(@Nullable ExitReason reason) {
        return reason == null ? null : reason.name();
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
    public @Nullable String getGroup() {
        return snapshot().group();
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
        return nameOf(snapshot().lastExitReason());
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
