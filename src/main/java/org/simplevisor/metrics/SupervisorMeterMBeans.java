package org.simplevisor.metrics;

import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanRegistration;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;
import org.simplevisor.ExitReason;
import org.simplevisor.LeaseLoss;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.Supervisor;

/**
 * The meters of a {@link Supervisor} as MBeans, one per process and one per declared group, whose attributes are
 * the Prometheus names of the Go package: what a servlet container publishes by default
 * ({@code simplevisor.metrics=jmx}), for the Prometheus JMX exporter and JConsole. An observer of the supervisor's
 * events, as {@link SupervisorMetrics} is, without Micrometer: the counters are a few numbers per process, and the
 * gauges read the supervisor's {@linkplain Supervisor#snapshot(String) snapshot} whenever they are read.
 *
 * <pre>{@code
 * SupervisorMeterMBeans meters = SupervisorMeterMBeans.register(supervisor,
 *         ManagementFactory.getPlatformMBeanServer(), "metrics", Map.of("context", "/app"));
 * ...
 * supervisor.shutdown();
 * meters.close();   // unregisters every MBean it registered
 * }</pre>
 *
 * <h2>MBeans</h2>
 * The keys of each name are {@code type}, the common tags in their order, then the tags of the series:
 * <pre>
 * metrics:type=simplevisor.process,context=/app,process_name=payment-gateway,restart_policy=always,max_restarts=3
 * metrics:type=simplevisor.group,context=/app,group=order-pipeline
 * </pre>
 * Values are {@linkplain ObjectName#quote quoted} only when they hold a character that needs it. A process's MBean
 * has one attribute per series of the process in {@link SupervisorMetrics}' table, named as Prometheus names it:
 * <table>
 * <caption>attributes of a process's MBean</caption>
 * <tr><th>attribute</th><th>type</th><th>labels it gets from the name</th></tr>
 * <tr><td>{@code simplevisor_processes_running}</td><td>gauge ({@code Integer})</td>
 *     <td>{@code process_name}, {@code restart_policy}</td></tr>
 * <tr><td>{@code simplevisor_process_restart_count}, {@code simplevisor_process_status}</td>
 *     <td>gauges ({@code Integer})</td><td>{@code process_name}</td></tr>
 * <tr><td>{@code simplevisor_process_started_total}, {@code simplevisor_process_restarted_total}</td>
 *     <td>counters ({@code Long})</td><td>{@code process_name}, {@code restart_policy}</td></tr>
 * <tr><td>{@code simplevisor_process_stopped_total}</td><td>counters ({@code CompositeData}, one {@code Long}
 *     item per {@code reason})</td><td>{@code process_name}; the item is the {@code reason}</td></tr>
 * <tr><td>{@code simplevisor_process_panics_total}, {@code simplevisor_shutdown_timeouts_total}</td>
 *     <td>counters ({@code Long})</td><td>{@code process_name}</td></tr>
 * <tr><td>{@code simplevisor_restart_limit_exceeded_total}</td><td>counter ({@code Long})</td>
 *     <td>{@code process_name}, {@code max_restarts}</td></tr>
 * </table>
 * A singleton has {@code lease_lost} among the items of {@code simplevisor_process_stopped_total}, and three more:
 * {@code simplevisor_process_lease_held} (gauge), {@code simplevisor_process_lease_acquired_total} (counter) and
 * {@code simplevisor_process_lease_lost_total} (counters by {@code reason}, as the stops). A group's MBean has
 * {@code simplevisor_group_restarted_total}. {@code tomcat-config/jmx-exporter.yaml} has the exporter rules that turn
 * them into the Prometheus series, each with the common tags as labels too.
 *
 * <h2>Values</h2>
 * As {@link SupervisorMetrics}': gauges are true after every path, counters count events from
 * {@link #register register} on and start at 0, and after the supervisor has terminated the MBeans stay and show the
 * final state until {@link #close()}. The MBeans hold the supervisor weakly: an MBean server that outlives a
 * forgotten registration keeps no supervisor, process or class loader alive (the gauges then read {@code null}).
 *
 * <p>Thread-safe. Events are counted on the supervisor's event thread.
 */
public final class SupervisorMeterMBeans implements AutoCloseable {

    /** The {@code type} key of a process's MBean. */
    public static final String PROCESS_TYPE = "simplevisor.process";
    /** The {@code type} key of a group's MBean. */
    public static final String GROUP_TYPE = "simplevisor.group";

    private static final String TYPE = "type";
    private static final List<String> OWN_KEYS = List.of(TYPE, SupervisorMetrics.TAG_PROCESS_NAME,
            SupervisorMetrics.TAG_RESTART_POLICY, SupervisorMetrics.TAG_MAX_RESTARTS, SupervisorMetrics.TAG_GROUP);
    private static final Logger LOG = LogManager.getLogger(SupervisorMeterMBeans.class);

    private final MBeanServer server;
    private final String domain;
    private final String commonKeys; // ",key=value" per common tag
    private final Reference<Supervisor> supervisor;
    private final List<ReadOnlyMBean> registered = new ArrayList<>(); // guarded by itself
    private final EventObserver<ProcessMeters> observer;

    private SupervisorMeterMBeans(Supervisor supervisor, MBeanServer server, String domain, Map<String, String> tags) {
        this.server = Objects.requireNonNull(server, "server");
        this.domain = Objects.requireNonNull(domain, "domain");
        this.supervisor = new WeakReference<>(Objects.requireNonNull(supervisor, "supervisor"));
        StringBuilder keys = new StringBuilder();
        tags.forEach((key, value) -> {
            if (OWN_KEYS.contains(key)) {
                // a common tag would merge series, or make a second key of the same name
                throw new IllegalArgumentException("tag key \"" + key + "\" is reserved for "
                        + SupervisorMeterMBeans.class.getSimpleName());
            }
            keys.append(',').append(key).append('=').append(quoteIfNeeded(value));
        });
        this.commonKeys = keys.toString();
        name(GROUP_TYPE, ""); // fails here, not on the event thread, if the domain or a key is not valid
        // all or nothing: if the server refuses an MBean, those registered before it are unregistered
        this.observer = EventObserver.observe(supervisor, this::processMeters, this::groupMeters,
                this::unregisterAll);
    }

    /**
     * Registers the MBeans of the supervisor's meters, for every process it has and every process registered later;
     * they count events from now on. {@link #close() Close} them after the supervisor's shutdown.
     *
     * @param supervisor the supervisor to observe
     * @param server     where the MBeans go, for example the platform MBean server
     * @param domain     their JMX domain, for example {@code metrics}
     * @param tags       tags of every series, in the map's order, as keys of every MBean name; for example
     *                   {@code context=/app} to tell supervisors apart in one server
     * @return the registered MBeans, to close after the supervisor's shutdown
     * @throws IllegalArgumentException if the domain or a tag does not make a valid MBean name, or a tag uses a key
     *                                  of the MBeans' own ({@code type}, {@code process_name},
     *                                  {@code restart_policy}, {@code max_restarts}, {@code group})
     * @throws RuntimeException         what the server threw, other than a {@code JMException}, when it refused
     *                                  an MBean (e.g. a {@code SecurityException}); the MBeans registered before it
     *                                  are unregistered. A name already taken is logged, and leaves only that MBean
     *                                  out; so is, once, any refusal of the MBean of a process registered later
     */
    public static SupervisorMeterMBeans register(Supervisor supervisor, MBeanServer server, String domain,
            Map<String, String> tags) {
        return new SupervisorMeterMBeans(supervisor, server, domain, Objects.requireNonNull(tags, "tags"));
    }

    /**
     * Stops counting and unregisters every MBean this registered and that is still registered: a name whose MBean
     * someone else unregistered is left as it is, with whatever another party registered under it since. Idempotent.
     */
    @Override
    public void close() {
        observer.close(); // nothing is registered after this
        unregisterAll();
    }

    /** Unregisters every MBean this registered, each on its own: one the server refuses keeps no other. */
    private void unregisterAll() {
        List<ReadOnlyMBean> ours;
        synchronized (registered) {
            ours = new ArrayList<>(registered);
            registered.clear();
        }
        for (ReadOnlyMBean mbean : ours) {
            ObjectName name = mbean.registeredAs();
            if (name == null) {
                continue; // unregistered by someone else: the name may be another party's now
            }
            try {
                server.unregisterMBean(name);
            } catch (InstanceNotFoundException gone) {
                // unregistered by someone else: nothing left to do
            } catch (JMException | RuntimeException e) {
                LOG.warn("Could not unregister the meter MBean {}", name, e);
            }
        }
    }

    // ---------------------------------------------------------------- registration

    private ProcessMeters processMeters(ProcessSnapshot snapshot) {
        ProcessMeters meters = new ProcessMeters(supervisor, snapshot.name(), snapshot.singleton());
        publish(meters, name(PROCESS_TYPE, "," + SupervisorMetrics.TAG_PROCESS_NAME + "="
                + quoteIfNeeded(snapshot.name()) + "," + SupervisorMetrics.TAG_RESTART_POLICY + "="
                + SupervisorMetrics.policyTag(snapshot.restartPolicy()) + "," + SupervisorMetrics.TAG_MAX_RESTARTS
                + "=" + snapshot.maxRestarts()));
        return meters;
    }

    private Runnable groupMeters(String group) {
        GroupMeters meters = new GroupMeters();
        publish(meters, name(GROUP_TYPE, "," + SupervisorMetrics.TAG_GROUP + "=" + quoteIfNeeded(group)));
        return meters.restarts::incrementAndGet;
    }

    /**
     * Registers an MBean; one the server refuses with a {@code JMException} (a name already taken) is logged, and
     * counts on unseen. Anything else the server throws reaches the caller: the observer, which logs it once for a
     * process registered later.
     */
    private void publish(ReadOnlyMBean mbean, ObjectName name) {
        try {
            server.registerMBean(mbean, name);
            synchronized (registered) {
                registered.add(mbean);
            }
        } catch (JMException e) {
            LOG.warn("Could not register the meter MBean {} (two supervisors with the same tags in one domain?)",
                    name, e);
        }
    }

    private ObjectName name(String type, String seriesKeys) {
        String name = domain + ":" + TYPE + "=" + type + commonKeys + seriesKeys;
        try {
            ObjectName objectName = new ObjectName(name);
            if (objectName.isPattern()) {
                throw new IllegalArgumentException("invalid MBean name " + name + ": it is a pattern");
            }
            return objectName;
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("invalid MBean name " + name + ": " + e.getMessage(), e);
        }
    }

    private static String quoteIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (",=:\"*?\n".indexOf(value.charAt(i)) >= 0) {
                return ObjectName.quote(value);
            }
        }
        return value;
    }

    // ---------------------------------------------------------------- the MBeans

    /** Read-only attributes, by name; no operations. Knows from its server the name it is registered under. */
    private abstract static class ReadOnlyMBean implements DynamicMBean, MBeanRegistration {

        private volatile @Nullable ObjectName registeredAs;

        @Override
        public ObjectName preRegister(MBeanServer server, ObjectName name) {
            registeredAs = name;
            return name;
        }

        @Override
        public void postRegister(Boolean registrationDone) {
            if (!registrationDone) {
                registeredAs = null;
            }
        }

        /** No longer registered from here: the name is freed only after this, for an MBean that is not this one. */
        @Override
        public void preDeregister() {
            registeredAs = null;
        }

        @Override
        public void postDeregister() {
        }

        /** {@return the name this MBean is registered under, until its unregistration begins; else {@code null}} */
        @Nullable ObjectName registeredAs() {
            return registeredAs;
        }

        @Override
        public abstract @Nullable Object getAttribute(String name) throws AttributeNotFoundException;

        /** Reads one attribute, as {@link #getAttribute} does. */
        @FunctionalInterface
        interface Reader {
            @Nullable Object read(String name) throws AttributeNotFoundException;
        }

        /** {@return what reads the attributes of one {@link #getAttributes} call: by default {@link #getAttribute}} */
        Reader forOneCall() {
            return this::getAttribute;
        }

        @Override
        public AttributeList getAttributes(String[] names) {
            Reader reader = forOneCall();
            AttributeList values = new AttributeList();
            for (String name : names) {
                try {
                    values.add(new Attribute(name, reader.read(name)));
                } catch (AttributeNotFoundException unknown) {
                    // left out, as the MBeanServer specifies for getAttributes
                }
            }
            return values;
        }

        @Override
        public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
            throw new AttributeNotFoundException(attribute.getName() + " is read-only");
        }

        @Override
        public AttributeList setAttributes(AttributeList attributes) {
            return new AttributeList();
        }

        @Override
        public Object invoke(String action, Object[] params, String[] signature) {
            throw new UnsupportedOperationException("no operations: " + action);
        }
    }

    private static final String RUNNING = "simplevisor_processes_running";
    private static final String RESTART_COUNT = "simplevisor_process_restart_count";
    private static final String STATUS = "simplevisor_process_status";
    private static final String STARTED = "simplevisor_process_started_total";
    private static final String RESTARTED = "simplevisor_process_restarted_total";
    private static final String STOPPED = "simplevisor_process_stopped_total";
    private static final String PANICS = "simplevisor_process_panics_total";
    private static final String LIMIT_EXCEEDED = "simplevisor_restart_limit_exceeded_total";
    private static final String SHUTDOWN_TIMEOUTS = "simplevisor_shutdown_timeouts_total";
    private static final String LEASE_HELD = "simplevisor_process_lease_held";
    private static final String LEASE_ACQUIRED = "simplevisor_process_lease_acquired_total";
    private static final String LEASE_LOST = "simplevisor_process_lease_lost_total";
    private static final String GROUP_RESTARTED = "simplevisor_group_restarted_total";

    private static final ExitReason[] EXIT_REASONS = ExitReason.values();
    private static final LeaseLoss[] LEASE_LOSSES = LeaseLoss.values();
    // indexes into a process's counts
    private static final int STARTS = 0;
    private static final int RESTARTS = 1;
    private static final int CRASHES = 2;
    private static final int LIMITS = 3;
    private static final int TIMEOUTS = 4;
    private static final int ACQUISITIONS = 5;
    private static final int STOPS_BY_REASON = 6;
    private static final int LOSSES_BY_REASON = STOPS_BY_REASON + EXIT_REASONS.length;

    private static final ByReason STOPS = new ByReason(STOPPED, "Total number of process stops, by reason",
            Arrays.stream(EXIT_REASONS).filter(r -> r != ExitReason.LEASE_LOST).toList(), ExitReason::tagValue,
            STOPS_BY_REASON);
    private static final ByReason SINGLETON_STOPS = new ByReason(STOPPED, "Total number of process stops, by reason",
            List.of(EXIT_REASONS), ExitReason::tagValue, STOPS_BY_REASON);
    private static final ByReason LOSSES = new ByReason(LEASE_LOST, "Total number of leases lost, by reason",
            List.of(LEASE_LOSSES), LeaseLoss::tagValue, LOSSES_BY_REASON);
    private static final MBeanInfo PROCESS_INFO = processInfo(false);
    private static final MBeanInfo SINGLETON_INFO = processInfo(true);

    /** Counters by {@code reason}, shown as one {@code CompositeData} with an item per reason. */
    private static final class ByReason {
        final CompositeType type;
        private final String[] items;
        private final int[] indexes; // into a process's counts, per item

        <R extends Enum<R>> ByReason(String name, String description, List<R> reasons, Function<R, String> tag,
                int first) {
            items = reasons.stream().map(tag).toArray(String[]::new);
            indexes = reasons.stream().mapToInt(reason -> first + reason.ordinal()).toArray();
            OpenType<?>[] types = new OpenType<?>[items.length];
            Arrays.fill(types, SimpleType.LONG);
            try {
                type = new CompositeType(name, description, items, items, types);
            } catch (OpenDataException e) {
                throw new IllegalStateException(e);
            }
        }

        CompositeData of(AtomicLongArray counts) {
            Object[] values = new Object[items.length];
            for (int i = 0; i < items.length; i++) {
                values[i] = counts.get(indexes[i]);
            }
            try {
                return new CompositeDataSupport(type, items, values);
            } catch (OpenDataException e) {
                throw new IllegalStateException(e); // the items are the type's own
            }
        }
    }

    /**
     * The meters of one process: its counters and the MBean that shows them. Static, and holding the supervisor
     * weakly: nothing here keeps the supervisor or the publisher alive.
     */
    private static final class ProcessMeters extends ReadOnlyMBean implements ProcessCounters {
        private final Reference<Supervisor> supervisor;
        private final String name;
        private final boolean singleton;
        private final AtomicLongArray counts; // written on the event thread only

        ProcessMeters(Reference<Supervisor> supervisor, String name, boolean singleton) {
            this.supervisor = supervisor;
            this.name = name;
            this.singleton = singleton;
            this.counts = new AtomicLongArray(singleton ? LOSSES_BY_REASON + LEASE_LOSSES.length : LOSSES_BY_REASON);
        }

        @Override
        public MBeanInfo getMBeanInfo() {
            return singleton ? SINGLETON_INFO : PROCESS_INFO;
        }

        @Override
        public @Nullable Object getAttribute(String attribute) throws AttributeNotFoundException {
            return read(attribute, this::snapshot);
        }

        /** One scrape, one state: every gauge of the call reads the same snapshot (status 1 with running 1). */
        @Override
        Reader forOneCall() {
            ProcessSnapshot snapshot = snapshot();
            return attribute -> read(attribute, () -> snapshot);
        }

        /** @param snapshot gives the process as the gauges show it, or {@code null} if it is gone */
        private @Nullable Object read(String attribute, Supplier<@Nullable ProcessSnapshot> snapshot)
                throws AttributeNotFoundException {
            switch (attribute) {
                case RUNNING:
                    return gauge(snapshot.get(), s -> s.running() ? 1 : 0);
                case RESTART_COUNT:
                    return gauge(snapshot.get(), ProcessSnapshot::restartCount);
                case STATUS:
                    return gauge(snapshot.get(), s -> SupervisorMetrics.statusValue(s.status()));
                case STARTED:
                    return counts.get(STARTS);
                case RESTARTED:
                    return counts.get(RESTARTS);
                case STOPPED:
                    return (singleton ? SINGLETON_STOPS : STOPS).of(counts);
                case PANICS:
                    return counts.get(CRASHES);
                case LIMIT_EXCEEDED:
                    return counts.get(LIMITS);
                case SHUTDOWN_TIMEOUTS:
                    return counts.get(TIMEOUTS);
                default:
                    if (singleton) {
                        switch (attribute) {
                            case LEASE_HELD:
                                return gauge(snapshot.get(), s -> s.lease().held() ? 1 : 0);
                            case LEASE_ACQUIRED:
                                return counts.get(ACQUISITIONS);
                            case LEASE_LOST:
                                return LOSSES.of(counts);
                            default:
                                break;
                        }
                    }
                    throw new AttributeNotFoundException(attribute);
            }
        }

        /** {@return the process now, or {@code null} if the supervisor is gone or no longer knows it} */
        private @Nullable ProcessSnapshot snapshot() {
            Supervisor s = supervisor.get();
            return s == null ? null : EventObserver.snapshotOrNull(s, name);
        }

        /** {@return the gauge's value in the snapshot, or {@code null} without one} */
        private static @Nullable Integer gauge(@Nullable ProcessSnapshot snapshot,
                ToIntFunction<ProcessSnapshot> value) {
            return snapshot == null ? null : value.applyAsInt(snapshot);
        }

        @Override
        public void started() {
            counts.incrementAndGet(STARTS);
        }

        @Override
        public void restarted() {
            counts.incrementAndGet(RESTARTS);
        }

        @Override
        public void stopped(ExitReason reason) {
            if (reason != ExitReason.LEASE_LOST || singleton) {
                counts.incrementAndGet(STOPS_BY_REASON + reason.ordinal());
            }
        }

        @Override
        public void panicked() {
            counts.incrementAndGet(CRASHES);
        }

        @Override
        public void restartLimitExceeded() {
            counts.incrementAndGet(LIMITS);
        }

        @Override
        public void shutdownTimedOut() {
            counts.incrementAndGet(TIMEOUTS);
        }

        @Override
        public void leaseAcquired() {
            counts.incrementAndGet(ACQUISITIONS);
        }

        @Override
        public void leaseLost(LeaseLoss loss) {
            if (singleton) {
                counts.incrementAndGet(LOSSES_BY_REASON + loss.ordinal());
            }
        }
    }

    /** The restart counter of one group, and the MBean that shows it. */
    private static final class GroupMeters extends ReadOnlyMBean {
        private static final MBeanInfo INFO = new MBeanInfo(GroupMeters.class.getName(),
                "The meters of a simplevisor process group, named as Prometheus names them",
                new MBeanAttributeInfo[] {counter(GROUP_RESTARTED, "Total number of process group restarts")},
                null, null, null);

        final AtomicLong restarts = new AtomicLong();

        @Override
        public MBeanInfo getMBeanInfo() {
            return INFO;
        }

        @Override
        public Object getAttribute(String attribute) throws AttributeNotFoundException {
            if (attribute.equals(GROUP_RESTARTED)) {
                return restarts.get();
            }
            throw new AttributeNotFoundException(attribute);
        }
    }

    // ---------------------------------------------------------------- MBean infos

    private static MBeanInfo processInfo(boolean singleton) {
        List<MBeanAttributeInfo> attributes = new ArrayList<>(List.of(
                gauge(RUNNING, "Whether the process is running (1) or not (0)"),
                gauge(RESTART_COUNT, "Current restart count for each process"),
                gauge(STATUS, "Process status (1=running, 0=stopped, -1=restarting, -2=failed)"),
                counter(STARTED, "Total number of process starts"),
                counter(RESTARTED, "Total number of process restarts"),
                attribute(STOPPED, (singleton ? SINGLETON_STOPS : STOPS).type),
                counter(PANICS, "Total number of process panics"),
                counter(LIMIT_EXCEEDED, "Total number of processes that exceeded restart limits"),
                counter(SHUTDOWN_TIMEOUTS, "Total number of shutdown timeouts")));
        if (singleton) {
            attributes.add(gauge(LEASE_HELD, "Whether this node holds the singleton's lease (1) or not (0)"));
            attributes.add(counter(LEASE_ACQUIRED, "Total number of lease acquisitions"));
            attributes.add(attribute(LEASE_LOST, LOSSES.type));
        }
        return new MBeanInfo(ProcessMeters.class.getName(), singleton
                ? "The meters of a simplevisor singleton process, named as Prometheus names them"
                : "The meters of a simplevisor process, named as Prometheus names them",
                attributes.toArray(MBeanAttributeInfo[]::new), null, null, null);
    }

    private static MBeanAttributeInfo gauge(String name, String description) {
        return new MBeanAttributeInfo(name, Integer.class.getName(), description, true, false, false);
    }

    private static MBeanAttributeInfo counter(String name, String description) {
        return new MBeanAttributeInfo(name, Long.class.getName(), description, true, false, false);
    }

    private static MBeanAttributeInfo attribute(String name, CompositeType type) {
        return new MBeanAttributeInfo(name, CompositeData.class.getName(), type.getDescription(), true, false,
                false);
    }
}
