package org.simplevisor.servlet;

import jakarta.annotation.Priority;
import jakarta.servlet.ServletContext;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.simplevisor.LeaseTiming;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.Supervisor;
import org.simplevisor.cluster.JdbcLeaseStore;

/**
 * Reads and validates the whole configuration of one web application: its {@code simplevisor.*} context parameters
 * and its {@code @Supervised} classes. Every problem is collected, so that one {@link ConfigurationException} names
 * them all; nothing is instantiated or started here.
 *
 * <p>For a process name declared both ways, each context parameter overrides the annotation attribute of the same
 * meaning (the Servlet specification's rule for {@code web.xml} over annotations); the others keep the
 * annotation's value.
 */
final class ServletConfiguration {

    static final String PREFIX = "simplevisor.";
    static final String ENABLED = "simplevisor.enabled";
    static final String SHUTDOWN_TIMEOUT = "simplevisor.shutdown-timeout";
    static final String EXECUTOR = "simplevisor.executor";
    static final String JMX_ENABLED = "simplevisor.jmx.enabled";
    static final String JMX_DOMAIN = "simplevisor.jmx.domain";
    static final String METRICS = "simplevisor.metrics";
    static final String CLUSTER_DATASOURCE = "simplevisor.cluster.datasource";
    static final String CLUSTER_TABLE = "simplevisor.cluster.table";
    static final String CLUSTER_LEASE_TIME = "simplevisor.cluster.lease-time";
    static final String CLUSTER_NODE_ID = "simplevisor.cluster.node-id";
    static final String PROCESS_PREFIX = "simplevisor.process.";

    static final String DEFAULT_JMX_DOMAIN = "org.simplevisor";

    /** The settings of {@code simplevisor.process.<name>.<setting>}. */
    static final List<String> PROCESS_SETTINGS = List.of("class", "restart", "max-restarts", "restart-delay",
            "max-restart-delay", "jitter", "healthy-duration", "restart-window", "watchdog", "priority", "enabled",
            "singleton");

    /** Where metrics go: {@code simplevisor.metrics}. */
    enum Metrics { JMX, GLOBAL, NONE }

    private final boolean enabled;
    private final Duration shutdownTimeout;
    private final String executorName;
    private final boolean jmxEnabled;
    private final String jmxDomain;
    private final boolean jmxDomainSet;
    private final Metrics metrics;
    private final Cluster cluster;
    private final List<ProcessDeclaration> processes;

    /**
     * The lease store of the singletons: {@code simplevisor.cluster.*}.
     *
     * @param dataSource the JNDI name of the application's {@code DataSource}, or {@code null} when none is given
     * @param table      the lease table
     * @param leaseTime  the lease time
     * @param nodeId     this node's id, or {@code null} for the supervisor's default
     */
    record Cluster(String dataSource, String table, Duration leaseTime, String nodeId) {
    }

    private ServletConfiguration(Reader reader) {
        enabled = reader.enabled;
        shutdownTimeout = reader.shutdownTimeout;
        executorName = reader.executorName;
        jmxEnabled = reader.jmxEnabled;
        jmxDomain = reader.jmxDomain;
        jmxDomainSet = reader.jmxDomainSet;
        metrics = reader.metrics;
        cluster = new Cluster(reader.clusterDataSource, reader.clusterTable, reader.clusterLeaseTime,
                reader.clusterNodeId);
        processes = List.copyOf(reader.processes);
    }

    /**
     * Reads the configuration of a web application.
     *
     * @param context   the web application
     * @param annotated the classes the container found for {@code @HandlesTypes(Supervised.class)}, or {@code null}
     * @return the validated configuration
     * @throws ConfigurationException naming every invalid parameter or class and its value
     */
    static ServletConfiguration read(ServletContext context, Collection<Class<?>> annotated) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String name : Collections.list(context.getInitParameterNames())) {
            if (name.startsWith(PREFIX)) {
                parameters.put(name, context.getInitParameter(name));
            }
        }
        return read(parameters, annotated == null ? Set.of() : annotated, context.getClassLoader());
    }

    /**
     * Reads a configuration.
     *
     * @param parameters the context parameters (others than {@code simplevisor.*} are ignored)
     * @param annotated  candidate classes; those annotated {@code @Supervised} are processes
     * @param loader     the web application's class loader, which loads the classes named in parameters
     * @return the validated configuration
     * @throws ConfigurationException naming every invalid parameter or class and its value
     */
    static ServletConfiguration read(Map<String, String> parameters, Collection<Class<?>> annotated,
                                     ClassLoader loader) {
        Reader reader = new Reader(loader);
        reader.read(parameters, annotated);
        if (!reader.problems.isEmpty()) {
            throw new ConfigurationException(reader.problems);
        }
        return new ServletConfiguration(reader);
    }

    /** @return {@code simplevisor.enabled} */
    boolean enabled() {
        return enabled;
    }

    /** @return {@code simplevisor.shutdown-timeout} */
    Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** @return {@code simplevisor.executor}, or {@code null} to look up the default */
    String executorName() {
        return executorName;
    }

    /** @return {@code simplevisor.jmx.enabled} */
    boolean jmxEnabled() {
        return jmxEnabled;
    }

    /** @return {@code simplevisor.jmx.domain}, by default {@value #DEFAULT_JMX_DOMAIN} */
    String jmxDomain() {
        return jmxDomain;
    }

    /** @return whether {@code simplevisor.jmx.domain} was given */
    boolean jmxDomainSet() {
        return jmxDomainSet;
    }

    /** @return {@code simplevisor.metrics} */
    Metrics metrics() {
        return metrics;
    }

    /** {@return {@code simplevisor.cluster.*}} */
    Cluster cluster() {
        return cluster;
    }

    /** @return the enabled processes, in start order: ascending priority, then name */
    List<ProcessDeclaration> processes() {
        return processes;
    }

    static String describe(String parameter, String value) {
        return "context parameter " + parameter + " = \"" + value + "\"";
    }

    /** Builds one configuration, collecting problems instead of stopping at the first. */
    private static final class Reader {
        private final ClassLoader loader;
        private final List<String> problems = new ArrayList<>();

        private boolean enabled = true;
        private Duration shutdownTimeout = Supervisor.DEFAULT_SHUTDOWN_TIMEOUT;
        private String executorName;
        private boolean jmxEnabled = true;
        private String jmxDomain = DEFAULT_JMX_DOMAIN;
        private boolean jmxDomainSet;
        private Metrics metrics = Metrics.JMX;
        private String clusterDataSource;
        private String clusterTable = JdbcLeaseStore.DEFAULT_TABLE;
        private Duration clusterLeaseTime = LeaseTiming.DEFAULT_LEASE_TIME;
        private String clusterNodeId;
        private final List<ProcessDeclaration> processes = new ArrayList<>();

        Reader(ClassLoader loader) {
            this.loader = loader;
        }

        void read(Map<String, String> parameters, Collection<Class<?>> annotated) {
            Map<String, Settings> byName = new TreeMap<>();
            readAnnotated(annotated, byName);
            for (Map.Entry<String, String> parameter : new TreeMap<>(parameters).entrySet()) {
                String key = parameter.getKey();
                String value = parameter.getValue() == null ? "" : parameter.getValue();
                if (key.startsWith(PROCESS_PREFIX)) {
                    readProcessParameter(key, value, byName);
                } else if (key.startsWith(PREFIX)) {
                    readGlobalParameter(key, value);
                }
            }
            for (Settings settings : byName.values()) {
                ProcessDeclaration declaration = settings.declaration();
                if (declaration != null && settings.enabled) {
                    processes.add(declaration);
                    if (declaration.singleton() && clusterDataSource == null) {
                        problems.add(settings.singletonOrigin + ": process \"" + declaration.name() + "\" is a "
                                + "singleton, which needs context parameter " + CLUSTER_DATASOURCE + " (the JNDI name "
                                + "of the application's DataSource, e.g. jdbc/simplevisor)");
                    }
                }
            }
            // Start order: the supervisor starts by priority, then registration order, which is name order here.
            processes.sort(Comparator.comparingInt(ProcessDeclaration::priority));
        }

        // ------------------------------------------------------------ global parameters

        private void readGlobalParameter(String key, String value) {
            String where = describe(key, value);
            switch (key) {
                case ENABLED:
                    enabled = bool(where, value, enabled);
                    break;
                case SHUTDOWN_TIMEOUT:
                    shutdownTimeout = positive(where, value, shutdownTimeout);
                    break;
                case EXECUTOR:
                    if (value.isBlank()) {
                        problems.add(where + ": must be the JNDI name of a ManagedExecutorService");
                    } else {
                        executorName = value.trim();
                    }
                    break;
                case JMX_ENABLED:
                    jmxEnabled = bool(where, value, jmxEnabled);
                    break;
                case JMX_DOMAIN:
                    readJmxDomain(where, value.trim());
                    break;
                case METRICS:
                    try {
                        metrics = Metrics.valueOf(value.trim().toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        problems.add(where + ": unknown metrics registry; use jmx, global or none");
                    }
                    break;
                case CLUSTER_DATASOURCE:
                    clusterDataSource = nonBlank(where, value, "the JNDI name of a DataSource", clusterDataSource);
                    break;
                case CLUSTER_TABLE:
                    try {
                        clusterTable = JdbcLeaseStore.requireTableName(value.trim());
                    } catch (IllegalArgumentException e) {
                        problems.add(where + ": " + e.getMessage());
                    }
                    break;
                case CLUSTER_LEASE_TIME:
                    Duration leaseTime = positive(where, value, null);
                    try {
                        clusterLeaseTime = leaseTime == null ? clusterLeaseTime : LeaseTiming.of(leaseTime).leaseTime();
                    } catch (IllegalArgumentException e) {
                        problems.add(where + ": " + e.getMessage());
                    }
                    break;
                case CLUSTER_NODE_ID:
                    clusterNodeId = nonBlank(where, value, "this node's id among those sharing the lease table",
                            clusterNodeId);
                    break;
                default:
                    problems.add(where + ": unknown parameter; known are " + String.join(", ", ENABLED,
                            SHUTDOWN_TIMEOUT, EXECUTOR, JMX_ENABLED, JMX_DOMAIN, METRICS, CLUSTER_DATASOURCE,
                            CLUSTER_TABLE, CLUSTER_LEASE_TIME, CLUSTER_NODE_ID) + " and " + PROCESS_PREFIX
                            + "<name>.<setting>");
            }
        }

        private void readJmxDomain(String where, String domain) {
            try {
                if (domain.isEmpty() || new ObjectName(domain + ":type=Supervisor").isDomainPattern()) {
                    throw new MalformedObjectNameException();
                }
                jmxDomain = domain;
                jmxDomainSet = true;
            } catch (MalformedObjectNameException e) {
                problems.add(where + ": not a JMX domain (no ':', '*', '?' or ',')");
            }
        }

        // ------------------------------------------------------------ annotated classes

        private void readAnnotated(Collection<Class<?>> annotated, Map<String, Settings> byName) {
            List<Class<?>> sorted = new ArrayList<>(annotated);
            sorted.sort(Comparator.comparing(Class::getName));
            for (Class<?> type : sorted) {
                Supervised annotation = type.getAnnotation(Supervised.class);
                if (annotation == null) {
                    continue; // @HandlesTypes also reports classes annotated on a member, or subclasses
                }
                String where = "@Supervised class " + type.getName();
                String name = annotation.name().isEmpty() ? defaultName(type) : annotation.name();
                if (name.isBlank()) {
                    problems.add(where + ": name = \"" + annotation.name() + "\": empty process name");
                    continue;
                }
                Settings earlier = byName.get(name);
                if (earlier != null) {
                    problems.add(where + ": process name \"" + name + "\" already in use by " + earlier.classOrigin
                            + "; give one of them another @Supervised(name = ...)");
                    continue;
                }
                Settings settings = new Settings(name);
                settings.applyAnnotation(type, annotation, where);
                byName.put(name, settings);
            }
        }

        /** The simple class name with a lower-case first letter. */
        static String defaultName(Class<?> type) {
            String simple = type.getSimpleName();
            if (simple.isEmpty()) {
                String full = type.getName();
                simple = full.substring(full.lastIndexOf('.') + 1);
            }
            return Character.toLowerCase(simple.charAt(0)) + simple.substring(1);
        }

        // ------------------------------------------------------------ process parameters

        private void readProcessParameter(String key, String value, Map<String, Settings> byName) {
            String where = describe(key, value);
            String rest = key.substring(PROCESS_PREFIX.length());
            int dot = rest.lastIndexOf('.');
            if (dot < 0) {
                problems.add(where + ": expected " + PROCESS_PREFIX + "<name>.<setting>");
                return;
            }
            String name = rest.substring(0, dot);
            String setting = rest.substring(dot + 1);
            if (!PROCESS_SETTINGS.contains(setting)) {
                problems.add(where + ": unknown setting \"" + setting + "\"; known are "
                        + String.join(", ", PROCESS_SETTINGS));
                return;
            }
            if (name.isBlank()) {
                problems.add(where + ": empty process name");
                return;
            }
            byName.computeIfAbsent(name, Settings::new).applyParameter(key, setting, value, where);
        }

        // ------------------------------------------------------------ values

        private String nonBlank(String where, String value, String what, String fallback) {
            if (value.isBlank()) {
                problems.add(where + ": must be " + what);
                return fallback;
            }
            return value.trim();
        }

        private boolean bool(String where, String value, boolean fallback) {
            String text = value.trim().toLowerCase(Locale.ROOT);
            if (text.equals("true")) {
                return true;
            }
            if (text.equals("false")) {
                return false;
            }
            problems.add(where + ": must be true or false");
            return fallback;
        }

        private Duration duration(String where, String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage());
                return null;
            }
        }

        private Duration notNegative(String where, String value, Duration fallback) {
            Duration duration = duration(where, value);
            if (duration == null) {
                return fallback;
            }
            if (duration.isNegative()) {
                problems.add(where + ": must not be negative");
                return fallback;
            }
            return duration;
        }

        private Duration positive(String where, String value, Duration fallback) {
            Duration duration = duration(where, value);
            if (duration == null) {
                return fallback;
            }
            if (duration.isNegative() || duration.isZero()) {
                problems.add(where + ": must be positive");
                return fallback;
            }
            return duration;
        }

        /** A positive duration, or {@code null} for an empty value (none). */
        private Duration optionalPositive(String where, String value, Duration fallback) {
            return value.isBlank() ? null : positive(where, value, fallback);
        }

        private Integer integer(String where, String value) {
            try {
                return Integer.valueOf(value.trim());
            } catch (NumberFormatException e) {
                problems.add(where + ": not an integer");
                return null;
            }
        }

        private int notNegativeInt(String where, String value, int fallback) {
            Integer number = integer(where, value);
            if (number == null) {
                return fallback;
            }
            if (number < 0) {
                problems.add(where + ": must not be negative (0 means no limit)");
                return fallback;
            }
            return number;
        }

        private double jitter(String where, String value, double fallback) {
            double number;
            try {
                number = Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                problems.add(where + ": not a number");
                return fallback;
            }
            if (!(number >= 0 && number <= 1)) {
                problems.add(where + ": must be between 0 and 1");
                return fallback;
            }
            return number;
        }

        private RestartPolicy policy(String where, String value, RestartPolicy fallback) {
            String text = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (RestartPolicy policy : RestartPolicy.values()) {
                if (policy.name().equals(text)) {
                    return policy;
                }
            }
            problems.add(where + ": unknown restart policy; use never, always or on-failure");
            return fallback;
        }

        /**
         * Loads and checks a process class.
         *
         * @return the class, or {@code null} after recording a problem
         */
        private Class<? extends SupervisedProcess> processClass(String where, Class<?> type) {
            if (!SupervisedProcess.class.isAssignableFrom(type)) {
                problems.add(where + ": " + type.getName() + " does not implement " + SupervisedProcess.class.getName());
                return null;
            }
            int modifiers = type.getModifiers();
            if (type.isInterface() || Modifier.isAbstract(modifiers)) {
                problems.add(where + ": " + type.getName() + " is abstract; it must be a concrete class");
                return null;
            }
            if (!Modifier.isPublic(modifiers)
                    || type.getEnclosingClass() != null && !Modifier.isStatic(modifiers)) {
                problems.add(where + ": " + type.getName() + " must be a public top-level or static nested class");
                return null;
            }
            try {
                Constructor<?> constructor = type.getConstructor();
                if (!Modifier.isPublic(constructor.getModifiers())) {
                    throw new NoSuchMethodException();
                }
            } catch (NoSuchMethodException e) {
                problems.add(where + ": " + type.getName() + " has no public no-arg constructor");
                return null;
            } catch (LinkageError e) {
                problems.add(where + ": " + type.getName() + " cannot be loaded: " + e);
                return null;
            }
            try {
                LifecycleMethods.of(type);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage());
                return null;
            }
            return type.asSubclass(SupervisedProcess.class);
        }

        private Class<?> load(String where, String className) {
            if (className.isEmpty()) {
                problems.add(where + ": empty class name");
                return null;
            }
            try {
                return Class.forName(className, false, loader);
            } catch (ClassNotFoundException e) {
                problems.add(where + ": class not found");
            } catch (LinkageError e) {
                problems.add(where + ": class cannot be loaded: " + e);
            }
            return null;
        }

        /** The settings of one process name, as they are merged. */
        private final class Settings {
            final String name;
            Class<?> type;
            String classOrigin;
            boolean classInvalid;
            final List<String> parameters = new ArrayList<>(); // descriptions of its settings other than class

            RestartPolicy policy = RestartPolicy.NEVER;
            int maxRestarts = Supervisor.DEFAULT_MAX_RESTARTS;
            Duration restartDelay = Supervisor.DEFAULT_RESTART_DELAY;
            String restartDelayOrigin;
            Duration maxRestartDelay;
            String maxRestartDelayOrigin;
            double jitter;
            Duration healthyDuration = Supervisor.DEFAULT_HEALTHY_DURATION;
            Duration restartWindow;
            Duration watchdog;
            Integer priority;
            boolean enabled = true;
            List<Class<? extends Throwable>> noRestartOn = List.of();
            boolean singleton;
            String singletonOrigin;

            Settings(String name) {
                this.name = name;
            }

            void applyAnnotation(Class<?> annotatedType, Supervised annotation, String where) {
                type = annotatedType;
                classOrigin = where;
                String attribute = where + ": ";
                policy = annotation.restart();
                maxRestarts = notNegativeInt(attribute + "maxRestarts = " + annotation.maxRestarts(),
                        String.valueOf(annotation.maxRestarts()), maxRestarts);
                String delayWhere = attribute + "restartDelay = \"" + annotation.restartDelay() + "\"";
                restartDelay = notNegative(delayWhere, annotation.restartDelay(), restartDelay);
                restartDelayOrigin = delayWhere;
                if (!annotation.maxRestartDelay().isEmpty()) {
                    maxRestartDelayOrigin = attribute + "maxRestartDelay = \"" + annotation.maxRestartDelay() + "\"";
                    maxRestartDelay = notNegative(maxRestartDelayOrigin, annotation.maxRestartDelay(), null);
                }
                jitter = jitter(attribute + "jitter = " + annotation.jitter(), String.valueOf(annotation.jitter()),
                        jitter);
                healthyDuration = positive(attribute + "healthyDuration = \"" + annotation.healthyDuration() + "\"",
                        annotation.healthyDuration(), healthyDuration);
                restartWindow = optionalPositive(attribute + "restartWindow = \"" + annotation.restartWindow() + "\"",
                        annotation.restartWindow(), null);
                watchdog = optionalPositive(attribute + "watchdog = \"" + annotation.watchdog() + "\"",
                        annotation.watchdog(), null);
                noRestartOn = List.of(annotation.noRestartOn());
                singleton = annotation.singleton();
                singletonOrigin = attribute + "singleton = true";
            }

            void applyParameter(String key, String setting, String value, String where) {
                switch (setting) {
                    case "class":
                        classOrigin = where;
                        type = load(where, value.trim());
                        classInvalid = type == null;
                        return;
                    case "restart":
                        policy = policy(where, value, policy);
                        break;
                    case "max-restarts":
                        maxRestarts = notNegativeInt(where, value, maxRestarts);
                        break;
                    case "restart-delay":
                        restartDelay = notNegative(where, value, restartDelay);
                        restartDelayOrigin = where;
                        break;
                    case "max-restart-delay":
                        maxRestartDelay = value.isBlank() ? null : notNegative(where, value, maxRestartDelay);
                        maxRestartDelayOrigin = where;
                        break;
                    case "jitter":
                        jitter = jitter(where, value, jitter);
                        break;
                    case "healthy-duration":
                        healthyDuration = positive(where, value, healthyDuration);
                        break;
                    case "restart-window":
                        restartWindow = optionalPositive(where, value, restartWindow);
                        break;
                    case "watchdog":
                        watchdog = optionalPositive(where, value, watchdog);
                        break;
                    case "priority":
                        Integer number = integer(where, value);
                        priority = number != null ? number : priority;
                        break;
                    case "singleton":
                        singleton = bool(where, value, singleton);
                        singletonOrigin = where;
                        break;
                    default: // enabled
                        enabled = bool(where, value, enabled);
                        break;
                }
                parameters.add(describe(key, value));
            }

            /** @return the declaration, or {@code null} after recording a problem */
            ProcessDeclaration declaration() {
                if (type == null) {
                    if (!classInvalid) {
                        problems.add(parameters.get(0) + ": no class declares process \"" + name
                                + "\"; set context parameter " + PROCESS_PREFIX + name + ".class");
                    }
                    return null;
                }
                Class<? extends SupervisedProcess> processType = processClass(classOrigin, type);
                if (maxRestartDelay != null && restartDelay != null && maxRestartDelay.compareTo(restartDelay) < 0) {
                    problems.add(maxRestartDelayOrigin + ": must not be shorter than the restart delay ("
                            + (restartDelayOrigin != null ? restartDelayOrigin : "default " + restartDelay) + ")");
                    return null;
                }
                if (processType == null) {
                    return null;
                }
                int effectivePriority = priority != null ? priority : priorityOf(processType);
                return new ProcessDeclaration(name, processType, classOrigin, policy, maxRestarts, restartDelay,
                        maxRestartDelay, jitter, healthyDuration, restartWindow, watchdog, effectivePriority,
                        noRestartOn, singleton);
            }
        }
    }

    /** @return the value of {@code jakarta.annotation.Priority} on the class, else 0 */
    static int priorityOf(Class<?> type) {
        Priority priority = type.getAnnotation(Priority.class);
        return priority == null ? 0 : priority.value();
    }
}
