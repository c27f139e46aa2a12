package org.simplevisor.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.simplevisor.servlet.it.app.GroupProcessor;
import org.simplevisor.servlet.it.app.GroupReader;
import org.simplevisor.servlet.it.app.JournalingProcess;

/**
 * A process group declared in {@code web.xml}, with one member declared there and one by {@code @Supervised(group =
 * ...)}: the reader's failure restarts both under ONE_FOR_ALL, and the group shows over JMX.
 */
@ExtendWith({ArquillianExtension.class, InContainerFixture.class})
@RunAsClient
class GroupsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String DOMAIN = "org.simplevisor";

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = "groups", managed = false, testable = false)
    static WebArchive groups() {
        return Wars.war("groups", Wars.webXml(false,
                        "simplevisor.group.pipeline.strategy", "one-for-all",
                        "simplevisor.process.reader.class", GroupReader.class.getName(),
                        "simplevisor.process.reader.group", "pipeline",
                        "simplevisor.process.reader.restart", "on-failure",
                        "simplevisor.process.reader.restart-delay", "0s",
                        "simplevisor.process.processor.priority", "1"),
                GroupReader.class, GroupProcessor.class, JournalingProcess.class);
    }

    @Test
    void aMembersFailureRestartsTheGroupDeclaredInWebXmlAndByAnnotation() throws Exception {
        deployer.deploy("groups");
        try {
            await().atMost(WAIT).until(() -> ItJournal.count("run:reader") == 2
                    && ItJournal.count("run:processor") == 2);
            assertThat(ItJournal.entries()).as("the processor's first run ended before its second began")
                    .containsSubsequence("run:processor", "end:processor", "run:processor")
                    .doesNotContain("overlap:processor", "overlap:reader");
            assertThat(ItJournal.probe("/groups")).containsExactly(
                    "reader RUNNING ON_FAILURE 3 0 0 2",
                    "processor RUNNING ALWAYS 3 0 1 2");

            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName processor = new ObjectName(DOMAIN + ":type=Process,context=/groups,name=processor");
            assertThat(server.getAttribute(processor, "Group")).isEqualTo("pipeline");
            assertThat(server.getAttribute(processor, "LastExitReason")).isEqualTo("GROUP");
            assertThat(server.getAttribute(processor, "TotalRestarts")).isEqualTo(1L);
            assertThat(server.getAttribute(processor, "RestartCount")).as("not against its own limit").isEqualTo(0);
            TabularData groups = (TabularData) server.getAttribute(
                    new ObjectName(DOMAIN + ":type=Supervisor,context=/groups"), "Groups");
            assertThat(groups.get(new Object[] {"pipeline"}).get("value")).isEqualTo("ONE_FOR_ALL");
        } finally {
            deployer.undeploy("groups");
        }
        Leaks.assertNothingLeft("/groups");
    }
}
