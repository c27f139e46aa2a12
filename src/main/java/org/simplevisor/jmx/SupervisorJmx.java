package org.simplevisor.jmx;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.JMRuntimeException;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.SupervisorListener;

/**
 * A registration of a {@link Supervisor} and each of its processes as MXBeans, with notifications: the JMX side of
 * simplevisor (docs/contract.md, JMX).
 *
 * <pre>{@code
 * Supervisor supervisor = Supervisor.builder().name("billing").build();
 * supervisor.register("ticker", ticker);
 * SupervisorJmx.register(supervisor);   // platform MBean server, domain org.simplevisor, context "billing"
 * supervisor.run();
 * ...
 * supervisor.shutdown();                // unregisters the MBeans too
 * }</pre>
 *
 * <h2>Names</h2>
 * The supervisor is {@code <domain>:type=Supervisor,context=<context>} ({@link SupervisorMXBean}), each process
 * {@code <domain>:type=Process,context=<context>,name=<process>} ({@link ProcessMXBean}). A value is quoted with
 * {@link ObjectName#quote ObjectName.quote} only when it holds a character that needs it ({@code , = : " * ?} or a
 * newline), so {@code context=/shop} stays readable. Processes registered with the supervisor later get their MBean
 * at once.
 *
 * <h2>Notifications</h2>
 * Each process MBean emits, and the supervisor MBean relays unchanged (same source, sequence number, time and
 * user data: one subscription to the supervisor sees every process):
 * <table>
 * <caption>notification types</caption>
 * <tr><th>type</th><th>core events</th></tr>
 * <tr><td>{@value #PROCESS_STARTED}</td><td>STARTED (reason {@code start} or {@code restart})</td></tr>
 * <tr><td>{@value #PROCESS_STOPPED}</td><td>COMPLETED, STOPPED (reason completed, cancelled, shutdown, manual,
 * lease_lost, group)</td></tr>
 * <tr><td>{@value #PROCESS_FAILED}</td><td>FAILED, CRASHED</td></tr>
 * <tr><td>{@value #PROCESS_RESTARTING}</td><td>RESTARTING</td></tr>
 * <tr><td>{@value #PROCESS_RESTART_LIMIT_EXCEEDED}</td><td>RESTART_LIMIT_EXCEEDED: the alert; its message names
 * the process, the restarts and the last error</td></tr>
 * <tr><td>{@value #PROCESS_HUNG}</td><td>HUNG</td></tr>
 * <tr><td>{@value #PROCESS_SHUTDOWN_TIMEOUT}</td><td>SHUTDOWN_TIMEOUT (reason shutdown, or group when its group
 * gave up waiting; followed by a stopped of the same reason)</td></tr>
 * <tr><td>{@value #PROCESS_LEASE_ACQUIRED}, {@value #PROCESS_LEASE_LOST}</td><td>LEASE_ACQUIRED, LEASE_LOST (a
 * singleton's; reason {@code acquired}, or {@code released}, {@code expired}, {@code renewal_failed})</td></tr>
 * <tr><td>{@code jmx.attribute.change}</td><td>any event that changed the status: an
 * {@link javax.management.AttributeChangeNotification} of {@code Status}</td></tr>
 * </table>
 * The supervisor MBean also emits {@value #GROUP_RESTARTING} of its own, for each GROUP_RESTARTING event, with the
 * user data items {@code group}, {@code supervisor}, {@code context}, {@code trigger}, {@code reason},
 * {@code members} (a {@code String[]} in start order) and {@code delayMillis}, numbered from 1 as below.
 * The user data is a {@link javax.management.openmbean.CompositeData} with the items {@code process},
 * {@code supervisor}, {@code context}, {@code event}, {@code status}, {@code previousStatus},
 * {@code restartCount}, {@code maxRestarts}, {@code reason}, {@code error}, {@code delayMillis},
 * {@code leaseHolder} and {@code fencingToken} (a singleton's; {@code null} for other processes). Sequence
 * numbers count from 1 per process, without gaps but for the notifications dropped, with a warning in the log,
 * when listeners fall 10,000 behind: delivery runs on a thread of its own, which never holds up a process.
 *
 * <h2>Alerts</h2>
 * A third MBean, {@code <domain>:type=Alerts,context=<context>} ({@link AlertsMXBean}), emits only what needs a
 * person: {@value #PROCESS_RESTART_LIMIT_EXCEEDED}, {@value #PROCESS_HUNG}, {@value #PROCESS_SHUTDOWN_TIMEOUT}
 * a singleton's {@value #PROCESS_LEASE_LOST} when its node did not give the lease back, {@value #PROCESS_REFUSED}
 * when a refused run leaves a process {@code FAILED}, and {@value #PROCESS_STOPPED} when an interrupt the supervisor
 * did not send leaves it at rest, numbered 1, 2, ... of
 * its own, with the process MBean as source, the same user data, and a message that begins with the alert and the
 * process ({@code RESTART LIMIT EXCEEDED: payment-gateway (/shop) is FAILED after 3 of 3 restarts; last error:
 * ...}). Subscribe to it for alerting, to the supervisor MBean to follow everything.
 *
 * <h2>Threads</h2>
 * MBeans read the supervisor's non-blocking snapshots. Notifications are made on the supervisor's event thread and
 * delivered by a thread this object owns, so a slow or failing JMX listener never delays a process or another
 * observer; the alerts have a delivery thread of their own, so that a slow listener of everything never delays or
 * drops an alert. {@link #close()}, and the supervisor's shutdown, deliver what is queued (within a second for each
 * thread), unregister every MBean and join those threads. A JMX listener may shut the supervisor down: its
 * {@code shutdown()} returns as a supervisor listener's does, and what is queued behind it is still delivered.
 */
public final class SupervisorJmx implements AutoCloseable {

    /** The JMX domain unless another is given: {@value}. */
    public static final String DEFAULT_DOMAIN = "org.simplevisor";

    /** Notification type: a run of the process began. */
    public static final String PROCESS_STARTED = "simplevisor.process.started";
    /**
     * Notification type: a run ended without failing (completed or cancelled). An alert of the Alerts MBean when an
     * interrupt the supervisor did not send ended it: the process is {@code STOPPED} until an operator starts it.
     */
    public static final String PROCESS_STOPPED = "simplevisor.process.stopped";
    /** Notification type: a run failed or crashed. */
    public static final String PROCESS_FAILED = "simplevisor.process.failed";
    /** Notification type: a restart is due after a delay. */
    public static final String PROCESS_RESTARTING = "simplevisor.process.restarting";
    /** Notification type: the process exceeded its restart limit and is FAILED; the alert to monitor. */
    public static final String PROCESS_RESTART_LIMIT_EXCEEDED = "simplevisor.process.restart-limit-exceeded";
    /**
     * Notification type, of the Alerts MBean only: the executor refused the process's run (or the scheduler its
     * timer), so the process is {@code FAILED} until an operator starts it.
     */
    public static final String PROCESS_REFUSED = "simplevisor.process.refused";
    /** Notification type: the watchdog declared the run hung. */
    public static final String PROCESS_HUNG = "simplevisor.process.hung";
    /** Notification type: the run outlived the shutdown timeout, or the time its group gave it, and was abandoned. */
    public static final String PROCESS_SHUTDOWN_TIMEOUT = "simplevisor.process.shutdown-timeout";
    /** Notification type: this node acquired a singleton's lease; its run starts with the new fencing token. */
    public static final String PROCESS_LEASE_ACQUIRED = "simplevisor.process.lease-acquired";
    /**
     * Notification type: this node stopped holding a singleton's lease (released, expired, or renewal failed: the
     * user data's reason).
     */
    public static final String PROCESS_LEASE_LOST = "simplevisor.process.lease-lost";
    /** Notification type: a process group is restarting; emitted by the supervisor MBean. */
    public static final String GROUP_RESTARTING = "simplevisor.group.restarting";

    private static final Logger LOG = LogManager.getLogger(SupervisorJmx.class);
    /** How long closing waits for listeners to take the queued notifications. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(1);

    private final Supervisor supervisor;
    private final MBeanServer server;
    private final String domain;
    private final String context;
    private final String executor;
    private final ObjectName supervisorName;
    private final NotificationThread deliveries;
    private final NotificationThread alertDeliveries; // started by the first alert that has a listener
    private final ListenerSafeEmitter supervisorEmitter;
    private final ObjectName alertsName;
    private final Alerts alerts;
    private final AtomicLong supervisorSequence = new AtomicLong(); // of the supervisor MBean's own notifications
    private final SupervisorListener listener = this::onEvent;
    private final CountDownLatch closeDone = new CountDownLatch(1);

    private final Object lock = new Object();
    @GuardedBy("lock") private final Map<String, ProcessEntry> processes = new LinkedHashMap<>();
    // What this registration registered: closing unregisters each name whose MBean is still there
    @GuardedBy("lock") private @Nullable OwnedMBean supervisorMBean;
    @GuardedBy("lock") private @Nullable OwnedMBean alertsMBean;
    @GuardedBy("lock") private boolean closed;

    /** A process's MBean name, its emitter, and its sequence of notification numbers. */
    private static final class ProcessEntry {
        final ObjectName name;
        final ListenerSafeEmitter emitter;
        final AtomicLong sequence = new AtomicLong();
        @Nullable OwnedMBean mbean; // once registered
        @Nullable RuntimeException registrationFailure; // why the MBean could not be registered, if it could not

        ProcessEntry(ObjectName name, ListenerSafeEmitter emitter) {
            this.name = name;
            this.emitter = emitter;
        }
    }


    private SupervisorJmx(Supervisor supervisor, MBeanServer server, String domain, String context,
            String executor) {
        this.supervisor = supervisor;
        this.executor = executor;
        this.server = server;
        this.domain = domain;
        this.context = context;
        this.supervisorName = supervisorObjectName(domain, context);
        this.deliveries = new NotificationThread(Supervisor.threadNamePrefix(supervisor.name()) + "-jmx", supervisor);
        this.alertDeliveries = new NotificationThread(Supervisor.threadNamePrefix(supervisor.name()) + "-jmx-alerts",
                supervisor);
        this.supervisorEmitter = new ListenerSafeEmitter(GroupNotifications.supervisorInfos());
        this.alertsName = alertsObjectName(domain, context);
        this.alerts = new Alerts(context, alertDeliveries);
    }

    /**
     * Registers the supervisor and its processes in the platform MBean server, under domain
     * {@value #DEFAULT_DOMAIN} with the supervisor's name as context.
     *
     * @param supervisor the supervisor, not yet terminated
     * @return the registration; close it, or shut the supervisor down, to unregister everything
     * @throws IllegalStateException if a name is already taken (the message names it) or the supervisor has
     *                               terminated
     */
    public static SupervisorJmx register(Supervisor supervisor) {
        return register(supervisor, null, null, null);
    }

    /**
     * Registers the supervisor and its processes: the supervisor MBean, one MBean per process registered so far,
     * and from now on one per process registered later. Everything is unregistered when the supervisor
     * terminates or this object is closed. If a registration fails (a name is taken, the server refuses an MBean)
     * nothing stays registered.
     *
     * @param supervisor the supervisor, not yet terminated
     * @param server     where to register; {@code null} means the platform MBean server
     * @param domain     the JMX domain; {@code null} means {@value #DEFAULT_DOMAIN}
     * @param context    the {@code context} key: the web application's context path ({@code /} for the root) in
     *                   a container; {@code null} means the supervisor's name
     * @return the registration
     * @throws IllegalArgumentException if the domain is not a valid, non-pattern JMX domain
     * @throws IllegalStateException    if a name is already taken (the message names it), registration fails
     *                                  otherwise, or the supervisor has terminated
     */
    public static SupervisorJmx register(Supervisor supervisor, @Nullable MBeanServer server, @Nullable String domain,
            @Nullable String context) {
        return register(supervisor, server, domain, context, null);
    }

    /**
     * Registers the supervisor and its processes as {@link #register(Supervisor, MBeanServer, String, String)} does,
     * and says what executor its runs execute on: the supervisor MBean's {@code Executor} attribute.
     *
     * @param supervisor the supervisor, not yet terminated
     * @param server     where to register; {@code null} means the platform MBean server
     * @param domain     the JMX domain; {@code null} means {@value #DEFAULT_DOMAIN}
     * @param context    the {@code context} key; {@code null} means the supervisor's name
     * @param executor   the executor's JNDI name or a description of it; {@code null} for none
     * @return the registration
     * @throws IllegalArgumentException if the domain is not a valid, non-pattern JMX domain
     * @throws IllegalStateException    if a name is already taken (the message names it), registration fails
     *                                  otherwise, or the supervisor has terminated
     */
    public static SupervisorJmx register(Supervisor supervisor, @Nullable MBeanServer server, @Nullable String domain,
            @Nullable String context, @Nullable String executor) {
        Objects.requireNonNull(supervisor, "supervisor");
        if (supervisor.isTerminated()) {
            throw new IllegalStateException("supervisor \"" + supervisor.name()
                    + "\" has terminated; there is nothing to publish over JMX");
        }
        SupervisorJmx jmx = new SupervisorJmx(supervisor,
                server != null ? server : ManagementFactory.getPlatformMBeanServer(),
                domain != null ? domain : DEFAULT_DOMAIN, context != null ? context : supervisor.name(),
                executor != null ? executor : "");
        try {
            jmx.registerSupervisor();
            // Listen first, then read the processes: one registered in between is seen twice, and registering
            // is idempotent; one registered before is in processNames(); none is missed.
            supervisor.addListener(jmx.listener);
            for (String process : supervisor.processNames()) {
                jmx.processEntry(process, true);
            }
        } catch (RuntimeException | Error e) { // all or nothing: no MBean, listener or thread is left behind
            jmx.close();
            throw e;
        }
        if (supervisor.isTerminated()) {
            jmx.close(); // terminated meanwhile: its TERMINATED event may have gone before our listener came
        }
        return jmx;
    }

    // ---------------------------------------------------------------- names

    /**
     * {@return the supervisor MBean's name, {@code <domain>:type=Supervisor,context=<context>}, the context quoted
     * only if it needs it}
     *
     * @param domain  the JMX domain
     * @param context the {@code context} key's value
     * @throws IllegalArgumentException if the result is not a valid, non-pattern ObjectName
     */
    public static ObjectName supervisorObjectName(String domain, String context) {
        return JmxNames.of(domain, "Supervisor", context, null);
    }

    /**
     * {@return the Alerts MBean's name, {@code <domain>:type=Alerts,context=<context>}, the context quoted only if it
     * needs it}
     *
     * @param domain  the JMX domain
     * @param context the {@code context} key's value
     * @throws IllegalArgumentException if the result is not a valid, non-pattern ObjectName
     */
    public static ObjectName alertsObjectName(String domain, String context) {
        return JmxNames.of(domain, "Alerts", context, null);
    }

    /**
     * {@return a process MBean's name, {@code <domain>:type=Process,context=<context>,name=<process>}, the values
     * quoted only if they need it}
     *
     * @param domain  the JMX domain
     * @param context the {@code context} key's value
     * @param process the process name
     * @throws IllegalArgumentException if the result is not a valid, non-pattern ObjectName
     */
    public static ObjectName processObjectName(String domain, String context, String process) {
        return JmxNames.of(domain, "Process", context, process);
    }

    /** {@return the supervisor MBean's name} */
    public ObjectName supervisorObjectName() {
        return supervisorName;
    }

    /** {@return the Alerts MBean's name} */
    public ObjectName alertsObjectName() {
        return alertsName;
    }

    /**
     * {@return the name the named process's MBean has (or would have) in this registration}
     *
     * @param process a process name
     */
    public ObjectName processObjectName(String process) {
        return processObjectName(domain, context, process);
    }

    /** {@return the {@code context} key of this registration's names} */
    public String context() {
        return context;
    }

    /** {@return the MBean server this registration uses} */
    public MBeanServer server() {
        return server;
    }

    /** {@return whether this registration was closed (by {@link #close()} or the supervisor's termination)} */
    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    // ---------------------------------------------------------------- registration

    private void registerSupervisor() {
        SupervisorView view = new SupervisorView(supervisor, executor);
        synchronized (lock) {
            supervisorMBean = register(new SupervisorView.MBean(view, supervisorEmitter), supervisorName);
            alertsMBean = register(new ReflectiveMXBean<>(alerts, alerts::forOneCall, AlertsMXBean.class,
                    alerts.emitter()), alertsName);
        }
    }

    /**
     * Returns a process's entry, registering its MBean first if needed. Idempotent, so the initial registration
     * and the REGISTERED event may race.
     *
     * @param strict whether a failed registration throws (at start-up) or is logged (later, on the event thread);
     *               a process whose name is taken still has its notifications relayed by the supervisor MBean
     * @return the entry, or {@code null} once closed
     */
    private @Nullable ProcessEntry processEntry(String process, boolean strict) {
        synchronized (lock) {
            if (closed) {
                return null;
            }
            ProcessEntry entry = processes.get(process);
            if (entry == null) {
                entry = new ProcessEntry(processObjectName(process), new ListenerSafeEmitter());
                processes.put(process, entry);
                try {
                    ProcessView view = new ProcessView(supervisor, process);
                    entry.mbean = register(new ReflectiveMXBean<>(view, view::forOneCall, ProcessMXBean.class,
                            entry.emitter), entry.name);
                } catch (RuntimeException e) {
                    entry.registrationFailure = e;
                    if (!strict) {
                        LOG.error("Process \"{}\" has no MBean of its own; the supervisor MBean still relays its"
                                + " notifications. {}", process, e.getMessage());
                    }
                }
            }
            // Strict (start-up) fails whoever tried first: the event thread may have met the taken name already.
            if (strict && entry.registrationFailure != null) {
                throw entry.registrationFailure;
            }
            return entry;
        }
    }

    /** {@return the MBean, registered under the name} */
    private <M extends OwnedMBean> M register(M mbean, ObjectName name) {
        try {
            server.registerMBean(mbean, name);
            return mbean;
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalStateException("JMX name " + name + " is already registered: does another"
                    + " supervisor use domain \"" + domain + "\" and context \"" + context + "\"? Give this one"
                    + " another context or domain", e);
        } catch (JMException | JMRuntimeException e) { // a server's own domain, say: the reason is in the cause
            throw new IllegalStateException("cannot register " + name + ": "
                    + (e.getCause() != null ? e.getCause() : e), e);
        }
    }

    // ---------------------------------------------------------------- events

    private void onEvent(SupervisorEvent event) {
        if (event.type() == SupervisorEvent.Type.TERMINATED) {
            close();
            return;
        }
        if (event.type() == SupervisorEvent.Type.GROUP_RESTARTING) {
            long sequence = supervisorSequence.incrementAndGet(); // numbered even when no one listens: no gap shows
            if (supervisorEmitter.hasListeners()) {
                Notification notification = GroupNotifications.of(event, supervisorName, context, sequence);
                deliveries.execute(() -> supervisorEmitter.sendNotification(notification));
            }
            return;
        }
        if (event.processName() == null) {
            return;
        }
        ProcessEntry entry = processEntry(event.processName(), false);
        if (entry == null) {
            return; // closed
        }
        alerts.onEvent(event, entry.name);
        // Numbered here, in event order; filtered and delivered on the notification thread, so that no listener
        // or filter of a JMX client ever runs on the event thread.
        if (!entry.emitter.hasListeners() && !supervisorEmitter.hasListeners()) {
            entry.sequence.addAndGet(ProcessNotifications.countOf(event)); // numbered all the same, so no gap shows
            return;
        }
        List<Notification> notifications = ProcessNotifications.of(event, entry.name, context, entry.sequence);
        if (!notifications.isEmpty()) {
            deliveries.execute(() -> {
                for (Notification notification : notifications) {
                    // copied first: a listener of the process MBean may change what it receives
                    Notification relayed = ProcessNotifications.copy(notification);
                    entry.emitter.sendNotification(notification);
                    supervisorEmitter.sendNotification(relayed);
                }
            });
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * Stops listening, delivers the notifications already queued (within a second for each delivery thread),
     * unregisters every MBean of this registration that is still registered (a name whose MBean someone else
     * unregistered is left as it is, with whatever another party registered under it since) and ends its delivery
     * threads. Idempotent; also done when the supervisor terminates.
     */
    @Override
    public void close() {
        boolean first;
        synchronized (lock) {
            first = !closed;
            closed = true;
        }
        if (!first) {
            awaitClosed();
            return;
        }
        try {
            supervisor.removeListener(listener);
            // listeners get the last notifications while the MBeans still exist; the alerts first, as they matter most
            alertDeliveries.close(DRAIN_TIMEOUT);
            deliveries.close(DRAIN_TIMEOUT);
            Map<ObjectName, OwnedMBean> ours = new LinkedHashMap<>(); // the processes' MBeans first, the supervisor's last
            synchronized (lock) {
                processes.values().stream().filter(p -> p.mbean != null).forEach(p -> ours.put(p.name, p.mbean));
                if (alertsMBean != null) {
                    ours.put(alertsName, alertsMBean);
                }
                if (supervisorMBean != null) {
                    ours.put(supervisorName, supervisorMBean);
                }
            }
            ours.forEach(this::unregister);
        } finally {
            closeDone.countDown();
        }
    }

    /** A second caller returns when the first has finished, unless it is a listener the first is waiting for. */
    private void awaitClosed() {
        if (deliveries.isCurrent() || alertDeliveries.isCurrent()) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                closeDone.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Unregisters the name if the MBean under it is still ours: once ours is gone, another party may have it. */
    private void unregister(ObjectName name, OwnedMBean ours) {
        if (!ours.isRegistered()) {
            LOG.debug("MBean {} was already unregistered", name);
            return;
        }
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException alreadyGone) {
            LOG.debug("MBean {} was already unregistered", name);
        } catch (JMException | RuntimeException e) {
            LOG.warn("Cannot unregister MBean {}", name, e);
        }
    }
}
