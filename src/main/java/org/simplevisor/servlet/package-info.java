/**
 * simplevisor in a Jakarta servlet container (Tomcat 10.1 and 11, or a full Jakarta EE server): drop the JAR into
 * {@code WEB-INF/lib}, mark {@link org.simplevisor.SupervisedProcess} classes with
 * {@link org.simplevisor.Supervised @Supervised} or declare them in {@code web.xml}, and they run while the web
 * application does.
 *
 * <p>{@link org.simplevisor.servlet.SupervisorInitializer} (a {@code ServletContainerInitializer}) receives the
 * annotated classes, validates the configuration and adds
 * {@link org.simplevisor.servlet.SupervisorContextListener}, which runs the supervisor, publishes it as the
 * {@code ServletContext} attribute {@code org.simplevisor.Supervisor}, and stops it on context destroy.
 *
 * <h2>Context parameters</h2>
 * <table>
 * <caption>context parameters</caption>
 * <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code simplevisor.enabled}</td><td>{@code true}</td><td>{@code false} turns the integration off</td></tr>
 * <tr><td>{@code simplevisor.shutdown-timeout}</td><td>{@code 5s}</td><td>total time to wait for processes on
 *     context destroy</td></tr>
 * <tr><td>{@code simplevisor.executor}</td><td>(look-up)</td><td>JNDI name of a {@code ManagedExecutorService};
 *     a name without {@code java:} is looked up under {@code java:comp/env/}. Without it,
 *     {@code java:comp/DefaultManagedExecutorService} if bound, else an executor the listener owns. The one used
 *     is named in the start-up log and the supervisor MBean's {@code Executor} attribute; a configured name that
 *     resolves to the default executor, or to another than the server's executor of that name (a
 *     {@code resource-env-ref} without {@code lookup-name}), is reported at WARN</td></tr>
 * <tr><td>{@code simplevisor.jmx.enabled}</td><td>{@code true}</td><td>publish the supervisor, process and Alerts
 *     MBeans (the meters' MBeans follow {@code simplevisor.metrics})</td></tr>
 * <tr><td>{@code simplevisor.jmx.domain}</td><td>{@code org.simplevisor}</td><td>their JMX domain; also the domain
 *     of the meters' MBeans, which is {@code metrics} when this is not given; not {@code JMImplementation}, the MBean
 *     server's own</td></tr>
 * <tr><td>{@code simplevisor.metrics}</td><td>{@code jmx}</td><td>{@code jmx} (the meters as MBeans,
 *     {@link org.simplevisor.metrics.SupervisorMeterMBeans}), {@code global} (Micrometer's global registry) or
 *     {@code none}. A {@code MeterRegistry} in the context attribute {@code org.simplevisor.MeterRegistry} takes
 *     precedence. Every meter is tagged {@code context=<context>} (see <em>Context</em> below)</td></tr>
 * <tr><td>{@code simplevisor.process.<name>.class}</td><td></td><td>declares a process (or replaces the class of
 *     an annotated one of that name)</td></tr>
 * <tr><td>{@code simplevisor.process.<name>.restart}</td><td>{@code never}</td><td>{@code never}, {@code always},
 *     {@code on-failure}</td></tr>
 * <tr><td>{@code simplevisor.process.<name>.max-restarts}</td><td>{@code 3}</td><td>0 for no limit</td></tr>
 * <tr><td>{@code simplevisor.process.<name>.restart-delay}</td><td>{@code 1s}</td><td></td></tr>
 * <tr><td>{@code simplevisor.process.<name>.max-restart-delay}</td><td>= restart-delay</td><td>backoff cap</td></tr>
 * <tr><td>{@code simplevisor.process.<name>.jitter}</td><td>{@code 0}</td><td>0 to 1</td></tr>
 * <tr><td>{@code simplevisor.process.<name>.healthy-duration}</td><td>{@code 30s}</td><td></td></tr>
 * <tr><td>{@code simplevisor.process.<name>.restart-window}</td><td>(none)</td><td></td></tr>
 * <tr><td>{@code simplevisor.process.<name>.watchdog}</td><td>(none)</td><td></td></tr>
 * <tr><td>{@code simplevisor.process.<name>.priority}</td><td>{@code 0}, or {@code @Priority}</td><td>start order
 *     ascending, stop order descending; processes of equal priority start in name order</td></tr>
 * <tr><td>{@code simplevisor.process.<name>.enabled}</td><td>{@code true}</td><td>{@code false} leaves the
 *     process out</td></tr>
 * </table>
 * Durations are written {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} or in ISO-8601 ({@code PT5S}): a whole
 * number of nanoseconds, with a sign, if any, in front only. Numbers are plain decimal digits ({@code 3},
 * {@code 0.3}; not {@code 0.3f}, {@code 3e-1} or {@code 0x3}). For a
 * process name declared both by {@code @Supervised} and in {@code web.xml}, each context parameter overrides the
 * corresponding annotation attribute; {@code jakarta.annotation.Priority} on the class gives its priority unless
 * the parameter does. Log folding, process groups and cluster singletons add {@code simplevisor.log.repeat-window},
 * {@code simplevisor.process.<name>.group}, {@code simplevisor.group.<group>.strategy},
 * {@code simplevisor.process.<name>.singleton} and {@code simplevisor.cluster.*} (see the README). Any other
 * {@code simplevisor.*} parameter is an error.
 *
 * <h2>Process instances</h2>
 * Each process is an instance made with the class's public no-arg constructor. Its {@code @PostConstruct} methods
 * are called before the supervisor starts, on the container's thread that starts the web application; its
 * {@code @PreDestroy} methods after the supervisor has shut down, on a thread of the listener's own
 * ({@code simplevisor-<name>-pre-destroy}, so that one that blocks cannot hang the undeploy), with the context of
 * the container's thread that destroys the web application: its context class loader (the web application's), and,
 * where the container binds {@code java:comp/DefaultContextService} (a full Jakarta EE server), the application
 * component's context captured by that service ({@code java:comp}, {@code java:app}, CDI). On Tomcat, which binds
 * none, {@code java:comp/env} resolves by the context class loader. If the container refuses to set the context up,
 * the methods run without it, logged at WARN.
 * Runs execute as long-running managed tasks with the web application's class loader as context class loader and
 * the context (see below) under the Log4j {@code ThreadContext} key {@code context}. A container's executor is
 * called from a hand-over thread ({@code simplevisor-<name>-hand-over}, made by
 * {@code java:comp/DefaultManagedThreadFactory} where the container binds one), so that a pool thread it creates
 * then never inherits the web application's class loader, and no interrupt of the submitting thread can make it
 * refuse a run; a run it would execute on the hand-over thread itself (a caller-runs policy) is refused.
 *
 * <h2>Context</h2>
 * The web application's name in the MBeans' key {@code context}, the meters' tag {@code context} and the log is its
 * context path ({@code /} for the root), as Tomcat names an application that shares its path with another: followed
 * by {@code ##} and the version for one version of a parallel deployment ({@code /shop##2}), and preceded by
 * {@code //} and the host on a virtual host other than the engine's default one ({@code //shop.example/}), or by
 * {@code //}, the engine and the host in a service other than the server's first ({@code //Internal/localhost/}). The
 * supervisor is named after the path alone ({@code shop}), and so are its singletons' leases: a singleton runs in one
 * version of a parallel deployment at a time.
 *
 * <h2>Invalid configuration</h2>
 * An unknown parameter or policy, a negative {@code max-restarts}, a bad duration, a jitter outside 0..1, a class
 * that is not found, is not a {@code SupervisedProcess} or has no public no-arg constructor, a duplicate or empty
 * name, a process group without a strategy or with an unknown one: the deployment fails at start with a
 * {@link org.simplevisor.servlet.ConfigurationException} whose message names the parameter (or annotated class) and
 * the value. Nothing is started or registered.
 *
 * <p>Nothing in this package is {@code null} unless marked {@link org.jspecify.annotations.Nullable @Nullable}.
 */
@NullMarked
package org.simplevisor.servlet;

import org.jspecify.annotations.NullMarked;
