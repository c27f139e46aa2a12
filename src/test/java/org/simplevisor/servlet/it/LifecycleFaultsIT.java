package org.simplevisor.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.simplevisor.servlet.it.app.BrokenConstructor;
import org.simplevisor.servlet.it.app.BrokenStaticInitializer;
import org.simplevisor.servlet.it.app.FailingPostConstruct;
import org.simplevisor.servlet.it.app.FailingPreDestroy;
import org.simplevisor.servlet.it.app.JournalingProcess;
import org.simplevisor.servlet.it.app.PlainTicker;
import org.simplevisor.testing.CapturedLogs;

/**
 * Process classes that throw from their constructor, static initializer, {@code @PostConstruct} or {@code @PreDestroy},
 * on Tomcat. A
 * process that cannot be created or initialised fails the deployment with Tomcat's SEVERE log and simplevisor's ERROR
 * naming the process and class; the processes already made are destroyed again and nothing runs or is left. A
 * throwing {@code @PreDestroy} is logged with its stack trace on undeploy; the other processes are still destroyed,
 * the supervisor stops within its timeout (+ 250 ms) with every process STOPPED and starts = exits, and nothing is
 * left: no thread, no MBean, no Tomcat leak warning, not the class loader.
 */
@ExtendWith({ArquillianExtension.class, InContainerFixture.class})
@RunAsClient
class LifecycleFaultsIT {

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration DESTROY_SLACK = Duration.ofMillis(250);

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = "constructor-fails", managed = false, testable = false)
    static WebArchive constructorFails() {
        return auditThenBroken("constructor-fails", BrokenConstructor.class);
    }

    @Deployment(name = "static-initializer-fails", managed = false, testable = false)
    static WebArchive staticInitializerFails() {
        return auditThenBroken("static-initializer-fails", BrokenStaticInitializer.class);
    }

    /** "audit" sorts before "broken", of the faulty class: it is made first, and must be destroyed again. */
    private static WebArchive auditThenBroken(String name, Class<?> broken) {
        return Wars.war(name, Wars.webXml(false,
                        "simplevisor.process.audit.class", PlainTicker.class.getName(),
                        "simplevisor.process.broken.class", broken.getName()),
                PlainTicker.class, JournalingProcess.class, broken);
    }

    @Deployment(name = "post-construct-fails", managed = false, testable = false)
    static WebArchive postConstructFails() {
        return Wars.war("post-construct-fails", Wars.webXml(false,
                        "simplevisor.process.audit.class", PlainTicker.class.getName()),
                PlainTicker.class, JournalingProcess.class, FailingPostConstruct.class);
    }

    // Destroyed in reverse order of creation: "closing" throws before "audit" is destroyed.
    @Deployment(name = "pre-destroy-fails", managed = false, testable = false)
    static WebArchive preDestroyFails() {
        return Wars.war("pre-destroy-fails", Wars.webXml(false,
                        "simplevisor.shutdown-timeout", SHUTDOWN_TIMEOUT.toMillis() + "ms",
                        "simplevisor.process.audit.class", PlainTicker.class.getName(),
                        "simplevisor.process.closing.class", FailingPreDestroy.class.getName()),
                PlainTicker.class, JournalingProcess.class, FailingPreDestroy.class);
    }

    @Test
    void aThrowingConstructorFailsTheDeploymentNamingProcessAndClass() {
        String type = BrokenConstructor.class.getName();
        assertDeploymentFails("constructor-fails", brokenProcess(type) + "the constructor of " + type
                + " failed: java.lang.IllegalStateException: no licence key");
    }

    @Test
    void aThrowingStaticInitializerFailsTheDeploymentNamingProcessAndClass() {
        String type = BrokenStaticInitializer.class.getName();
        assertDeploymentFails("static-initializer-fails", brokenProcess(type) + "the static initializer of " + type
                + " failed: java.lang.IllegalArgumentException: endpoint not configured");
    }

    /** {@return how a problem of the process "broken" of {@link #auditThenBroken} begins} */
    private static String brokenProcess(String type) {
        return "process \"broken\" (context parameter simplevisor.process.broken.class = \"" + type + "\"): ";
    }

    @Test
    void aThrowingPostConstructFailsTheDeploymentNamingProcessAndClass() {
        String type = FailingPostConstruct.class.getName();
        assertDeploymentFails("post-construct-fails", "process \"failingInit\" (@Supervised class " + type
                + "): @PostConstruct " + type + ".loadCache() failed: java.io.IOException: cache file missing");
    }

    @Test
    void aThrowingPreDestroyIsLoggedAndTheUndeployStillReleasesEverything() {
        String contextPath = "/pre-destroy-fails";
        WeakReference<ClassLoader> loader;
        List<CapturedLogs.Line> errors;
        deployer.deploy("pre-destroy-fails");
        try (CapturedLogs logs = CapturedLogs.attach()) {
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> ItJournal.probe(contextPath).equals(List.of(
                        "audit RUNNING NEVER 3 1000 0 1", "closing RUNNING NEVER 3 1000 0 1")));
                loader = ItJournal.loader(contextPath);
            } finally {
                deployer.undeploy("pre-destroy-fails");
            }
            errors = logs.at(Level.ERROR);
        }
        String type = FailingPreDestroy.class.getName();
        assertThat(errors).hasSize(1).first().satisfies(line -> {
            assertThat(line.message()).isEqualTo("Process \"closing\": @PreDestroy " + type
                    + ".closeConnection() failed: java.lang.IllegalStateException: connection already closed");
            assertThat(line.thrown()).hasMessage("connection already closed"); // logged with its stack trace
            assertThat(line.thrown().getStackTrace()[0].getClassName()).isEqualTo(type);
        });
        errors = null; // holds the web application's exception: not to keep its class loader reachable

        List<String> entries = ItJournal.entries();
        assertThat(entries.stream().filter(e -> e.startsWith("preDestroy:")))
                .containsExactly("preDestroy:FailingPreDestroy", "preDestroy:PlainTicker");
        assertThat(entries).contains("end:audit", "end:closing",
                "final:" + contextPath + ":audit STOPPED 1 1", "final:" + contextPath + ":closing STOPPED 1 1");
        assertDestroyedWithinTheShutdownTimeout(entries, contextPath);
        Leaks.assertNothingLeft(contextPath);
        assertThat(Leaks.leakWarnings(TomcatLog.lines())).as("Tomcat's leak warnings").isEmpty();
        Leaks.awaitCollected(loader);
    }

    private static void assertDestroyedWithinTheShutdownTimeout(List<String> entries, String contextPath) {
        String prefix = "destroyed:" + contextPath + ":";
        assertThat(entries).filteredOn(e -> e.startsWith(prefix)).singleElement()
                .satisfies(e -> assertThat(Duration.ofMillis(Long.parseLong(e.substring(prefix.length()))))
                        .isLessThanOrEqualTo(SHUTDOWN_TIMEOUT.plus(DESTROY_SLACK)));
    }

    /**
     * Deploys, expects the deployment to fail with this problem in Tomcat's and simplevisor's logs, the process
     * made before the faulty one destroyed again, nothing run, and nothing left.
     */
    private void assertDeploymentFails(String name, String problem) {
        String contextPath = "/" + name;
        List<String> errors;
        try (CapturedLogs logs = CapturedLogs.attach()) {
            try {
                Leaks.deployExpectingFailure(deployer, name);
                errors = logs.at(Level.ERROR).stream().map(CapturedLogs.Line::message).toList();
            } finally {
                deployer.undeploy(name);
            }
        }
        assertThat(TomcatLog.lines()).as("Tomcat's log").filteredOn(line -> line.startsWith("SEVERE")
                        && line.contains("org.simplevisor.servlet.SupervisorContextListener"))
                .singleElement().asString().contains(" | java.lang.IllegalStateException: " + problem);
        assertThat(errors).containsExactly("simplevisor: web application " + contextPath + " cannot start: "
                + problem);
        assertThat(ItJournal.entries()).as("made, destroyed again, never run")
                .containsExactly("postConstruct:PlainTicker", "preDestroy:PlainTicker");
        Leaks.assertNothingLeft(contextPath);
        assertThat(Leaks.leakWarnings(TomcatLog.lines())).as("Tomcat's leak warnings").isEmpty();
    }
}
