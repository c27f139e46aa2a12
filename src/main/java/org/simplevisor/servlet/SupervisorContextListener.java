package org.simplevisor.servlet;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.naming.InitialContext;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;
import org.simplevisor.LeaseStore;
import org.simplevisor.OwnedThreads;
import org.simplevisor.Supervisor;
import org.simplevisor.jmx.SupervisorJmx;

/**
 * The listener that runs the {@link Supervisor} of one web application from context start to context destroy. It
 * is added by {@link SupervisorInitializer}, which has already read and validated the configuration (see the
 * {@linkplain org.simplevisor.servlet package documentation} for the context parameters).
 *
 * <h2>Start</h2>
 * In this order, and before any process runs: looks up the container's {@code ManagedExecutorService} (the JNDI
 * name of {@code simplevisor.executor}, else {@code java:comp/DefaultManagedExecutorService}); creates each
 * process with its public no-arg constructor and calls its {@code @PostConstruct} methods; creates its own
 * executor if the container has none; builds the supervisor and registers the processes; binds the metrics and
 * publishes the MBeans; sets the context attribute {@value #SUPERVISOR_ATTRIBUTE}; and runs the supervisor. If a
 * step fails, everything done so far is undone and the deployment fails.
 *
 * <h2>Destroy</h2>
 * Removes the attribute, shuts the supervisor down within {@code simplevisor.shutdown-timeout}, unregisters the
 * MBeans and meters (and closes its own meter registry), calls the {@code @PreDestroy} methods (on a thread of its
 * own, with the context of the container's thread, see the {@linkplain org.simplevisor.servlet package
 * documentation}), and shuts down and joins its own executor. A container's executor is never shut down. Nothing of
 * the web application is referenced afterwards.
 */
public final class SupervisorContextListener implements ServletContextListener {

    /** The {@code ServletContext} attribute that holds the web application's {@link Supervisor}. */
    public static final String SUPERVISOR_ATTRIBUTE = "org.simplevisor.Supervisor";
    /**
     * The {@code ServletContext} attribute an application may set, before this listener starts (in a listener of
     * its own declared in {@code web.xml}), to a Micrometer {@link MeterRegistry} that receives the meters. It
     * takes precedence over {@code simplevisor.metrics}.
     */
    public static final String METER_REGISTRY_ATTRIBUTE = "org.simplevisor.MeterRegistry";

    private static final Logger LOG = LogManager.getLogger(SupervisorContextListener.class);
    /** How long, after the supervisor's shutdown, the listener's own executor threads get to end. */
    private static final Duration EXECUTOR_GRACE = Duration.ofSeconds(2);
    /** The least time the {@code @PreDestroy} methods get when the processes used up the shutdown timeout. */
    static final Duration PRE_DESTROY_LEAST_TIME = Duration.ofMillis(100);

    private final ServletConfiguration configuration;
    /** The web application's {@linkplain #contextName name}, found before the listener was added. */
    private final String contextName;

    // Set by contextInitialized, cleared by release; the container calls both on one thread or with a happens-before.
    private List<ProcessFactory.Instance> instances = List.of();
    private @Nullable OwnedExecutor ownedExecutor;
    private @Nullable ManagedTaskExecutor taskExecutor;
    private @Nullable Supervisor supervisor;
    private @Nullable MetricsPublisher metrics;
    private @Nullable AutoCloseable jmx;
    private @Nullable LeaseStore leaseStore;

    SupervisorContextListener(ServletConfiguration configuration, String contextName) {
        this.configuration = configuration;
        this.contextName = contextName;
    }

    /**
     * Starts the supervisor and its processes.
     *
     * @param event the web application's start
     * @throws ConfigurationException if the configured executor or the meter registry attribute is invalid
     * @throws IllegalStateException  if a process cannot be created or initialised, or MBeans cannot be registered
     */
    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        try {
            start(context);
        } catch (RuntimeException | Error e) {
            LOG.error("simplevisor: web application {} cannot start: {}", contextName, e.getMessage());
            if (supervisor != null && context.getAttribute(SUPERVISOR_ATTRIBUTE) == supervisor) {
                context.removeAttribute(SUPERVISOR_ATTRIBUTE); // set before the run that failed
            }
            release(context);
            throw e;
        }
    }

    private void start(ServletContext context) {
        MeterRegistry appRegistry = appRegistry(context);
        ExecutorLookup.Found containerExecutor =
                ExecutorLookup.find(configuration.executorName, InitialContext::doLookup);
        leaseStore = LeaseStoreLookup.find(configuration.cluster, InitialContext::doLookup);
        String name = supervisorName(contextPath(context));
        instances = ProcessFactory.createAll(configuration.processes, destroyerName(name),
                configuration.shutdownTimeout, InitialContext::doLookup);

        ExecutorService runsOn;
        String executorName;
        if (containerExecutor != null) {
            runsOn = containerExecutor.executor;
            executorName = containerExecutor.jndiName;
        } else {
            executorName = Supervisor.threadNamePrefix(name) + "-executor";
            ownedExecutor = new OwnedExecutor(executorName);
            runsOn = ownedExecutor.executor();
        }
        taskExecutor = new ManagedTaskExecutor(runsOn, containerExecutor != null ? handOverThreads(name) : null,
                context.getClassLoader(), contextName);
        Supervisor.Builder builder = Supervisor.builder()
                .name(name)
                .shutdownTimeout(configuration.shutdownTimeout)
                .logRepeatWindow(configuration.logRepeatWindow)
                .executor(taskExecutor);
        if (leaseStore != null) {
            builder.leaseStore(leaseStore);
        }
        if (configuration.cluster.nodeId != null) {
            builder.nodeId(configuration.cluster.nodeId);
        }
        configuration.groups.forEach(builder::group);
        supervisor = builder.build();
        for (ProcessFactory.Instance instance : instances) {
            instance.register(supervisor);
        }
        metrics = MetricsPublisher.publish(supervisor, configuration, appRegistry, contextName);
        String executor = containerExecutor != null ? "the container's executor " + executorName
                : "its own executor " + executorName + " (the container has none)";
        jmx = publishJmx(supervisor, executor);
        context.setAttribute(SUPERVISOR_ATTRIBUTE, supervisor);
        supervisor.run();
        LOG.info("simplevisor: web application {} runs {} process(es) on {}{}", contextName, instances.size(),
                executor, metrics.active() ? "" : ", without metrics");
    }

    /**
     * @param name the supervisor's name
     * @return where the thread that hands runs to a container's executor comes from: the container's
     *         {@code java:comp/DefaultManagedThreadFactory} on a full Jakarta EE server, else the JDK's own; the
     *         thread is called {@code simplevisor-<name>-hand-over}
     */
    private static ForkJoinPool.ForkJoinWorkerThreadFactory handOverThreads(String name) {
        ManagedThreadFactory container = ExecutorLookup.defaultThreadFactory(InitialContext::doLookup);
        ForkJoinPool.ForkJoinWorkerThreadFactory threads =
                container != null ? container : ForkJoinPool.defaultForkJoinWorkerThreadFactory;
        return pool -> {
            ForkJoinWorkerThread thread = threads.newThread(pool);
            if (thread != null) {
                thread.setName(Supervisor.threadNamePrefix(name) + "-hand-over");
            }
            return thread;
        };
    }

    /**
     * Publishes the supervisor and its processes as MBeans, when {@code simplevisor.jmx.enabled} is true: domain
     * {@code simplevisor.jmx.domain}, key {@code context} the {@linkplain #contextName context name}. The only
     * place JMX is wired.
     *
     * @return what unregisters them, or {@code null} when JMX is off
     */
    private @Nullable AutoCloseable publishJmx(Supervisor published, String executor) {
        if (!configuration.jmxEnabled) {
            return null;
        }
        return SupervisorJmx.register(published, ManagementFactory.getPlatformMBeanServer(),
                configuration.jmxDomain, contextName, executor);
    }

    /**
     * Stops the supervisor and releases everything it holds.
     *
     * @param event the web application's destroy
     */
    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        if (supervisor != null && context.getAttribute(SUPERVISOR_ATTRIBUTE) == supervisor) {
            context.removeAttribute(SUPERVISOR_ATTRIBUTE);
        }
        release(context);
    }

    /** Undoes whatever {@link #start} did, in reverse order; safe after a partial start. */
    private void release(ServletContext context) {
        long shutdownDeadline = OwnedThreads.deadlineAfter(configuration.shutdownTimeout.toNanos());
        if (supervisor != null) {
            supervisor.shutdown();
        }
        close(jmx, "MBeans");
        close(metrics, "meters");
        close(leaseStore, "lease store");
        // What the processes left of the shutdown timeout, and at least a moment: a blocking one must not hang
        // the undeploy.
        ProcessFactory.destroyAll(instances, destroyerName(supervisorName(contextPath(context))),
                OwnedThreads.deadlineAtLeast(shutdownDeadline, PRE_DESTROY_LEAST_TIME.toNanos()),
                InitialContext::doLookup);
        long deadline = OwnedThreads.deadlineAfter(EXECUTOR_GRACE.toNanos());
        if (taskExecutor != null && !taskExecutor.release(deadline)) {
            LOG.warn("simplevisor: a process of {} is still running after the shutdown timeout", contextName);
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdown(deadline);
        }
        instances = List.of();
        jmx = null;
        metrics = null;
        leaseStore = null;
        supervisor = null;
        taskExecutor = null;
        ownedExecutor = null;
    }

    private static void close(@Nullable AutoCloseable resource, String what) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception | LinkageError e) {
            LOG.warn("simplevisor: could not release the {}", what, e);
        }
    }

    private static @Nullable MeterRegistry appRegistry(ServletContext context) {
        Object value = context.getAttribute(METER_REGISTRY_ATTRIBUTE);
        if (value == null || value instanceof MeterRegistry) {
            return (MeterRegistry) value;
        }
        throw new ConfigurationException("context attribute " + METER_REGISTRY_ATTRIBUTE + " is a "
                + value.getClass().getName() + ", not a " + MeterRegistry.class.getName(), null);
    }

    /** {@return the name of the thread that calls the {@code @PreDestroy} methods of a web application} */
    private static String destroyerName(String supervisorName) {
        return Supervisor.threadNamePrefix(supervisorName) + "-pre-destroy";
    }

    /** {@return the context path, {@code /} for the root context} */
    static String contextPath(ServletContext context) {
        String path = context.getContextPath();
        return path == null || path.isEmpty() ? "/" : path;
    }

    /**
     * {@return the web application's name in the JMX key {@code context}, the metrics tag {@code context} and the
     * log: its {@linkplain #contextPath context path}, as Tomcat names it when another application may have the same
     * path}: followed by {@code ##} and the version for one version of a parallel deployment ({@code /shop##2}), and
     * preceded by {@code //} and where it is deployed when that is not the default: the host on a virtual host other
     * than its engine's default one ({@code //shop.example/}), or the engine and the host in a service other than the
     * server's first ({@code //Internal/localhost/}), so that each has its own MBeans and series.
     */
    static String contextName(ServletContext context) {
        String version = tomcatVersion(context.getClassLoader());
        String where = tomcatPlaceOtherThanDefault(context);
        return (where.isEmpty() ? "" : "//" + where) + contextPath(context) + (version.isEmpty() ? "" : "##" + version);
    }

    /**
     * {@return where on Tomcat a web application is deployed, when that is not the default, or an empty string}:
     * Tomcat names the virtual server {@code <engine>/<host>}, which is returned whole for an engine other than that
     * of the server's first service (Tomcat names its server's MBean {@code <engine>:type=Server} after the first
     * one's), and the host alone when it is not the engine's default one (the attribute {@code defaultHost} of the
     * MBean {@code <engine>:type=Engine}).
     */
    private static String tomcatPlaceOtherThanDefault(ServletContext context) {
        try {
            String server = context.getVirtualServerName();
            int slash = server == null ? -1 : server.indexOf('/');
            if (slash < 0) {
                return ""; // not Tomcat's
            }
            String engine = server.substring(0, slash);
            String host = server.substring(slash + 1);
            MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
            Object defaultHost = mbeans.getAttribute(new ObjectName(engine + ":type=Engine"), "defaultHost");
            if (!mbeans.isRegistered(new ObjectName(engine + ":type=Server"))) {
                return server; // its hosts and paths may be the first service's too
            }
            return defaultHost instanceof String && !host.equalsIgnoreCase((String) defaultHost) ? host : "";
        } catch (JMException | RuntimeException e) {
            return ""; // not Tomcat's, or its MBeans are not published: one host as far as can be told
        }
    }

    /**
     * {@return the version Tomcat gives a web application of a parallel deployment, or an empty string}: no standard
     * API tells it, but Tomcat's web application class loader names its context by its base name, {@code shop##2}
     * for version 2 at {@code /shop}.
     */
    private static String tomcatVersion(@Nullable ClassLoader loader) {
        if (loader == null) {
            return "";
        }
        try {
            Object name = loader.getClass().getMethod("getContextName").invoke(loader);
            int marker = name instanceof String ? ((String) name).indexOf("##") : -1;
            return marker < 0 ? "" : ((String) name).substring(marker + 2);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return ""; // not Tomcat's: no parallel deployment
        }
    }

    /**
     * {@return the supervisor's name, used in thread names and in the names of its singletons' leases: Tomcat's base
     * name of the context path, {@code ROOT} for the root context, {@code shop} for {@code /shop}, {@code a#b} for
     * {@code /a/b}}, whatever the version: a singleton runs once among all versions of the application.
     */
    static String supervisorName(String contextPath) {
        String base = contextPath.startsWith("/") ? contextPath.substring(1) : contextPath;
        return base.isEmpty() ? "ROOT" : base.replace('/', '#');
    }
}
