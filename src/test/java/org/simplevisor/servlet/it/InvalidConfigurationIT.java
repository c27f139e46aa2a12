package org.simplevisor.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.simplevisor.servlet.it.app.AnnotatedNotAProcess;
import org.simplevisor.servlet.it.app.InUndeclaredGroup;
import org.simplevisor.servlet.it.app.JournalingProcess;
import org.simplevisor.servlet.it.app.NoDefaultConstructor;
import org.simplevisor.servlet.it.app.NotAProcess;
import org.simplevisor.servlet.it.app.PlainTicker;
import org.simplevisor.servlet.it.app.TwinA;
import org.simplevisor.servlet.it.app.TwinB;

/**
 * Each invalid configuration fails the deployment with one message that names the parameter (or annotated class)
 * and the value, and leaves no thread and no MBean behind. The tests read the context's state and Tomcat's log
 * ({@link Leaks#deployExpectingFailure}).
 */
@ExtendWith({ArquillianExtension.class, InContainerFixture.class})
@RunAsClient
class InvalidConfigurationIT {

    private static final String TICKER = PlainTicker.class.getName();

    @ArquillianResource
    private Deployer deployer;

    private static WebArchive war(String name, String... parameters) {
        return Wars.war(name, Wars.webXml(false, parameters), PlainTicker.class, JournalingProcess.class);
    }

    @Deployment(name = "unknown-policy", managed = false, testable = false)
    static WebArchive unknownPolicyWar() {
        return war("unknown-policy", "simplevisor.process.ticker.class", TICKER,
                "simplevisor.process.ticker.restart", "sometimes");
    }

    @Deployment(name = "negative-number", managed = false, testable = false)
    static WebArchive negativeNumberWar() {
        return war("negative-number", "simplevisor.process.ticker.class", TICKER,
                "simplevisor.process.ticker.max-restarts", "-1");
    }

    @Deployment(name = "bad-duration", managed = false, testable = false)
    static WebArchive badDurationWar() {
        return war("bad-duration", "simplevisor.process.ticker.class", TICKER,
                "simplevisor.process.ticker.restart-delay", "5 seconds");
    }

    @Deployment(name = "jitter", managed = false, testable = false)
    static WebArchive jitterWar() {
        return war("jitter", "simplevisor.process.ticker.class", TICKER,
                "simplevisor.process.ticker.max-restart-delay", "1m",
                "simplevisor.process.ticker.jitter", "1.5");
    }

    @Deployment(name = "class-not-found", managed = false, testable = false)
    static WebArchive classNotFoundWar() {
        return war("class-not-found", "simplevisor.process.ticker.class", "com.example.NoSuchProcess");
    }

    @Deployment(name = "not-a-process", managed = false, testable = false)
    static WebArchive notAProcessWar() {
        return war("not-a-process", "simplevisor.process.ticker.class", NotAProcess.class.getName())
                .addClass(NotAProcess.class);
    }

    @Deployment(name = "annotated-not-a-process", managed = false, testable = false)
    static WebArchive annotatedNotAProcessWar() {
        return war("annotated-not-a-process").addClass(AnnotatedNotAProcess.class);
    }

    @Deployment(name = "no-constructor", managed = false, testable = false)
    static WebArchive noConstructorWar() {
        return war("no-constructor", "simplevisor.process.ticker.class", NoDefaultConstructor.class.getName())
                .addClass(NoDefaultConstructor.class);
    }

    @Deployment(name = "duplicate-names", managed = false, testable = false)
    static WebArchive duplicateNamesWar() {
        return war("duplicate-names").addClasses(TwinA.class, TwinB.class);
    }

    @Deployment(name = "empty-name", managed = false, testable = false)
    static WebArchive emptyNameWar() {
        return war("empty-name", "simplevisor.process..class", TICKER);
    }

    @Deployment(name = "missing-executor", managed = false, testable = false)
    static WebArchive missingExecutorWar() {
        return war("missing-executor", "simplevisor.process.ticker.class", TICKER,
                "simplevisor.executor", "concurrent/Missing");
    }

    @Deployment(name = "singleton-without-datasource", managed = false, testable = false)
    static WebArchive singletonWithoutDataSourceWar() {
        return war("singleton-without-datasource", "simplevisor.process.ticker.class", TICKER,
                "simplevisor.process.ticker.singleton", "true");
    }

    @Deployment(name = "missing-datasource", managed = false, testable = false)
    static WebArchive missingDataSourceWar() {
        return war("missing-datasource", "simplevisor.process.ticker.class", TICKER,
                "simplevisor.process.ticker.singleton", "true",
                "simplevisor.cluster.datasource", "jdbc/Missing");
    }

    @Deployment(name = "undeclared-group", managed = false, testable = false)
    static WebArchive undeclaredGroupWar() {
        return war("undeclared-group").addClass(InUndeclaredGroup.class);
    }

    @Deployment(name = "unknown-strategy", managed = false, testable = false)
    static WebArchive unknownStrategyWar() {
        return war("unknown-strategy", "simplevisor.process.ticker.class", TICKER,
                "simplevisor.process.ticker.group", "pipeline",
                "simplevisor.group.pipeline.strategy", "one-for-some");
    }

    @Test
    void unknownRestartPolicy() {
        assertRejected("unknown-policy", "context parameter simplevisor.process.ticker.restart = \"sometimes\": "
                + "unknown restart policy; use never, always or on-failure");
    }

    @Test
    void negativeNumber() {
        assertRejected("negative-number",
                "context parameter simplevisor.process.ticker.max-restarts = \"-1\": must not be negative");
    }

    @Test
    void badDuration() {
        assertRejected("bad-duration",
                "context parameter simplevisor.process.ticker.restart-delay = \"5 seconds\": not a duration");
    }

    @Test
    void jitterOutsideZeroToOne() {
        assertRejected("jitter",
                "context parameter simplevisor.process.ticker.jitter = \"1.5\": jitter must be between 0 and 1");
    }

    @Test
    void classNotFound() {
        assertRejected("class-not-found",
                "context parameter simplevisor.process.ticker.class = \"com.example.NoSuchProcess\": class not found");
    }

    @Test
    void classIsNotASupervisedProcess() {
        String name = NotAProcess.class.getName();
        assertRejected("not-a-process", "context parameter simplevisor.process.ticker.class = \"" + name + "\": "
                + name + " does not implement org.simplevisor.SupervisedProcess");
    }

    @Test
    void annotatedClassIsNotASupervisedProcess() {
        String name = AnnotatedNotAProcess.class.getName();
        assertRejected("annotated-not-a-process", "@Supervised class " + name + ": " + name
                + " does not implement org.simplevisor.SupervisedProcess");
    }

    @Test
    void noPublicNoArgConstructor() {
        String name = NoDefaultConstructor.class.getName();
        assertRejected("no-constructor", "context parameter simplevisor.process.ticker.class = \"" + name + "\": "
                + name + " has no public no-arg constructor");
    }

    @Test
    void duplicateNames() {
        assertRejected("duplicate-names", "@Supervised class " + TwinB.class.getName()
                + ": process name \"twin\" already in use by @Supervised class " + TwinA.class.getName());
    }

    @Test
    void emptyName() {
        assertRejected("empty-name",
                "context parameter simplevisor.process..class = \"" + TICKER
                        + "\": process name must not be empty or blank, was \"\"");
    }

    @Test
    void executorNotBound() {
        assertRejected("missing-executor", "context parameter simplevisor.executor = \"concurrent/Missing\": "
                + "nothing is bound under java:comp/env/concurrent/Missing");
    }

    @Test
    void singletonWithoutADataSource() {
        assertRejected("singleton-without-datasource", "context parameter simplevisor.process.ticker.singleton = "
                + "\"true\": process \"ticker\" is a singleton, which needs context parameter "
                + "simplevisor.cluster.datasource");
    }

    @Test
    void dataSourceNotBound() {
        assertRejected("missing-datasource", "context parameter simplevisor.cluster.datasource = \"jdbc/Missing\": "
                + "nothing is bound under java:comp/env/jdbc/Missing");
    }

    @Test
    void aGroupWithoutAStrategy() {
        assertRejected("undeclared-group", "@Supervised class " + InUndeclaredGroup.class.getName()
                + ": group = \"nowhere\": group \"nowhere\" of process \"stray\" has no strategy; set context parameter"
                + " simplevisor.group.nowhere.strategy to one-for-one, one-for-all or rest-for-one");
    }

    @Test
    void aGroupWithAnUnknownStrategy() {
        assertRejected("unknown-strategy", "context parameter simplevisor.group.pipeline.strategy = \"one-for-some\":"
                + " unknown strategy of group \"pipeline\"; use one-for-one, one-for-all or rest-for-one");
    }

    /** Deploys, expects the failure with exactly this one problem, and checks that nothing is left. */
    private void assertRejected(String name, String problem) {
        String contextPath = "/" + name;
        try {
            Leaks.deployExpectingFailure(deployer, name);
            List<String> log = TomcatLog.lines();
            assertThat(log).as("Tomcat's log").filteredOn(line -> line.contains("Invalid simplevisor configuration"))
                    .isNotEmpty()
                    .allSatisfy(line -> assertThat(line)
                            .contains("ConfigurationException: Invalid simplevisor configuration: " + problem));
            assertThat(ItJournal.entries()).as("nothing ran").isEmpty();
            Leaks.assertNothingLeft(contextPath);
        } finally {
            deployer.undeploy(name);
        }
    }
}
