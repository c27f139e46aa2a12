package org.simplevisor.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.simplevisor.servlet.it.app.AnnotatedTicker;
import org.simplevisor.servlet.it.app.JournalingProcess;
import org.simplevisor.servlet.it.app.OverriddenProcess;
import org.simplevisor.servlet.it.app.PlainTicker;

/**
 * Undeploy leaves nothing behind: every process thread has ended, the MBeans and meters are gone, Tomcat reports no
 * leaked thread, and the web application's class loader can be garbage-collected.
 */
@ExtendWith({ArquillianExtension.class, InContainerFixture.class})
@RunAsClient
class UndeployIT {

    private static final String CONTEXT = "/undeploy";

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = "undeploy", managed = false, testable = false)
    static WebArchive undeploy() {
        return Wars.war("undeploy", Wars.webXml(false,
                        "simplevisor.process.plain.class", PlainTicker.class.getName(),
                        "simplevisor.process.plain.watchdog", "1h",
                        "simplevisor.process.overridden.restart", "always",
                        "simplevisor.process.overridden.restart-delay", "1h"),
                AnnotatedTicker.class, PlainTicker.class, JournalingProcess.class, OverriddenProcess.class);
    }

    @Test
    void undeployReleasesThreadsMBeansMetersAndTheClassLoader() {
        deployer.deploy("undeploy");
        WeakReference<ClassLoader> loader;
        try {
            // Two processes running, one waiting for a restart (a scheduled delay), a watchdog armed.
            await().atMost(Duration.ofSeconds(10)).until(() -> ItJournal.count("run:annotatedTicker") == 1
                    && ItJournal.count("run:plain") == 1 && ItJournal.probe(CONTEXT).contains(
                    "overridden RESTARTING ALWAYS 5 3600000 7 1"));
            assertThat(Leaks.simplevisorThreads()).contains("simplevisor-annotatedTicker", "simplevisor-plain");
            assertThat(Leaks.mbeans("org.simplevisor", CONTEXT)).hasSize(5); // supervisor, alerts, 3 processes
            assertThat(Leaks.mbeans("metrics", CONTEXT)).isNotEmpty();
            loader = ItJournal.loader(CONTEXT);
            assertThat(loader.get()).isNotNull();
        } finally {
            deployer.undeploy("undeploy");
        }
        assertThat(ItJournal.entries()).contains("end:annotatedTicker", "end:plain", "preDestroy:AnnotatedTicker",
                "preDestroy:PlainTicker");
        Leaks.assertNothingLeft(CONTEXT);
        assertThat(Leaks.leakWarnings(TomcatLog.lines())).as("Tomcat's leak warnings").isEmpty();
        Leaks.awaitCollected(loader);
    }
}
