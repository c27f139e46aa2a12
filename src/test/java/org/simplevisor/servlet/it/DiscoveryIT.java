package org.simplevisor.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.apache.catalina.util.ServerInfo;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.simplevisor.servlet.it.app.AnnotatedTicker;
import org.simplevisor.servlet.it.app.Early;
import org.simplevisor.servlet.it.app.JournalingProcess;
import org.simplevisor.servlet.it.app.Late;
import org.simplevisor.servlet.it.app.Middle;
import org.simplevisor.servlet.it.app.OverriddenProcess;
import org.simplevisor.servlet.it.app.PlainTicker;
import org.simplevisor.servlet.it.lib.JarTicker;

/**
 * How processes are found and configured: {@code @Supervised} classes in WEB-INF/classes and in a JAR of
 * WEB-INF/lib, web.xml-only declarations under metadata-complete, web.xml over annotations, {@code @Priority},
 * {@code @PostConstruct}/{@code @PreDestroy}, the context class loader and the supervisor attribute.
 */
@ExtendWith({ArquillianExtension.class, InContainerFixture.class})
@RunAsClient
class DiscoveryIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = "discovery", managed = false, testable = false)
    static WebArchive discovery() {
        JavaArchive processes = ShrinkWrap.create(JavaArchive.class, "it-processes.jar").addClass(JarTicker.class);
        return Wars.war("discovery", Wars.webXml(false), AnnotatedTicker.class, JournalingProcess.class)
                .addAsLibraries(processes);
    }

    @Deployment(name = "webxml-only", managed = false, testable = false)
    static WebArchive webXmlOnly() {
        return Wars.war("webxml-only", Wars.webXml(true,
                        "simplevisor.process.plain.class", PlainTicker.class.getName(),
                        "simplevisor.process.second.class", PlainTicker.class.getName(),
                        "simplevisor.process.second.restart", "always",
                        "simplevisor.process.second.max-restarts", "0",
                        "simplevisor.process.second.restart-delay", "250ms",
                        "simplevisor.process.disabled.class", PlainTicker.class.getName(),
                        "simplevisor.process.disabled.enabled", "false"),
                PlainTicker.class, JournalingProcess.class);
    }

    @Deployment(name = "override", managed = false, testable = false)
    static WebArchive override() {
        return Wars.war("override", Wars.webXml(false,
                        "simplevisor.process.overridden.restart", "on-failure",
                        "simplevisor.process.overridden.max-restarts", "2",
                        "simplevisor.process.overridden.restart-delay", "PT0S"),
                OverriddenProcess.class);
    }

    @Deployment(name = "priority", managed = false, testable = false)
    static WebArchive priority() {
        return Wars.war("priority", Wars.webXml(false, "simplevisor.process.middle.priority", "5"),
                Early.class, Middle.class, Late.class, JournalingProcess.class);
    }

    @Deployment(name = "disabled", managed = false, testable = false)
    static WebArchive disabled() {
        return Wars.war("disabled", Wars.webXml(false, "simplevisor.enabled", "false"),
                AnnotatedTicker.class, JournalingProcess.class);
    }

    @Test
    void runsOnTheTomcatOfThisFailsafeExecution() {
        // tomcat-10.1 and tomcat-11 run these same classes against different embedded Tomcats.
        assertThat(ServerInfo.getServerNumber()).startsWith(System.getProperty("it.tomcat.expected", ""));
    }

    @Test
    void annotatedClassesInWebInfClassesAndInALibJarAreSupervised() {
        deployer.deploy("discovery");
        try {
            await().atMost(WAIT).until(() -> ItJournal.count("run:annotatedTicker") == 1
                    && ItJournal.count("run:fromJar") == 1);
            assertThat(ItJournal.probe("/discovery")).containsExactlyInAnyOrder(
                    "annotatedTicker RUNNING NEVER 3 1000 0 1",
                    "fromJar RUNNING NEVER 3 1000 0 1");
            // Threads run with the web application's class loader as context class loader.
            assertThat(ItJournal.entries()).contains("tccl:annotatedTicker:true", "tccl:fromJar:true");
            // @PostConstruct methods, the superclass's first, before the first run.
            assertThat(ItJournal.indexOf("postConstruct:AnnotatedTicker"))
                    .isLessThan(ItJournal.indexOf("postConstruct2:AnnotatedTicker"))
                    .isLessThan(ItJournal.indexOf("run:annotatedTicker"));
        } finally {
            deployer.undeploy("discovery");
        }
        // @PreDestroy after the last run has ended.
        List<String> entries = ItJournal.entries();
        assertThat(entries).contains("end:annotatedTicker", "end:fromJar", "preDestroy:AnnotatedTicker");
        assertThat(entries.indexOf("preDestroy:AnnotatedTicker"))
                .isGreaterThan(entries.indexOf("end:annotatedTicker"))
                .isGreaterThan(entries.indexOf("end:fromJar"));
        Leaks.assertNothingLeft("/discovery");
    }

    @Test
    void processesDeclaredOnlyInWebXmlRunUnderMetadataComplete() {
        deployer.deploy("webxml-only");
        try {
            await().atMost(WAIT).until(() -> ItJournal.count("run:plain") == 1 && ItJournal.count("run:second") == 1);
            assertThat(ItJournal.probe("/webxml-only")).containsExactly(
                    "plain RUNNING NEVER 3 1000 0 1",
                    "second RUNNING ALWAYS 0 250 0 1");
            assertThat(ItJournal.entries()).doesNotContain("run:disabled");
        } finally {
            deployer.undeploy("webxml-only");
        }
        assertThat(ItJournal.entries()).contains("end:plain", "end:second");
        Leaks.assertNothingLeft("/webxml-only");
    }

    @Test
    void webXmlOverridesTheAnnotationAttributesOfTheSameName() {
        deployer.deploy("override");
        try {
            // on-failure with 2 restarts at once: 3 runs, then FAILED (the annotation said never, 5, 10s).
            await().atMost(WAIT).until(() -> ItJournal.probe("/override").equals(
                    List.of("overridden FAILED ON_FAILURE 2 0 7 3")));
            assertThat(ItJournal.count("run:overridden")).isEqualTo(3);
        } finally {
            deployer.undeploy("override");
        }
        Leaks.assertNothingLeft("/override");
    }

    @Test
    void priorityOrdersConstructionStartAndStop() {
        deployer.deploy("priority");
        try {
            await().atMost(WAIT).until(() -> ItJournal.count("run:early") == 1 && ItJournal.count("run:middle") == 1
                    && ItJournal.count("run:late") == 1);
            assertThat(ItJournal.probe("/priority")).containsExactlyInAnyOrder(
                    "early RUNNING NEVER 3 1000 -10 1",
                    "middle RUNNING NEVER 3 1000 5 1",
                    "late RUNNING NEVER 3 1000 10 1");
            assertThat(ItJournal.entries().stream().filter(e -> e.startsWith("postConstruct:")))
                    .containsExactly("postConstruct:Early", "postConstruct:Middle", "postConstruct:Late");
        } finally {
            deployer.undeploy("priority");
        }
        // Stopped a priority level at a time, highest first; destroyed in reverse order of construction.
        assertThat(ItJournal.entries().stream().filter(e -> e.startsWith("end:")))
                .containsExactly("end:late", "end:middle", "end:early");
        assertThat(ItJournal.entries().stream().filter(e -> e.startsWith("preDestroy:")))
                .containsExactly("preDestroy:Late", "preDestroy:Middle", "preDestroy:Early");
        Leaks.assertNothingLeft("/priority");
    }

    @Test
    void enabledFalseTurnsTheIntegrationOff() {
        deployer.deploy("disabled");
        try {
            await().atMost(WAIT).until(() -> ItJournal.hasProbe("/disabled"));
            assertThat(ItJournal.probe("/disabled")).containsExactly("no supervisor: null");
            assertThat(ItJournal.entries()).isEmpty();
        } finally {
            deployer.undeploy("disabled");
        }
    }
}
