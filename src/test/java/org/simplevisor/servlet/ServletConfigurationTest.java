package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.simplevisor.GroupStrategy;
import org.simplevisor.LeaseStore;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessContext;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.Supervisor;

class ServletConfigurationTest {

    /** A process declared in web.xml only. */
    public static class Plain implements SupervisedProcess {
        @Override
        public void run(ProcessContext ctx) {
        }
    }

    @Supervised
    public static class DefaultNamed extends Plain {
    }

    @Supervised(name = "tuned", restart = RestartPolicy.ALWAYS, maxRestarts = 7, restartDelay = "2s",
            maxRestartDelay = "1m", jitter = 0.25, healthyDuration = "10m", restartWindow = "1h", watchdog = "30s",
            noRestartOn = IOException.class)
    @Priority(4)
    public static class Tuned extends Plain {
    }

    @Supervised(name = "twin")
    public static class TwinOne extends Plain {
    }

    @Supervised(name = "twin")
    public static class TwinTwo extends Plain {
    }

    @Supervised(restartDelay = "soon", jitter = 2, maxRestarts = -1)
    public static class BadlyAnnotated extends Plain {
    }

    @Supervised
    public static class NotAProcess {
    }

    @Supervised
    public abstract static class AbstractProcess extends Plain {
    }

    @Supervised
    public static class NoDefaultConstructor extends Plain {
        public NoDefaultConstructor(String required) {
        }
    }

    @Supervised
    static class NotPublic extends Plain {
    }

    @Supervised
    public static class BadCallback extends Plain {
        @PostConstruct
        void init(String argument) {
        }
    }

    @Supervised(name = "processor", group = "pipeline")
    public static class Grouped extends Plain {
    }

    @Supervised(name = "stray", group = "nowhere")
    public static class InUndeclaredGroup extends Plain {
    }

    /** Not annotated with @Supervised itself: @HandlesTypes may report it, it is no process. */
    public static class Unannotated extends Plain {
    }

    private static ServletConfiguration read(Map<String, String> parameters, Class<?>... annotated) {
        return ServletConfiguration.read(parameters, List.of(annotated),
                ServletConfigurationTest.class.getClassLoader());
    }

    private static Map<String, String> params(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private static List<String> problems(Map<String, String> parameters, Class<?>... annotated) {
        try {
            read(parameters, annotated);
        } catch (ConfigurationException e) {
            return e.problems();
        }
        throw new AssertionError("no ConfigurationException");
    }

    @Test
    void defaults() {
        ServletConfiguration configuration = read(Map.of("other.parameter", "ignored"));
        assertThat(configuration.enabled).isTrue();
        assertThat(configuration.shutdownTimeout).isEqualTo(Supervisor.DEFAULT_SHUTDOWN_TIMEOUT);
        assertThat(configuration.executorName).isNull();
        assertThat(configuration.jmxEnabled).isTrue();
        assertThat(configuration.jmxDomain).isEqualTo("org.simplevisor");
        assertThat(configuration.jmxDomainSet).isFalse();
        assertThat(configuration.metrics).isEqualTo(ServletConfiguration.Metrics.JMX);
        assertThat(configuration.logRepeatWindow).isEqualTo(Supervisor.DEFAULT_LOG_REPEAT_WINDOW);
        assertThat(configuration.processes).isEmpty();
    }

    @Test
    void theAnnotationsDefaultsAreTheCoresDefaults() throws NoSuchMethodException {
        assertThat(Durations.parse((String) Supervised.class.getMethod("restartDelay").getDefaultValue()))
                .isEqualTo(Supervisor.DEFAULT_RESTART_DELAY);
        assertThat(Durations.parse((String) Supervised.class.getMethod("healthyDuration").getDefaultValue()))
                .isEqualTo(Supervisor.DEFAULT_HEALTHY_DURATION);
        assertThat(Supervised.class.getMethod("maxRestarts").getDefaultValue())
                .isEqualTo(Supervisor.DEFAULT_MAX_RESTARTS);
    }

    @Test
    void turnedOffNothingElseIsReadOrValidated() {
        ServletConfiguration configuration = read(params("simplevisor.enabled", " FALSE ",
                "simplevisor.metrics", "invalid but ignored", "simplevisor.process.x.class", "com.example.Missing"),
                BadlyAnnotated.class);
        assertThat(configuration.enabled).isFalse();
        assertThat(configuration.processes).isEmpty();
    }

    @Test
    void globalParameters() {
        ServletConfiguration configuration = read(params(
                "simplevisor.enabled", "TRUE",
                "simplevisor.shutdown-timeout", "PT10S",
                "simplevisor.executor", " concurrent/Work ",
                "simplevisor.jmx.enabled", "false",
                "simplevisor.jmx.domain", "com.example",
                "simplevisor.metrics", "Global",
                "simplevisor.log.repeat-window", "0s"));
        assertThat(configuration.shutdownTimeout).isEqualTo(Duration.ofSeconds(10));
        assertThat(configuration.executorName).isEqualTo("concurrent/Work");
        assertThat(configuration.jmxEnabled).isFalse();
        assertThat(configuration.jmxDomain).isEqualTo("com.example");
        assertThat(configuration.jmxDomainSet).isTrue();
        assertThat(configuration.metrics).isEqualTo(ServletConfiguration.Metrics.GLOBAL);
        assertThat(configuration.logRepeatWindow).isZero();
    }

    @Test
    void aProcessDeclaredInWebXmlOnly() {
        ProcessDeclaration p = read(params(
                "simplevisor.process.poller.class", Plain.class.getName(),
                "simplevisor.process.poller.restart", "on-failure",
                "simplevisor.process.poller.max-restarts", "0",
                "simplevisor.process.poller.restart-delay", "500ms",
                "simplevisor.process.poller.max-restart-delay", "2m",
                "simplevisor.process.poller.jitter", "0.5",
                "simplevisor.process.poller.healthy-duration", "1h",
                "simplevisor.process.poller.restart-window", "PT5M",
                "simplevisor.process.poller.watchdog", "45s",
                "simplevisor.process.poller.priority", "-3",
                "simplevisor.process.poller.enabled", "true")).processes.get(0);
        assertThat(p).isEqualTo(new ProcessDeclaration("poller", Plain.class,
                "context parameter simplevisor.process.poller.class = \"" + Plain.class.getName() + "\"",
                RestartPolicy.ON_FAILURE, 0, Duration.ofMillis(500), Duration.ofMinutes(2), 0.5, Duration.ofHours(1),
                Duration.ofMinutes(5), Duration.ofSeconds(45), -3, List.of(), false, null));
        assertThat(p.options()).hasSize(6);
    }

    @Test
    void annotationAttributesAndDefaultName() {
        List<ProcessDeclaration> processes = read(Map.of(), DefaultNamed.class, Tuned.class, Unannotated.class)
                .processes;
        assertThat(processes).extracting(ProcessDeclaration::name).containsExactly("defaultNamed", "tuned");
        ProcessDeclaration defaults = processes.get(0);
        assertThat(defaults.policy()).isEqualTo(RestartPolicy.NEVER);
        assertThat(defaults.maxRestarts()).isEqualTo(3);
        assertThat(defaults.restartDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.maxRestartDelay()).isNull();
        assertThat(defaults.healthyDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.restartWindow()).isNull();
        assertThat(defaults.watchdog()).isNull();
        assertThat(defaults.options()).hasSize(3);
        ProcessDeclaration tuned = processes.get(1);
        assertThat(tuned).isEqualTo(new ProcessDeclaration("tuned", Tuned.class,
                "@Supervised class " + Tuned.class.getName(), RestartPolicy.ALWAYS, 7, Duration.ofSeconds(2),
                Duration.ofMinutes(1), 0.25, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofSeconds(30), 4,
                List.of(IOException.class), false, null));
        assertThat(tuned.options()).hasSize(7);
    }

    @Test
    void webXmlOverridesEachAnnotationAttributeOfTheSameName() {
        ProcessDeclaration p = read(params(
                "simplevisor.process.tuned.restart", "never",
                "simplevisor.process.tuned.restart-delay", "0",
                "simplevisor.process.tuned.max-restart-delay", "",
                "simplevisor.process.tuned.watchdog", "",
                "simplevisor.process.tuned.priority", "9"), Tuned.class).processes.get(0);
        assertThat(p.type()).isEqualTo(Tuned.class);
        assertThat(p.policy()).isEqualTo(RestartPolicy.NEVER);
        assertThat(p.restartDelay()).isEqualTo(Duration.ZERO);
        assertThat(p.maxRestartDelay()).isNull();
        assertThat(p.watchdog()).isNull();
        assertThat(p.priority()).isEqualTo(9);
        // not overridden: the annotation's
        assertThat(p.maxRestarts()).isEqualTo(7);
        assertThat(p.jitter()).isEqualTo(0.25);
        assertThat(p.restartWindow()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void webXmlMayReplaceTheClassOrDisableAnAnnotatedProcess() {
        ServletConfiguration configuration = read(params(
                "simplevisor.process.tuned.class", Plain.class.getName(),
                "simplevisor.process.defaultNamed.enabled", "false"), Tuned.class, DefaultNamed.class);
        assertThat(configuration.processes).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("tuned");
            assertThat(p.type()).isEqualTo(Plain.class);
            assertThat(p.priority()).isZero(); // Plain has no @Priority
            assertThat(p.maxRestarts()).isEqualTo(7);
        });
    }

    @Test
    void processesComeInStartOrder() {
        ServletConfiguration configuration = read(params(
                "simplevisor.process.b.class", Plain.class.getName(),
                "simplevisor.process.a.class", Plain.class.getName(),
                "simplevisor.process.first.class", Plain.class.getName(),
                "simplevisor.process.first.priority", "-1",
                "simplevisor.process.with.dots.class", Plain.class.getName()), Tuned.class);
        assertThat(configuration.processes).extracting(ProcessDeclaration::name)
                .containsExactly("first", "a", "b", "with.dots", "tuned");
    }

    @Test
    void everyInvalidValueIsNamedWithItsParameterAndValue() {
        String p = "context parameter simplevisor.process.x.";
        assertThat(problems(params(
                "simplevisor.process.x.class", Plain.class.getName(),
                "simplevisor.process.x.restart", "sometimes",
                "simplevisor.process.x.max-restarts", "-1",
                "simplevisor.process.x.restart-delay", "5 seconds",
                "simplevisor.process.x.jitter", "1.5",
                "simplevisor.process.x.healthy-duration", "0s",
                "simplevisor.process.x.restart-window", "-1m",
                "simplevisor.process.x.watchdog", "never",
                "simplevisor.process.x.priority", "high",
                "simplevisor.process.x.enabled", "yes"))).containsExactlyInAnyOrder(
                p + "restart = \"sometimes\": unknown restart policy; use never, always or on-failure",
                p + "max-restarts = \"-1\": must not be negative (0 means no limit)",
                p + "restart-delay = \"5 seconds\": not a duration; " + Durations.FORMAT,
                p + "jitter = \"1.5\": jitter must be between 0 and 1, was 1.5",
                p + "healthy-duration = \"0s\": healthyDuration must be positive, was PT0S",
                p + "restart-window = \"-1m\": restartWindow must be positive, was PT-1M",
                p + "watchdog = \"never\": not a duration; " + Durations.FORMAT,
                p + "priority = \"high\": not an integer",
                p + "enabled = \"yes\": must be true or false");
    }

    /**
     * Numbers are written as an operator writes them: Java's parsers would also take a float or double suffix, a
     * hexadecimal or exponent form, or the digits of other scripts, none of which anyone means in web.xml.
     */
    @Test
    void numbersOnlyInPlainDecimalDigits() {
        String p = "context parameter simplevisor.process.x.";
        for (String jitter : List.of("0.5f", "0.5d", "0x1p-1", "5e-1", "NaN", "Infinity", "0,5", "\u0660.\u0665")) {
            assertThat(problems(params("simplevisor.process.x.class", Plain.class.getName(),
                    "simplevisor.process.x.jitter", jitter))).as(jitter)
                    .containsExactly(p + "jitter = \"" + jitter + "\": not a decimal number such as 0.3");
        }
        for (String count : List.of("\uff13", "\u0663", "3.0", "0x3", "3L", "99999999999")) {
            assertThat(problems(params("simplevisor.process.x.class", Plain.class.getName(),
                    "simplevisor.process.x.max-restarts", count, "simplevisor.process.x.priority", count))).as(count)
                    .containsExactlyInAnyOrder(p + "max-restarts = \"" + count + "\": not an integer",
                            p + "priority = \"" + count + "\": not an integer");
        }
        ProcessDeclaration x = read(params("simplevisor.process.x.class", Plain.class.getName(),
                "simplevisor.process.x.jitter", " .5 ", "simplevisor.process.x.max-restarts", "+4",
                "simplevisor.process.x.priority", "-2")).processes.get(0);
        assertThat(List.of(x.jitter(), x.maxRestarts(), x.priority())).containsExactly(0.5, 4, -2);
        assertThat(read(Map.of(), TinyJitter.class).processes.get(0).jitter()).as("an annotation's 1e-4")
                .isEqualTo(1e-4);
    }

    @Supervised(jitter = 1e-4)
    public static class TinyJitter extends Plain {
    }

    @Test
    void invalidGlobalParameters() {
        assertThat(problems(params(
                "simplevisor.enabled", "maybe",
                "simplevisor.shutdown-timeout", "-5s",
                "simplevisor.executor", " ",
                "simplevisor.jmx.domain", "a:b",
                "simplevisor.metrics", "prometheus",
                "simplevisor.log.repeat-window", "-1m",
                "simplevisor.shutdown.timeout", "5s",
                "simplevisor.process.nameOnly", "x"))).containsExactlyInAnyOrder(
                "context parameter simplevisor.enabled = \"maybe\": must be true or false",
                "context parameter simplevisor.shutdown-timeout = \"-5s\": must be positive",
                "context parameter simplevisor.executor = \" \": must be the JNDI name of a ManagedExecutorService",
                "context parameter simplevisor.jmx.domain = \"a:b\": not a JMX domain (no ':', '*', '?' or ',')",
                "context parameter simplevisor.metrics = \"prometheus\": unknown metrics registry; "
                        + "use jmx, global or none",
                "context parameter simplevisor.log.repeat-window = \"-1m\": logRepeatWindow must be between 0 and "
                        + ProcessOption.LONGEST + ", was PT-1M",
                "context parameter simplevisor.shutdown.timeout = \"5s\": unknown parameter; known are "
                        + "simplevisor.enabled, simplevisor.shutdown-timeout, simplevisor.executor, "
                        + "simplevisor.jmx.enabled, simplevisor.jmx.domain, simplevisor.metrics, "
                        + "simplevisor.log.repeat-window, simplevisor.cluster.datasource, simplevisor.cluster.table, "
                        + "simplevisor.cluster.lease-time, simplevisor.cluster.node-id, "
                        + "simplevisor.process.<name>.<setting> and simplevisor.group.<group>.strategy",
                "context parameter simplevisor.process.nameOnly = \"x\": expected "
                        + "simplevisor.process.<name>.<setting>");
    }

    @Test
    void theMBeanServersOwnDomainIsRefusedAsTheJmxDomainNamingTheParameter() {
        // Accepted, it failed the start with a RuntimeOperationsException without a message ("cannot start: null").
        assertThat(problems(params("simplevisor.jmx.domain", "JMImplementation"))).containsExactly(
                "context parameter simplevisor.jmx.domain = \"JMImplementation\": JMImplementation is the MBean "
                        + "server's own domain, in which no MBean can be registered");
    }

    @Test
    void aShutdownTimeoutIsPositiveAndWithinTheCoresRange() {
        assertThat(problems(params("simplevisor.shutdown-timeout", "0s"))).containsExactly(
                "context parameter simplevisor.shutdown-timeout = \"0s\": must be positive");
        assertThat(problems(params("simplevisor.shutdown-timeout", "PT9999999H"))).singleElement().asString()
                .startsWith("context parameter simplevisor.shutdown-timeout = \"PT9999999H\": shutdownTimeout must "
                        + "be at most ");
    }

    @Test
    void aDurationWhoseNegationOverflowsIsAProblemNamedWithItsParameterNotAnArithmeticException() {
        // Duration.parse takes PT-9223372036854775808S; negating it would not fit in a Duration. A sign inside an
        // ISO-8601 duration is refused before that.
        assertThat(problems(params(
                "simplevisor.process.x.class", Plain.class.getName(),
                "simplevisor.process.x.restart-delay", "-PT-9223372036854775808S"))).containsExactly(
                "context parameter simplevisor.process.x.restart-delay = \"-PT-9223372036854775808S\": a sign may "
                        + "only lead the duration; " + Durations.FORMAT);
    }

    @Test
    void invalidClasses() {
        String p = "context parameter simplevisor.process.";
        assertThat(problems(params(
                "simplevisor.process.missing.class", "com.example.Missing",
                "simplevisor.process.notAProcess.class", NotAProcess.class.getName(),
                "simplevisor.process.abstract.class", AbstractProcess.class.getName(),
                "simplevisor.process.noConstructor.class", NoDefaultConstructor.class.getName(),
                "simplevisor.process.notPublic.class", NotPublic.class.getName(),
                "simplevisor.process.badCallback.class", BadCallback.class.getName(),
                "simplevisor.process.blank.class", " ",
                "simplevisor.process.noClass.restart", "always",
                "simplevisor.process..class", Plain.class.getName(),
                "simplevisor.process.x.typo", "1"))).containsExactlyInAnyOrder(
                p + "missing.class = \"com.example.Missing\": class not found",
                p + "notAProcess.class = \"" + NotAProcess.class.getName() + "\": " + NotAProcess.class.getName()
                        + " does not implement org.simplevisor.SupervisedProcess",
                p + "abstract.class = \"" + AbstractProcess.class.getName() + "\": "
                        + AbstractProcess.class.getName() + " is abstract; it must be a concrete class",
                p + "noConstructor.class = \"" + NoDefaultConstructor.class.getName() + "\": "
                        + NoDefaultConstructor.class.getName() + " has no public no-arg constructor",
                p + "notPublic.class = \"" + NotPublic.class.getName() + "\": " + NotPublic.class.getName()
                        + " must be a public top-level or static nested class",
                p + "badCallback.class = \"" + BadCallback.class.getName() + "\": @PostConstruct method "
                        + BadCallback.class.getName() + ".init must not take parameters",
                p + "blank.class = \" \": empty class name",
                p + "noClass.restart = \"always\": no class declares process \"noClass\"; set context parameter "
                        + "simplevisor.process.noClass.class",
                p + ".class = \"" + Plain.class.getName() + "\": process name must not be empty or blank, was \"\"",
                p + "x.typo = \"1\": unknown setting \"typo\"; known are class, restart, max-restarts, "
                        + "restart-delay, max-restart-delay, jitter, healthy-duration, restart-window, watchdog, "
                        + "priority, enabled, singleton, group");
    }

    @Supervised(singleton = true)
    public static class AnnotatedSingleton extends Plain {
    }

    @Test
    void clusterParametersAndSingletons() {
        ServletConfiguration configuration = read(params(
                "simplevisor.cluster.datasource", " jdbc/simplevisor ",
                "simplevisor.cluster.table", "app.leases",
                "simplevisor.cluster.lease-time", "15s",
                "simplevisor.cluster.node-id", "tomcat-1",
                "simplevisor.process.relay.class", Plain.class.getName(),
                "simplevisor.process.relay.singleton", "true",
                "simplevisor.process.plain.class", Plain.class.getName()), AnnotatedSingleton.class);

        assertThat(configuration.cluster).usingRecursiveComparison().isEqualTo(
                new ServletConfiguration.Cluster("jdbc/simplevisor", "app.leases", Duration.ofSeconds(15), "tomcat-1"));
        assertThat(configuration.processes).extracting(ProcessDeclaration::name, ProcessDeclaration::singleton)
                .containsExactly(tuple("annotatedSingleton", true), tuple("plain", false), tuple("relay", true));
        assertThat(read(params()).cluster).usingRecursiveComparison().isEqualTo(
                new ServletConfiguration.Cluster(null, "simplevisor_lease", Duration.ofSeconds(30), null));
    }

    @Test
    void aSingletonWithoutADataSourceAndInvalidClusterParametersFailTheDeployment() {
        String p = "context parameter simplevisor.";
        assertThat(problems(params(
                "simplevisor.cluster.table", "leases; DROP TABLE x",
                "simplevisor.cluster.lease-time", "PT0.0005S",
                "simplevisor.cluster.node-id", " ",
                "simplevisor.process.relay.class", Plain.class.getName(),
                "simplevisor.process.relay.singleton", "yes",
                "simplevisor.process.poller.class", Plain.class.getName(),
                "simplevisor.process.poller.singleton", "true"), AnnotatedSingleton.class)).containsExactlyInAnyOrder(
                p + "cluster.table = \"leases; DROP TABLE x\": table must be an unquoted SQL identifier, optionally "
                        + "qualified by a schema (letters, digits, underscores), was \"leases; DROP TABLE x\"",
                p + "cluster.lease-time = \"PT0.0005S\": leaseTime must be at least 1 ms, was PT0.0005S",
                p + "cluster.node-id = \" \": must be this node's id among those sharing the lease table",
                p + "process.relay.singleton = \"yes\": must be true or false",
                p + "process.poller.singleton = \"true\": process \"poller\" is a singleton, which needs context "
                        + "parameter simplevisor.cluster.datasource (the JNDI name of the application's DataSource, "
                        + "e.g. jdbc/simplevisor)",
                "@Supervised class " + AnnotatedSingleton.class.getName() + ": singleton = true: process "
                        + "\"annotatedSingleton\" is a singleton, which needs context parameter "
                        + "simplevisor.cluster.datasource (the JNDI name of the application's DataSource, e.g. "
                        + "jdbc/simplevisor)");
        assertThat(problems(params("simplevisor.cluster.datasource", ""))).containsExactly(
                p + "cluster.datasource = \"\": must be the JNDI name of a DataSource");
    }

    @Test
    void aSingletonWhoseLeaseNameALeaseStoreRefusesFailsTheDeploymentNamingTheParameter() {
        // The lease of a singleton is "<supervisor name>/<process name>", the supervisor named after the context path
        // ("shop" for /shop). The core refuses more than 255 characters when the process registers; checked only
        // there, the deployment fails after every process was made and its @PostConstruct methods ran, with a
        // message that names no context parameter.
        String longest = "r".repeat(LeaseStore.MAX_NAME_LENGTH - "shop/".length());
        Map<String, String> parameters = params(
                "simplevisor.cluster.datasource", "jdbc/leases",
                "simplevisor.process." + longest + ".class", Plain.class.getName(),
                "simplevisor.process." + longest + ".singleton", "true",
                "simplevisor.process." + longest + "s.class", Plain.class.getName(),
                "simplevisor.process." + longest + "s.singleton", "true");
        Collection<Class<?>> none = Set.of();
        assertThatThrownBy(() -> ServletConfiguration.read(FakeServletContext.create("/shop", parameters).context(),
                none)).isInstanceOf(ConfigurationException.class)
                .extracting(e -> ((ConfigurationException) e).problems()).asList().containsExactly(
                        "context parameter simplevisor.process." + longest + "s.singleton = \"true\": process \""
                                + longest + "s\" is a singleton whose lease name \"shop/" + longest + "s\" "
                                + "(supervisor/process) is longer than the 255 characters a lease store accepts");
    }

    @Test
    void aNodeIdTooLongIsRefusedByTheCoresRuleInItsWording() {
        // docs/contract.md: values are checked by the core's own rules, the message carrying the core's wording.
        String nodeId = "n".repeat(LeaseStore.MAX_NAME_LENGTH + 1);
        String core = null;
        try {
            Supervisor.builder().nodeId(nodeId);
        } catch (IllegalArgumentException e) {
            core = e.getMessage();
        }
        assertThat(core).isNotNull();
        assertThat(problems(params("simplevisor.cluster.node-id", nodeId))).containsExactly(
                "context parameter simplevisor.cluster.node-id = \"" + nodeId + "\": " + core);
    }

    @Test
    void invalidAnnotatedClasses() {
        String a = "@Supervised class ";
        assertThat(problems(Map.of(), TwinOne.class, TwinTwo.class, BadlyAnnotated.class, NotAProcess.class))
                .containsExactlyInAnyOrder(
                        a + TwinTwo.class.getName() + ": process name \"twin\" already in use by @Supervised class "
                                + TwinOne.class.getName() + "; give one of them another @Supervised(name = ...)",
                        a + BadlyAnnotated.class.getName() + ": restartDelay = \"soon\": not a duration; "
                                + Durations.FORMAT,
                        a + BadlyAnnotated.class.getName() + ": jitter = 2.0: jitter must be between 0 and 1, was 2.0",
                        a + BadlyAnnotated.class.getName() + ": maxRestarts = -1: must not be negative (0 means no "
                                + "limit)",
                        a + NotAProcess.class.getName() + ": " + NotAProcess.class.getName()
                                + " does not implement org.simplevisor.SupervisedProcess");
    }

    @Supervised(name = " padded ")
    public static class Padded extends Plain {
    }

    /** The core's rule, named with the attribute or parameter: a padded name would look like the name without. */
    @Test
    void aProcessNameThatBeginsOrEndsWithWhitespaceIsRefusedWhereverItIsWritten() {
        String rule = " must not begin or end with whitespace, which would make it look like ";
        assertThat(problems(params("simplevisor.process.spaced .class", Plain.class.getName()), Padded.class))
                .containsExactlyInAnyOrder(
                        "@Supervised class " + Padded.class.getName() + ": name = \" padded \": process name "
                                + "\" padded \"" + rule + "\"padded\"",
                        "context parameter simplevisor.process.spaced .class = \"" + Plain.class.getName()
                                + "\": process name \"spaced \"" + rule + "\"spaced\"");
    }

    /** An operator corrects an application's annotation in {@code web.xml}, without rebuilding the application. */
    @Test
    void aWebXmlParameterOverridesAnInvalidAnnotationAttribute() {
        ProcessDeclaration corrected = read(params(
                "simplevisor.process.badlyAnnotated.restart-delay", "2s",
                "simplevisor.process.badlyAnnotated.jitter", "0.5",
                "simplevisor.process.badlyAnnotated.max-restarts", "4"), BadlyAnnotated.class).processes.get(0);
        assertThat(corrected.restartDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(corrected.jitter()).isEqualTo(0.5);
        assertThat(corrected.maxRestarts()).isEqualTo(4);

        String a = "@Supervised class " + BadlyAnnotated.class.getName();
        assertThat(problems(params("simplevisor.process.badlyAnnotated.restart-delay", "2s"), BadlyAnnotated.class))
                .as("the attributes not overridden").containsExactlyInAnyOrder(
                        a + ": jitter = 2.0: jitter must be between 0 and 1, was 2.0",
                        a + ": maxRestarts = -1: must not be negative (0 means no limit)");
    }

    @Test
    void anInvalidRestartDelayIsReportedOnceNotAgainAgainstTheBackoffCap() {
        // The cap is not compared with a delay that was refused: the default that stands in for it was never set.
        assertThat(problems(params(
                "simplevisor.process.x.class", Plain.class.getName(),
                "simplevisor.process.x.restart-delay", "-1s",
                "simplevisor.process.x.max-restart-delay", "500ms"))).singleElement().asString()
                .startsWith("context parameter simplevisor.process.x.restart-delay = \"-1s\": ");
    }

    @Test
    void maxRestartDelayMustNotBeShorterThanTheRestartDelay() {
        assertThat(problems(params(
                "simplevisor.process.x.class", Plain.class.getName(),
                "simplevisor.process.x.max-restart-delay", "500ms"))).containsExactly(
                "context parameter simplevisor.process.x.max-restart-delay = \"500ms\": maxRestartDelay (PT0.5S) "
                        + "must not be shorter than restartDelay (PT1S); the restart delay is the default");
        assertThat(problems(params(
                "simplevisor.process.tuned.max-restart-delay", "1s"), Tuned.class)).containsExactly(
                "context parameter simplevisor.process.tuned.max-restart-delay = \"1s\": maxRestartDelay (PT1S) "
                        + "must not be shorter than restartDelay (PT2S); restart delay: @Supervised class "
                        + Tuned.class.getName() + ": restartDelay = \"2s\"");
    }

    @Test
    void oneProblemMakesAOneLineMessage() {
        assertThatThrownBy(() -> read(params("simplevisor.process.x.class", "com.example.Missing")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("Invalid simplevisor configuration: context parameter simplevisor.process.x.class = "
                        + "\"com.example.Missing\": class not found");
        assertThatThrownBy(() -> read(params("simplevisor.metrics", "x", "simplevisor.enabled", "x")))
                .hasMessageStartingWith("Invalid simplevisor configuration (2 problems):" + System.lineSeparator()
                        + " - context parameter simplevisor.enabled");
    }

    @Test
    void groupsAreDeclaredByTheirStrategyAndJoinedInWebXmlOrByAnnotation() {
        ServletConfiguration configuration = read(params(
                "simplevisor.group.pipeline.strategy", "one-for-all",
                "simplevisor.group.pollers.strategy", " REST-FOR-ONE ",
                "simplevisor.process.reader.class", Plain.class.getName(),
                "simplevisor.process.reader.group", "pipeline",
                "simplevisor.process.alone.class", Plain.class.getName()), Grouped.class);
        assertThat(configuration.groups).containsExactly(Map.entry("pipeline", GroupStrategy.ONE_FOR_ALL),
                Map.entry("pollers", GroupStrategy.REST_FOR_ONE));
        assertThat(configuration.processes).extracting(ProcessDeclaration::name, ProcessDeclaration::group)
                .containsExactly(tuple("alone", null), tuple("processor", "pipeline"), tuple("reader", "pipeline"));
        assertThat(configuration.processes.get(2).options()).hasSize(4); // restart, healthy, priority, group

        // web.xml overrides the annotation's group; an empty value takes the process out of any group.
        assertThat(read(params("simplevisor.group.other.strategy", "one-for-one",
                "simplevisor.process.processor.group", "other"), Grouped.class).processes.get(0).group())
                .isEqualTo("other");
        assertThat(read(params("simplevisor.process.processor.group", " "), Grouped.class).processes.get(0)
                .group()).isNull();
    }

    @Test
    void aGroupWithoutAStrategyOrWithAnUnknownOneFailsTheDeploymentNamingTheGroupOnce() {
        assertThat(problems(params(
                "simplevisor.group.pipeline.strategy", "one-for-some",
                "simplevisor.group.pipeline", "one-for-all",
                "simplevisor.group..strategy", "one-for-all",
                "simplevisor.process.reader.class", Plain.class.getName(),
                "simplevisor.process.reader.group", "pipeline"), InUndeclaredGroup.class)).containsExactlyInAnyOrder(
                "context parameter simplevisor.group.pipeline.strategy = \"one-for-some\": unknown strategy of group"
                        + " \"pipeline\"; use one-for-one, one-for-all or rest-for-one",
                "context parameter simplevisor.group.pipeline = \"one-for-all\": expected"
                        + " simplevisor.group.<group>.strategy",
                "context parameter simplevisor.group..strategy = \"one-for-all\": expected"
                        + " simplevisor.group.<group>.strategy",
                "@Supervised class " + InUndeclaredGroup.class.getName() + ": group = \"nowhere\": group \"nowhere\""
                        + " of process \"stray\" has no strategy; set context parameter"
                        + " simplevisor.group.nowhere.strategy to one-for-one, one-for-all or rest-for-one");
    }

    /**
     * A group's name is checked by the core's rule, as a process's is: one that begins or ends with whitespace fails
     * the configuration naming its parameter, not the supervisor's build after the processes were made.
     */
    @Test
    void aGroupNameThatBeginsOrEndsWithWhitespaceFailsTheConfigurationNamingItsParameter() {
        assertThat(problems(params("simplevisor.group.pipeline .strategy", "one-for-all",
                "simplevisor.process.reader.class", Plain.class.getName()))).containsExactly(
                "context parameter simplevisor.group.pipeline .strategy = \"one-for-all\": group name \"pipeline \""
                        + " must not begin or end with whitespace, which would make it look like \"pipeline\"");
    }

    @Test
    void readsTheServletContext() {
        Collection<Class<?>> none = Set.of();
        ServletConfiguration configuration = ServletConfiguration.read(
                FakeServletContext.create("/app", params("simplevisor.process.p.class", Plain.class.getName(),
                        "unrelated", "x")).context(), none);
        assertThat(configuration.processes).extracting(ProcessDeclaration::name).containsExactly("p");
    }
}
