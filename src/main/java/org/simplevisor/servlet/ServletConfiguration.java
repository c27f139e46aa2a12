package org.simplevisor.servlet;

import jakarta.annotation.Priority;
import jakarta.servlet.ServletContext;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.jspecify.annotations.Nullable;
import org.simplevisor.GroupStrategy;
import org.simplevisor.ProcessOption;
import org.simplevisor.LeaseTiming;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.Supervisor;
import org.simplevisor.jmx.SupervisorJmx;
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
    static final String LOG_REPEAT_WINDOW = "simplevisor.log.repeat-window";
    static final String CLUSTER_DATASOURCE = "simplevisor.cluster.datasource";
    static final String CLUSTER_TABLE = "simplevisor.cluster.table";
    static final String CLUSTER_LEASE_TIME = "simplevisor.cluster.lease-time";
    static final String CLUSTER_NODE_ID = "simplevisor.cluster.node-id";
    static final String PROCESS_PREFIX = "simplevisor.process.";
    static final String GROUP_PREFIX = "simplevisor.group.";
    static final String GROUP_STRATEGY = ".strategy";

    /** The MBean server's own JMX domain, which refuses every other MBean. */
    private static final String MBEAN_SERVER_DOMAIN = "JMImplementation";
    /** How an integer is written: ASCII digits, optionally signed. */
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    /** How a decimal number is written: ASCII digits with an optional decimal point, optionally signed. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)");

    /** The settings of {@code simplevisor.process.<name>.<setting>}. */
    static final List<String> PROCESS_SETTINGS = List.of("class", "restart", "max-restarts", "restart-delay",
            "max-restart-delay", "jitter", "healthy-duration", "restart-window", "watchdog", "priority", "enabled",
            "singleton", "group");

    /** Where metrics go: {@code simplevisor.metrics}. */
    enum Metrics { JMX, GLOBAL, NONE }

    /** {@code simplevisor.enabled}. */
    final boolean enabled;
    /** {@code simplevisor.shutdown-timeout}. */
    final Duration shutdownTimeout;
    /** {@code simplevisor.executor}, or {@code null} to look up the default. */
    final @Nullable String executorName;
    /** {@code simplevisor.jmx.enabled}. */
    final boolean jmxEnabled;
    /** {@code simplevisor.jmx.domain}, by default {@value SupervisorJmx#DEFAULT_DOMAIN}. */
    final String jmxDomain;
    /** Whether {@code simplevisor.jmx.domain} was given. */
    final boolean jmxDomainSet;
    /** {@code simplevisor.metrics}. */
    final Metrics metrics;
    /** {@code simplevisor.log.repeat-window}, by default {@link Supervisor#DEFAULT_LOG_REPEAT_WINDOW}. */
    final Duration logRepeatWindow;
    /** {@code simplevisor.cluster.*}. */
    final Cluster cluster;
    /** The groups of {@code simplevisor.group.<group>.strategy}, by name. */
    final Map<String, GroupStrategy> groups;
    /** The enabled processes, in start order: ascending priority, then name. */
    final List<ProcessDeclaration> processes;

    /** The lease store of the singletons: {@code simplevisor.cluster.*}. */
    static final class Cluster {
        /** The JNDI name of the application's {@code DataSource}, or {@code null} when none is given. */
        final @Nullable String dataSource;
        final String table;
        final Duration leaseTime;
        /** This node's id, or {@code null} for the supervisor's default. */
        final @Nullable String nodeId;

        Cluster(@Nullable String dataSource, String table, Duration leaseTime, @Nullable String nodeId) {
            this.dataSource = dataSource;
            this.table = table;
            this.leaseTime = leaseTime;
            this.nodeId = nodeId;
        }
    }

    private ServletConfiguration(Reader reader) {
        enabled = reader.enabled;
        shutdownTimeout = reader.shutdownTimeout;
        executorName = reader.executorName;
        jmxEnabled = reader.jmxEnabled;
        jmxDomain = reader.jmxDomain;
        jmxDomainSet = reader.jmxDomainSet;
        metrics = reader.metrics;
        logRepeatWindow = reader.logRepeatWindow;
        cluster = new Cluster(reader.clusterDataSource, reader.clusterTable, reader.clusterLeaseTime,
                reader.clusterNodeId);
        groups = Collections.unmodifiableMap(reader.groups);
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
    static ServletConfiguration read(ServletContext context, @Nullable Collection<Class<?>> annotated) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String name : Collections.list(context.getInitParameterNames())) {
            if (name.startsWith(PREFIX)) {
                parameters.put(name, context.getInitParameter(name));
            }
        }
        return read(parameters, annotated == null ? Set.of() : annotated, context.getClassLoader(),
                SupervisorContextListener.supervisorName(SupervisorContextListener.contextPath(context)));
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
        return read(parameters, annotated, loader, SupervisorContextListener.supervisorName("/"));
    }

    /**
     * Reads a configuration.
     *
     * @param parameters     the context parameters (others than {@code simplevisor.*} are ignored)
     * @param annotated      candidate classes; those annotated {@code @Supervised} are processes
     * @param loader         the web application's class loader, which loads the classes named in parameters
     * @param supervisorName the name of the supervisor the processes will be registered with, which is part of the
     *                       names of the singletons' leases
     * @return the validated configuration
     * @throws ConfigurationException naming every invalid parameter or class and its value
     */
    static ServletConfiguration read(Map<String, String> parameters, Collection<Class<?>> annotated,
                                     ClassLoader loader, String supervisorName) {
        Reader reader = new Reader(loader, supervisorName);
        reader.read(parameters, annotated);
        if (!reader.problems.isEmpty()) {
            throw new ConfigurationException(reader.problems);
        }
        return new ServletConfiguration(reader);
    }

    static String describe(String parameter, String value) {
        return "context parameter " + parameter + " = \"" + value + "\"";
    }

    /** Builds one configuration, collecting problems instead of stopping at the first. */
    private static final class Reader {
        private final ClassLoader loader;
        private final String supervisorName;
        private final List<String> problems = new ArrayList<>();

        private boolean enabled = true;
        private Duration shutdownTimeout = Supervisor.DEFAULT_SHUTDOWN_TIMEOUT;
        private @Nullable String executorName;
        private boolean jmxEnabled = true;
        private String jmxDomain = SupervisorJmx.DEFAULT_DOMAIN;
        private boolean jmxDomainSet;
        private Metrics metrics = Metrics.JMX;
        private Duration logRepeatWindow = Supervisor.DEFAULT_LOG_REPEAT_WINDOW;
        private @Nullable String clusterDataSource;
        private String clusterTable = JdbcLeaseStore.DEFAULT_TABLE;
        private Duration clusterLeaseTime = LeaseTiming.DEFAULT_LEASE_TIME;
        private @Nullable String clusterNodeId;
        private final Map<String, GroupStrategy> groups = new TreeMap<>();
        private final Set<String> groupsWithUnknownStrategy = new HashSet<>(); // reported once, not per member
        private final List<ProcessDeclaration> processes = new ArrayList<>();

        Reader(ClassLoader loader, String supervisorName) {
            this.loader = loader;
            this.supervisorName = supervisorName;
        }

        void read(Map<String, String> parameters, Collection<Class<?>> annotated) {
            String enabledValue = parameters.get(ENABLED);
            if (enabledValue != null) {
                enabled = bool(describe(ENABLED, enabledValue), enabledValue, enabled);
            }
            if (!enabled) {
                return; // turned off: the rest is neither read nor validated
            }
            Map<String, Settings> byName = new TreeMap<>();
            readAnnotated(annotated, byName);
            for (Map.Entry<String, String> parameter : new TreeMap<>(parameters).entrySet()) {
                String key = parameter.getKey();
                String value = parameter.getValue() == null ? "" : parameter.getValue();
                if (key.startsWith(PROCESS_PREFIX)) {
                    readProcessParameter(key, value, byName);
                } else if (key.startsWith(GROUP_PREFIX)) {
                    readGroupParameter(key, value);
                } else if (key.startsWith(PREFIX)) {
                    readGlobalParameter(key, value);
                }
            }
            for (Settings settings : byName.values()) {
                settings.annotationProblems.values().forEach(problems::addAll); // those no parameter overrode
                ProcessDeclaration declaration = settings.declaration();
                if (declaration != null && settings.enabled && settings.groupDeclared()) {
                    processes.add(declaration);
                    if (declaration.singleton() && clusterDataSource == null) {
                        problems.add(settings.singletonOrigin + ": process \"" + declaration.name() + "\" is a "
                                + "singleton, which needs context parameter " + CLUSTER_DATASOURCE + " (the JNDI name "
                                + "of the application's DataSource, e.g. jdbc/simplevisor)");
                    }
                    if (declaration.singleton()) { // else register refuses it, once every process has been made
                        byCoreRule(settings.singletonOrigin, declaration.name(),
                                process -> Supervisor.validateSingleton(supervisorName, process), null);
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
                    break; // read first
                case SHUTDOWN_TIMEOUT:
                    Duration timeout = duration(where, value);
                    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
                        problems.add(where + ": must be positive"); // the core would take the default instead
                    } else {
                        shutdownTimeout = byCoreRule(where, timeout, Supervisor.builder()::shutdownTimeout,
                                shutdownTimeout);
                    }
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
                case LOG_REPEAT_WINDOW:
                    logRepeatWindow = duration(where, value, Supervisor.builder()::logRepeatWindow, logRepeatWindow);
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
                    clusterLeaseTime = duration(where, value, LeaseTiming::of, clusterLeaseTime);
                    break;
                case CLUSTER_NODE_ID:
                    String nodeId = nonBlank(where, value, "this node's id among those sharing the lease table",
                            null);
                    clusterNodeId = byCoreRule(where, nodeId, Supervisor.builder()::nodeId, clusterNodeId);
                    break;
                default:
                    problems.add(where + ": unknown parameter; known are " + String.join(", ", ENABLED,
                            SHUTDOWN_TIMEOUT, EXECUTOR, JMX_ENABLED, JMX_DOMAIN, METRICS, LOG_REPEAT_WINDOW,
                            CLUSTER_DATASOURCE, CLUSTER_TABLE, CLUSTER_LEASE_TIME, CLUSTER_NODE_ID) + ", "
                            + PROCESS_PREFIX + "<name>.<setting> and " + GROUP_PREFIX + "<group>" + GROUP_STRATEGY);
            }
        }

        private void readJmxDomain(String where, String domain) {
            if (domain.equals(MBEAN_SERVER_DOMAIN)) { // a valid domain, but every registration in it would fail
                problems.add(where + ": " + MBEAN_SERVER_DOMAIN + " is the MBean server's own domain, in which no "
                        + "MBean can be registered");
                return;
            }
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

        /** Reads {@code simplevisor.group.<group>.strategy}: one-for-one, one-for-all or rest-for-one. */
        private void readGroupParameter(String key, String value) {
            String where = describe(key, value);
            String group = key.substring(GROUP_PREFIX.length(), Math.max(GROUP_PREFIX.length(),
                    key.length() - GROUP_STRATEGY.length()));
            if (!key.endsWith(GROUP_STRATEGY) || group.isBlank()) {
                problems.add(where + ": expected " + GROUP_PREFIX + "<group>" + GROUP_STRATEGY);
                return;
            }
            // The builder's rule, checked here: the listener's build would fail only after the processes were made
            if (byCoreRule(where, group, g -> Supervisor.builder().group(g, GroupStrategy.ONE_FOR_ONE), null) == null) {
                return;
            }
            String text = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (GroupStrategy strategy : GroupStrategy.values()) {
                if (strategy.name().equals(text)) {
                    groups.put(group, strategy);
                    return;
                }
            }
            problems.add(where + ": unknown strategy of group \"" + group
                    + "\"; use one-for-one, one-for-all or rest-for-one");
            groupsWithUnknownStrategy.add(group);
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
                String name;
                try {
                    name = annotation.name().isEmpty() ? defaultName(type) : annotation.name();
                } catch (LinkageError e) { // a nested class's simple name needs its enclosing class
                    problems.add(cannotBeLoaded(where, type, e));
                    continue;
                }
                String attribute = where + ": name = \"" + annotation.name() + "\"";
                if (byCoreRule(attribute, name, Supervisor::validateProcessName, null) == null) {
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
            if (byCoreRule(where, name, Supervisor::validateProcessName, null) == null) {
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

        private @Nullable Duration duration(String where, String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage());
                return null;
            }
        }

        /**
         * A duration the core checks: see {@link #byCoreRule}.
         *
         * @return the duration, or {@code fallback} if the value is not one or the core rejects it
         */
        private @Nullable Duration duration(String where, String value, Consumer<Duration> rule,
                @Nullable Duration fallback) {
            return byCoreRule(where, duration(where, value), rule, fallback);
        }

        /**
         * Checks a value by the core's own rule, so that each rule is written once: {@code rule} hands the value to
         * the core (the option or builder setting that takes it), and the core's {@link IllegalArgumentException},
         * whose message names the setting and the value it understood, is recorded after the parameter or
         * attribute and its text.
         *
         * @param value the parsed value, or {@code null} if it could not be parsed (already recorded)
         * @return the value, or {@code fallback} if it could not be parsed or the core rejects it
         */
        private <T> @Nullable T byCoreRule(String where, @Nullable T value, Consumer<? super T> rule,
                @Nullable T fallback) {
            if (value == null) {
                return fallback;
            }
            try {
                rule.accept(value);
                return value;
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage());
                return fallback;
            }
        }

        private @Nullable Integer integer(String where, String value) {
            return parsed(where, value, INTEGER, Integer::valueOf, "not an integer");
        }

        private @Nullable Double number(String where, String value) {
            return parsed(where, value, DECIMAL, Double::valueOf, "not a decimal number such as 0.3");
        }

        /**
         * {@return the trimmed value parsed, or {@code null} after recording {@code problem}} Only what
         * {@code written} matches is parsed: Java's parsers also take what an operator would not mean, such as
         * {@code 0.5f}, {@code 0x1p-1} or digits of other scripts.
         */
        private <T> @Nullable T parsed(String where, String value, Pattern written, Function<String, T> parser,
                String problem) {
            String text = value.trim();
            try {
                if (written.matcher(text).matches()) {
                    return parser.apply(text);
                }
            } catch (NumberFormatException outOfRange) {
                // an integer beyond int: the same problem
            }
            problems.add(where + ": " + problem);
            return null;
        }

        /** The container's own rule: a count in {@code web.xml} is never negative, though the core reads it so. */
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
        private @Nullable Class<? extends SupervisedProcess> processClass(String where, Class<?> type) {
            try {
                return checkedProcessClass(where, type);
            } catch (LinkageError e) { // its enclosing class, or a type in a method's signature, is missing
                problems.add(cannotBeLoaded(where, type, e));
                return null;
            }
        }

        /** {@return what {@link #processClass} returns, unless a class {@code type} refers to cannot be loaded} */
        private @Nullable Class<? extends SupervisedProcess> checkedProcessClass(String where, Class<?> type) {
            if (!SupervisedProcess.class.isAssignableFrom(type)) {
                problems.add(where + ": " + type.getName() + " does not implement "
                        + SupervisedProcess.class.getName());
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
            }
            try {
                LifecycleMethods.of(type);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage());
                return null;
            }
            return type.asSubclass(SupervisedProcess.class);
        }

        /** {@return the problem of a class that refers to a class the web application lacks} */
        private static String cannotBeLoaded(String where, Class<?> type, LinkageError e) {
            return where + ": " + type.getName() + " cannot be loaded: " + e;
        }

        private @Nullable Class<?> load(String where, String className) {
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
            @Nullable Class<?> type;
            @Nullable String classOrigin;
            boolean classInvalid;
            final List<String> parameters = new ArrayList<>(); // descriptions of its settings other than class
            /**
             * By setting, what was wrong with an annotation attribute: reported unless a {@code web.xml} parameter
             * overrides it, so that an operator can correct an application's annotation without rebuilding it.
             */
            final Map<String, List<String>> annotationProblems = new TreeMap<>();

            RestartPolicy policy = RestartPolicy.NEVER;
            int maxRestarts = Supervisor.DEFAULT_MAX_RESTARTS;
            Duration restartDelay = Supervisor.DEFAULT_RESTART_DELAY;
            @Nullable String restartDelayOrigin;
            boolean restartDelayRejected; // reported: the backoff cap is not checked against the default
            @Nullable Duration maxRestartDelay;
            @Nullable String maxRestartDelayOrigin;
            double jitter;
            Duration healthyDuration = Supervisor.DEFAULT_HEALTHY_DURATION;
            @Nullable Duration restartWindow;
            @Nullable Duration watchdog;
            @Nullable Integer priority;
            boolean enabled = true;
            List<Class<? extends Throwable>> noRestartOn = List.of();
            boolean singleton;
            @Nullable String singletonOrigin;
            @Nullable String group;
            @Nullable String groupOrigin;

            Settings(String name) {
                this.name = name;
            }

            void applyAnnotation(Class<?> annotatedType, Supervised annotation, String where) {
                type = annotatedType;
                classOrigin = where;
                applyAttribute(where, "restart", annotation.restart());
                applyAttribute(where, "maxRestarts", annotation.maxRestarts());
                applyAttribute(where, "restartDelay", annotation.restartDelay());
                applyAttribute(where, "maxRestartDelay", annotation.maxRestartDelay());
                applyAttribute(where, "jitter", annotation.jitter());
                applyAttribute(where, "healthyDuration", annotation.healthyDuration());
                applyAttribute(where, "restartWindow", annotation.restartWindow());
                applyAttribute(where, "watchdog", annotation.watchdog());
                applyAttribute(where, "group", annotation.group());
                try {
                    noRestartOn = List.of(annotation.noRestartOn());
                } catch (TypeNotPresentException | LinkageError e) { // a class the web application lacks
                    problems.add(where + ": noRestartOn names a class that cannot be loaded: " + e);
                }
                singleton = annotation.singleton();
                singletonOrigin = where + ": singleton = true";
            }

            /** Applies an attribute as the setting of the same name in {@code web.xml}: maxRestarts, max-restarts. */
            private void applyAttribute(String where, String attribute, Object value) {
                String text = asWritten(value);
                String shown = value instanceof String ? "\"" + text + "\"" : text;
                String setting = attribute.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
                int reported = problems.size();
                apply(setting, text, where + ": " + attribute + " = " + shown);
                List<String> found = problems.subList(reported, problems.size());
                if (!found.isEmpty()) {
                    annotationProblems.put(setting, new ArrayList<>(found));
                    found.clear();
                }
            }

            /** {@return the value as {@code web.xml} would write it: a double such as 1e-4 without an exponent} */
            private String asWritten(Object value) {
                if (value instanceof Double && Double.isFinite((Double) value)) {
                    return BigDecimal.valueOf((Double) value).toPlainString();
                }
                return String.valueOf(value); // NaN and the infinities, which are no decimal number
            }

            void applyParameter(String key, String setting, String value, String where) {
                if (setting.equals("class")) {
                    classOrigin = where;
                    type = load(where, value.trim());
                    classInvalid = type == null;
                    return;
                }
                annotationProblems.remove(setting); // overridden: the parameter's value counts
                apply(setting, value, where);
                parameters.add(describe(key, value));
            }

            /** Applies one setting other than the class; an empty value of an optional one means none. */
            private void apply(String setting, String value, String where) {
                switch (setting) {
                    case "restart":
                        policy = policy(where, value, policy);
                        break;
                    case "max-restarts":
                        maxRestarts = notNegativeInt(where, value, maxRestarts);
                        break;
                    case "restart-delay":
                        Duration delay = duration(where, value,
                                d -> ProcessOption.withRestart(RestartPolicy.NEVER, 0, d), null);
                        restartDelayRejected = delay == null;
                        if (delay != null) {
                            restartDelay = delay;
                            restartDelayOrigin = where;
                        }
                        break;
                    case "max-restart-delay":
                        maxRestartDelay = value.isBlank() ? null
                                : duration(where, value, cap -> ProcessOption.withBackoff(cap, 0), maxRestartDelay);
                        maxRestartDelayOrigin = where;
                        break;
                    case "jitter":
                        jitter = byCoreRule(where, number(where, value),
                                spread -> ProcessOption.withBackoff(Duration.ZERO, spread), jitter);
                        break;
                    case "healthy-duration":
                        healthyDuration = duration(where, value, ProcessOption::withHealthyDuration, healthyDuration);
                        break;
                    case "restart-window":
                        restartWindow = value.isBlank() ? null
                                : duration(where, value, ProcessOption::withRestartWindow, restartWindow);
                        break;
                    case "watchdog":
                        watchdog = value.isBlank() ? null
                                : duration(where, value, ProcessOption::withWatchdog, watchdog);
                        break;
                    case "priority":
                        Integer number = integer(where, value);
                        priority = number != null ? number : priority;
                        break;
                    case "singleton":
                        singleton = bool(where, value, singleton);
                        singletonOrigin = where;
                        break;
                    case "group":
                        group = value.isBlank() ? null : value.trim();
                        groupOrigin = where;
                        break;
                    default: // enabled
                        enabled = bool(where, value, enabled);
                        break;
                }
            }

            /** {@return whether the process is in no group or in one with a strategy, after recording a problem} */
            boolean groupDeclared() {
                if (group == null || groups.containsKey(group)) {
                    return true;
                }
                if (groupsWithUnknownStrategy.contains(group)) {
                    return false;
                }
                problems.add(groupOrigin + ": group \"" + group + "\" of process \"" + name + "\" has no strategy;"
                        + " set context parameter " + GROUP_PREFIX + group + GROUP_STRATEGY
                        + " to one-for-one, one-for-all or rest-for-one");
                return false;
            }

            /** {@return the declaration, or {@code null} after recording a problem} */
            @Nullable ProcessDeclaration declaration() {
                if (type == null) {
                    if (!classInvalid) {
                        problems.add(parameters.get(0) + ": no class declares process \"" + name
                                + "\"; set context parameter " + PROCESS_PREFIX + name + ".class");
                    }
                    return null;
                }
                Class<? extends SupervisedProcess> processType = processClass(classOrigin, type);
                if (processType == null) {
                    return null;
                }
                int effectivePriority = priority != null ? priority : priorityOf(processType);
                ProcessDeclaration declaration = new ProcessDeclaration(name, processType, classOrigin, policy,
                        maxRestarts, restartDelay, maxRestartDelay, jitter, healthyDuration, restartWindow, watchdog,
                        effectivePriority, noRestartOn, singleton, group);
                try {
                    ProcessOption.validate(declaration.options());
                    return declaration;
                } catch (IllegalArgumentException e) {
                    if (restartDelayRejected) {
                        return null; // the delay's own problem is reported; the default it fell back to was not set
                    }
                    // Only the backoff cap is checked against another setting, the restart delay.
                    problems.add((maxRestartDelayOrigin != null ? maxRestartDelayOrigin : classOrigin) + ": "
                            + e.getMessage() + (restartDelayOrigin != null ? "; restart delay: " + restartDelayOrigin
                            : "; the restart delay is the default"));
                    return null;
                }
            }
        }
    }

    /** {@return the value of {@code jakarta.annotation.Priority} on the class, else 0} */
    static int priorityOf(Class<?> type) {
        Priority priority = type.getAnnotation(Priority.class);
        return priority == null ? 0 : priority.value();
    }
}
