package org.simplevisor.metrics;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;
import org.simplevisor.ExitReason;
import org.simplevisor.LeaseLoss;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.ProcessStatus;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;

/**
 * The Micrometer meters of one {@link Supervisor}, named so that Prometheus rendering gives the names of the Go
 * package {@code simplevisor} (docs/contract.md, Metrics). A {@link MeterBinder} that observes the supervisor's
 * events: the supervisor itself knows nothing of Micrometer.
 *
 * <pre>{@code
 * SupervisorMetrics metrics = SupervisorMetrics.monitor(registry, supervisor, Tags.of("context", "/app"));
 * ...
 * supervisor.shutdown();
 * metrics.close();   // removes every meter it created
 * }</pre>
 *
 * <h2>Meters</h2>
 * Every meter carries the common tags given to the constructor (in a servlet container {@code context=<path>})
 * and {@code process_name}. One set of meters per process:
 * <table>
 * <caption>meters per process</caption>
 * <tr><th>meter (Prometheus name)</th><th>type</th><th>more tags</th><th>value</th></tr>
 * <tr><td>{@value #PROCESSES_RUNNING} ({@code simplevisor_processes_running})</td><td>gauge</td>
 *     <td>{@code restart_policy}</td><td>1 while the process has a run in progress, else 0: one series per
 *     process, as in Go; {@code sum(simplevisor_processes_running)} is the total</td></tr>
 * <tr><td>{@value #PROCESS_RESTART_COUNT} ({@code simplevisor_process_restart_count})</td><td>gauge</td>
 *     <td></td><td>the restarts that count toward the limit, {@link ProcessSnapshot#restartCount()}</td></tr>
 * <tr><td>{@value #PROCESS_STATUS} ({@code simplevisor_process_status})</td><td>gauge</td><td></td>
 *     <td>{@link #statusValue(ProcessStatus)}: 1 running, 0 stopped, starting or standby, -1 restarting, -2
 *     failed</td></tr>
 * <tr><td>{@value #PROCESS_STARTED} ({@code simplevisor_process_started_total})</td><td>counter</td>
 *     <td>{@code restart_policy}</td><td>every run that began ({@code STARTED} event)</td></tr>
 * <tr><td>{@value #PROCESS_RESTARTED} ({@code simplevisor_process_restarted_total})</td><td>counter</td>
 *     <td>{@code restart_policy}</td><td>every restart by the policy, counted when the restarted run begins
 *     ({@code STARTED} with {@link SupervisorEvent#restart()}), so a restart that shutdown cancels during its
 *     delay is not counted</td></tr>
 * <tr><td>{@value #PROCESS_STOPPED} ({@code simplevisor_process_stopped_total})</td><td>counter</td>
 *     <td>{@code reason}: completed, failed, crashed, cancelled, shutdown, manual, group
 *     ({@link ExitReason#tagValue()})
 *     </td><td>every run that ended ({@code COMPLETED}, {@code FAILED}, {@code CRASHED}, {@code STOPPED})</td></tr>
 * <tr><td>{@value #PROCESS_PANICS} ({@code simplevisor_process_panics_total})</td><td>counter</td><td></td>
 *     <td>every run that threw a {@code RuntimeException} or {@code Error} ({@code CRASHED})</td></tr>
 * <tr><td>{@value #RESTART_LIMIT_EXCEEDED} ({@code simplevisor_restart_limit_exceeded_total})</td>
 *     <td>counter</td><td>{@code max_restarts}</td><td>every {@code RESTART_LIMIT_EXCEEDED} event</td></tr>
 * <tr><td>{@value #SHUTDOWN_TIMEOUTS} ({@code simplevisor_shutdown_timeouts_total})</td><td>counter</td>
 *     <td></td><td>every process abandoned because it outlived the shutdown timeout ({@code SHUTDOWN_TIMEOUT}),
 *     or the time its group gave it to end; tagged with the process, unlike Go's untagged counter, so that the
 *     operator sees which one hung</td></tr>
 * </table>
 * A singleton ({@link ProcessSnapshot#singleton()}) also has an eighth {@code reason} of
 * {@value #PROCESS_STOPPED}, {@code lease_lost}, and:
 * <table>
 * <caption>meters of a singleton</caption>
 * <tr><th>meter (Prometheus name)</th><th>type</th><th>more tags</th><th>value</th></tr>
 * <tr><td>{@value #PROCESS_LEASE_HELD} ({@code simplevisor_process_lease_held})</td><td>gauge</td><td></td>
 *     <td>1 while this node holds the singleton's lease, else 0</td></tr>
 * <tr><td>{@value #PROCESS_LEASE_ACQUIRED} ({@code simplevisor_process_lease_acquired_total})</td>
 *     <td>counter</td><td></td><td>every lease acquisition by this node ({@code LEASE_ACQUIRED})</td></tr>
 * <tr><td>{@value #PROCESS_LEASE_LOST} ({@code simplevisor_process_lease_lost_total})</td><td>counter</td>
 *     <td>{@code reason}: released, expired, renewal_failed ({@link LeaseLoss#tagValue()})</td>
 *     <td>every time this node stopped holding the lease ({@code LEASE_LOST})</td></tr>
 * </table>
 *
 * <p>And one meter per declared process group, tagged {@value #TAG_GROUP} instead of {@code process_name}:
 * {@value #GROUP_RESTARTED} ({@code simplevisor_group_restarted_total}), a counter of its restarts
 * ({@code GROUP_RESTARTING}), whether a member's end triggered them or an operator. Runs that a group cancels end
 * with the {@code reason} {@code group}.
 *
 * <h2>How values are kept true</h2>
 * Gauges read the supervisor's current {@linkplain Supervisor#snapshot(String) snapshot} whenever they are
 * sampled; no gauge is maintained by events, so each returns to its true value after every path (crash, restart
 * limit, manual stop, shutdown, abandonment). Counters count events from {@link #bindTo bindTo} on; bind before
 * {@link Supervisor#run()} to count every run. All counters of a process, every {@code reason} value included,
 * are registered at 0 as soon as the process is known, so that {@code rate()} and {@code increase()} see their
 * first increment. After the supervisor has terminated the meters stay, and show the final state (status 0 or
 * -2, running 0) until {@link #close()}; closing removes every meter this binder created, so a stopped
 * application leaves no series behind. A meter that was already in the registry under the same name and tags
 * (Micrometer then hands back the one it has) is left to whoever registered it.
 *
 * <h2>References</h2>
 * Gauges hold the supervisor {@linkplain Gauge.Builder#strongReference(boolean) weakly} and nothing else of it:
 * a registry that outlives a forgotten binder keeps no supervisor, process or class loader alive (its gauges then
 * read {@code NaN}).
 *
 * <h2>Sharing a registry</h2>
 * Several supervisors may share a registry when their common tags tell them apart (and use the same tag keys, as
 * Prometheus requires); binding a second supervisor with the same common tags logs a warning, as their series
 * would merge (into the first binder's meters, which only its {@code close()} removes). A binder binds to one
 * registry; use a {@code CompositeMeterRegistry} to feed several.
 *
 * <h2>Without Micrometer</h2>
 * {@link SupervisorMeterMBeans} publishes the same series as MBeans, one per process, at a fraction of the cost (a
 * Micrometer registry keeps an object graph of about 300 bytes per series, 15 series per process): what a servlet
 * container publishes by default.
 *
 * <p>Thread-safe. Events are handled on the supervisor's event thread.
 */
public final class SupervisorMetrics implements MeterBinder, AutoCloseable {

    /** Gauge: 1 while a run of the process is in progress, else 0. */
    public static final String PROCESSES_RUNNING = "simplevisor.processes.running";
    /** Gauge: restarts counted toward the process's restart limit. */
    public static final String PROCESS_RESTART_COUNT = "simplevisor.process.restart.count";
    /** Gauge: the process's status as a number, see {@link #statusValue(ProcessStatus)}. */
    public static final String PROCESS_STATUS = "simplevisor.process.status";
    /** Counter: runs begun. */
    public static final String PROCESS_STARTED = "simplevisor.process.started";
    /** Counter: runs ended, by {@value #TAG_REASON}. */
    public static final String PROCESS_STOPPED = "simplevisor.process.stopped";
    /** Counter: restarts performed by the restart policy. */
    public static final String PROCESS_RESTARTED = "simplevisor.process.restarted";
    /** Counter: runs that crashed (Go: panics). */
    public static final String PROCESS_PANICS = "simplevisor.process.panics";
    /** Counter: times the process exceeded its restart limit. */
    public static final String RESTART_LIMIT_EXCEEDED = "simplevisor.restart.limit.exceeded";
    /** Counter: runs abandoned because they outlived the shutdown timeout, or the time their group gave them. */
    public static final String SHUTDOWN_TIMEOUTS = "simplevisor.shutdown.timeouts";
    /** Gauge of a singleton: 1 while this node holds its lease, else 0. */
    public static final String PROCESS_LEASE_HELD = "simplevisor.process.lease.held";
    /** Counter of a singleton: lease acquisitions by this node. */
    public static final String PROCESS_LEASE_ACQUIRED = "simplevisor.process.lease.acquired";
    /** Counter of a singleton: leases this node stopped holding, by {@value #TAG_REASON}. */
    public static final String PROCESS_LEASE_LOST = "simplevisor.process.lease.lost";
    /** Counter: restarts of a process group, by {@value #TAG_GROUP}. */
    public static final String GROUP_RESTARTED = "simplevisor.group.restarted";

    /** Tag on every meter of a process: the process's name. */
    public static final String TAG_PROCESS_NAME = "process_name";
    /**
     * Tag of {@value #PROCESSES_RUNNING}, {@value #PROCESS_STARTED} and {@value #PROCESS_RESTARTED}: the process's
     * restart policy, {@code never}, {@code always} or {@code on_failure} (the Go spelling).
     */
    public static final String TAG_RESTART_POLICY = "restart_policy";
    /**
     * Tag of {@value #PROCESS_STOPPED}: how the run ended, {@link ExitReason#tagValue()}; of
     * {@value #PROCESS_LEASE_LOST}: why, {@link LeaseLoss#tagValue()}.
     */
    public static final String TAG_REASON = "reason";
    /** Tag of {@value #RESTART_LIMIT_EXCEEDED}: the process's restart limit. */
    public static final String TAG_MAX_RESTARTS = "max_restarts";
    /** Tag of {@value #GROUP_RESTARTED}: the group's name. */
    public static final String TAG_GROUP = "group";
    /** The common tag the servlet integration adds: the web application's context path. */
    public static final String TAG_CONTEXT = "context";

    private static final Set<String> OWN_TAG_KEYS =
            Set.of(TAG_PROCESS_NAME, TAG_RESTART_POLICY, TAG_REASON, TAG_MAX_RESTARTS, TAG_GROUP);
    private static final Logger LOG = LogManager.getLogger(SupervisorMetrics.class);
    private static final ExitReason[] EXIT_REASONS = ExitReason.values();
    private static final LeaseLoss[] LEASE_LOSSES = LeaseLoss.values();
    // One tag object per value, shared by every process's meters: a process has a series per reason.
    private static final Tag[] STOP_REASONS = Arrays.stream(EXIT_REASONS)
            .map(reason -> Tag.of(TAG_REASON, reason.tagValue())).toArray(Tag[]::new);
    private static final Tag[] LOSS_REASONS = Arrays.stream(LEASE_LOSSES)
            .map(loss -> Tag.of(TAG_REASON, loss.tagValue())).toArray(Tag[]::new);

    private final Supervisor supervisor;
    private final Tags commonTags;
    private final Object lock = new Object();
    @GuardedBy("lock") private @Nullable MeterRegistry registry; // null until bound
    @GuardedBy("lock") private @Nullable EventObserver<ProcessMeters> observer; // null until bound
    @GuardedBy("lock") private boolean closed;
    private final List<Meter> owned = new ArrayList<>(); // written by the observer's factories, under its lock

    /**
     * Creates the metrics of a supervisor, without common tags; nothing is recorded before {@link #bindTo bindTo}.
     *
     * @param supervisor the supervisor to observe
     */
    public SupervisorMetrics(Supervisor supervisor) {
        this(supervisor, Tags.empty());
    }

    /**
     * Creates the metrics of a supervisor; nothing is recorded before {@link #bindTo bindTo}.
     *
     * @param supervisor the supervisor to observe
     * @param tags       tags added to every meter, e.g. {@code context=/app} to tell supervisors apart in a shared
     *                   registry
     * @throws IllegalArgumentException if a tag uses a key of this binder's own ({@value #TAG_PROCESS_NAME},
     *                                  {@value #TAG_RESTART_POLICY}, {@value #TAG_REASON}, {@value #TAG_MAX_RESTARTS},
     *                                  {@value #TAG_GROUP})
     */
    public SupervisorMetrics(Supervisor supervisor, Iterable<Tag> tags) {
        this.supervisor = Objects.requireNonNull(supervisor, "supervisor");
        this.commonTags = Tags.of(Objects.requireNonNull(tags, "tags"));
        for (Tag tag : commonTags) {
            if (OWN_TAG_KEYS.contains(tag.getKey())) {
                // a common tag would silently replace the per-process value and merge series
                throw new IllegalArgumentException("tag key \"" + tag.getKey() + "\" is reserved for "
                        + SupervisorMetrics.class.getSimpleName());
            }
        }
    }

    /**
     * Creates the metrics of a supervisor and binds them to a registry.
     *
     * @param registry   where the meters go
     * @param supervisor the supervisor to observe
     * @param tags       tags added to every meter, e.g. {@code context=/app}
     * @return the bound metrics; {@link #close()} them after the supervisor's shutdown
     */
    public static SupervisorMetrics monitor(MeterRegistry registry, Supervisor supervisor, Iterable<Tag> tags) {
        SupervisorMetrics metrics = new SupervisorMetrics(supervisor, tags);
        metrics.bindTo(registry);
        return metrics;
    }

    /**
     * Registers the meters of every process the supervisor has, and of every process registered later, and starts
     * counting its events. All or nothing: if the registry rejects a meter, the meters created before it are
     * removed and the binder is left unbound. So are the meters of a process registered later: if the registry
     * rejects one of them, that process has none, and goes uncounted, logged once.
     *
     * @param registry where the meters go
     * @throws IllegalStateException if already bound or closed
     * @throws RuntimeException      what the registry threw when it rejected a meter (e.g. an
     *                               {@code IllegalArgumentException}: a meter of another type has its name and tags)
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("SupervisorMetrics of \"" + supervisor.name() + "\" are closed");
            }
            if (this.registry != null) {
                throw new IllegalStateException("SupervisorMetrics of \"" + supervisor.name()
                        + "\" are already bound; bind them to a CompositeMeterRegistry to feed several registries");
            }
            if (registry.find(PROCESS_STATUS).tags(commonTags).meter() != null) {
                // Same tags as a supervisor already bound here: their series would merge, and the merged meters
                // are the first binder's, which its close() removes from under the second.
                LOG.warn("The registry already has simplevisor meters with the tags {}; give each supervisor that "
                        + "shares a registry distinct common tags (e.g. {})", commonTags, TAG_CONTEXT);
            }
            // The registry's meters before ours, looked at once for all the processes bound now (a look per process
            // would cost as much as the registry is large, for each of thousands of processes); afresh for each one
            // registered later.
            AtomicReference<@Nullable Set<Meter>> atBinding = new AtomicReference<>(metersOf(registry));
            Supplier<Set<Meter>> existing = () -> Objects.requireNonNullElseGet(atBinding.get(),
                    () -> metersOf(registry));
            observer = EventObserver.observe(supervisor,
                    snapshot -> allOrNone(registry, existing.get(),
                            claims -> new ProcessMeters(claims, supervisor, snapshot, commonTags)),
                    group -> allOrNone(registry, existing.get(), claims -> claims.counter(GROUP_RESTARTED,
                            "Total number of process group restarts", commonTags.and(TAG_GROUP, group)))::increment,
                    () -> removeOwned(registry)); // a failed binding leaves no meter and binds again afresh
            atBinding.set(null); // not kept: as large as the registry
            this.registry = registry;
        }
    }

    /**
     * Stops counting and removes every meter this binder created from the registry; one it was handed back because
     * the registry already had it stays. Call it after the supervisor's shutdown: until then the gauges show the
     * final state. Idempotent.
     */
    @Override
    public void close() {
        MeterRegistry bound;
        EventObserver<ProcessMeters> observing;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            bound = registry;
            observing = observer;
        }
        if (observing != null) {
            observing.close(); // nothing is added to owned after this
            removeOwned(bound);
        }
    }

    /**
     * {@return the meters of one process or group, made by {@code make}: all of them or none} If the registry
     * rejects one, those made before it are removed at once, not left at 0 until {@link #close()}, and the rejection
     * goes on to the observer. Called under the observer's lock, which guards {@code owned}.
     */
    private <T> T allOrNone(MeterRegistry registry, Set<Meter> existing, Function<Claims, T> make) {
        Claims claims = new Claims(registry, existing);
        T made;
        try {
            made = make.apply(claims);
        } catch (RuntimeException | Error rejected) {
            claims.created.forEach(registry::remove);
            throw rejected;
        }
        owned.addAll(claims.created);
        return made;
    }

    /** Removes every meter this binder created; called once the observer has stopped making them. */
    private void removeOwned(MeterRegistry from) {
        owned.forEach(from::remove);
        owned.clear();
    }

    /** {@return the registry's meters now, by identity: its filters may change the names and tags we give} */
    private static Set<Meter> metersOf(MeterRegistry registry) {
        Set<Meter> meters = Collections.newSetFromMap(new IdentityHashMap<>());
        meters.addAll(registry.getMeters());
        return meters;
    }

    /**
     * Registers meters and keeps those the registry created; one the registry already had, and handed back, is
     * another owner's (a binder with the same common tags, or the application). A meter of the same id that another
     * thread registers after {@code existing} was taken is taken for ours: the case {@code bindTo} warns about.
     */
    private static final class Claims {
        private final MeterRegistry registry;
        private final Set<Meter> existing;
        final List<Meter> created = new ArrayList<>();

        Claims(MeterRegistry registry, Set<Meter> existing) {
            this.registry = registry;
            this.existing = existing;
        }

        void gauge(String meterName, String description, Tags tags, Supervisor supervisor,
                ToDoubleFunction<Supervisor> value) {
            claim(Gauge.builder(meterName, supervisor, value).tags(tags).description(description)
                    .strongReference(false).register(registry));
        }

        Counter counter(String meterName, String description, Tags tags) {
            return claim(Counter.builder(meterName).tags(tags).description(description).register(registry));
        }

        private <M extends Meter> M claim(M registered) {
            if (!existing.contains(registered)) {
                created.add(registered);
            }
            return registered;
        }
    }

    /**
     * Returns the value of the {@value #PROCESS_STATUS} gauge for a status: Go's values 1 running, 0 stopped, -1
     * restarting, and -2 failed (will not run again on its own). {@code STARTING} (handed to the executor, not yet
     * begun; only a start from rest, a restart stays {@code RESTARTING}) is 0 as in Go, which counted a process as
     * running only once its run had begun, and so is a singleton's {@code STANDBY}; a negative value thus always
     * means trouble.
     *
     * @param status a process status
     * @return its gauge value
     */
    public static int statusValue(ProcessStatus status) {
        switch (status) {
            case RUNNING:
                return 1;
            case RESTARTING:
                return -1;
            case FAILED:
                return -2;
            default:
                return 0; // STOPPED, STARTING, STANDBY
        }
    }

    // ---------------------------------------------------------------- gauge values

    // Static, and given the supervisor by the gauge: a gauge's function must hold no strong reference to it.

    private static ToDoubleFunction<Supervisor> running(String name) {
        return s -> {
            ProcessSnapshot snapshot = EventObserver.snapshotOrNull(s, name);
            return snapshot == null ? Double.NaN : snapshot.running() ? 1 : 0;
        };
    }

    private static ToDoubleFunction<Supervisor> status(String name) {
        return s -> {
            ProcessSnapshot snapshot = EventObserver.snapshotOrNull(s, name);
            return snapshot == null ? Double.NaN : statusValue(snapshot.status());
        };
    }

    private static ToDoubleFunction<Supervisor> leaseHeld(String name) {
        return s -> {
            ProcessSnapshot snapshot = EventObserver.snapshotOrNull(s, name);
            return snapshot == null ? Double.NaN : snapshot.lease().held() ? 1 : 0;
        };
    }

    private static ToDoubleFunction<Supervisor> restartCount(String name) {
        return s -> {
            ProcessSnapshot snapshot = EventObserver.snapshotOrNull(s, name);
            return snapshot == null ? Double.NaN : snapshot.restartCount();
        };
    }

    static String policyTag(RestartPolicy policy) {
        return policy.name().toLowerCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- the meters of one process

    /**
     * Static so that nothing here refers to the binder; built under the observer's lock, with the {@link Claims} of
     * that moment (not kept).
     */
    private static final class ProcessMeters implements ProcessCounters {
        private final Counter started;
        private final Counter restarted;
        private final Counter panics;
        private final Counter restartLimitExceeded;
        private final Counter shutdownTimeouts;
        private final Counter[] stopped = new Counter[EXIT_REASONS.length];  // by ordinal
        private final @Nullable Counter leaseAcquired;                        // singletons only
        private final Counter @Nullable [] leaseLost;                         // singletons only, by ordinal

        ProcessMeters(Claims claims, Supervisor supervisor, ProcessSnapshot snapshot, Tags commonTags) {
            String name = snapshot.name();
            Tags process = commonTags.and(TAG_PROCESS_NAME, name);
            Tags withPolicy = process.and(TAG_RESTART_POLICY, policyTag(snapshot.restartPolicy()));

            claims.gauge(PROCESSES_RUNNING, "Whether the process is running (1) or not (0)", withPolicy,
                    supervisor, running(name));
            claims.gauge(PROCESS_RESTART_COUNT, "Current restart count for each process", process, supervisor,
                    restartCount(name));
            claims.gauge(PROCESS_STATUS, "Process status (1=running, 0=stopped, -1=restarting, -2=failed)",
                    process, supervisor, status(name));

            started = claims.counter(PROCESS_STARTED, "Total number of process starts", withPolicy);
            restarted = claims.counter(PROCESS_RESTARTED, "Total number of process restarts", withPolicy);
            for (ExitReason reason : EXIT_REASONS) {
                if (reason != ExitReason.LEASE_LOST || snapshot.singleton()) {
                    stopped[reason.ordinal()] = claims.counter(PROCESS_STOPPED, "Total number of process stops",
                            process.and(STOP_REASONS[reason.ordinal()]));
                }
            }
            if (snapshot.singleton()) {
                claims.gauge(PROCESS_LEASE_HELD, "Whether this node holds the singleton's lease (1) or not (0)",
                        process, supervisor, leaseHeld(name));
                leaseAcquired = claims.counter(PROCESS_LEASE_ACQUIRED, "Total number of lease acquisitions",
                        process);
                leaseLost = new Counter[LEASE_LOSSES.length];
                for (LeaseLoss loss : LEASE_LOSSES) {
                    leaseLost[loss.ordinal()] = claims.counter(PROCESS_LEASE_LOST, "Total number of leases lost",
                            process.and(LOSS_REASONS[loss.ordinal()]));
                }
            } else {
                leaseAcquired = null;
                leaseLost = null;
            }
            panics = claims.counter(PROCESS_PANICS, "Total number of process panics", process);
            restartLimitExceeded = claims.counter(RESTART_LIMIT_EXCEEDED,
                    "Total number of processes that exceeded restart limits",
                    process.and(TAG_MAX_RESTARTS, Integer.toString(snapshot.maxRestarts())));
            shutdownTimeouts = claims.counter(SHUTDOWN_TIMEOUTS, "Total number of shutdown timeouts", process);
        }

        @Override
        public void started() {
            started.increment();
        }

        @Override
        public void restarted() {
            restarted.increment();
        }

        @Override
        public void stopped(ExitReason reason) {
            Counter counter = stopped[reason.ordinal()];
            if (counter != null) {
                counter.increment();
            }
        }

        @Override
        public void panicked() {
            panics.increment();
        }

        @Override
        public void restartLimitExceeded() {
            restartLimitExceeded.increment();
        }

        @Override
        public void shutdownTimedOut() {
            shutdownTimeouts.increment();
        }

        @Override
        public void leaseAcquired() {
            if (leaseAcquired != null) {
                leaseAcquired.increment();
            }
        }

        @Override
        public void leaseLost(LeaseLoss loss) {
            if (leaseLost != null) {
                leaseLost[loss.ordinal()].increment();
            }
        }
    }
}
