package org.simplevisor.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.servlet.it.app.JournalingProcess;
import org.simplevisor.servlet.it.app.PlainTicker;

/**
 * The executor look-up: a {@code ManagedExecutorService} bound in JNDI (here by the WAR's META-INF/context.xml, as
 * a Tomcat operator would) is used, with long-running managed tasks, and never shut down; without one, the
 * listener's own executor is used, and shut down with its threads joined on undeploy.
 */
@ExtendWith({ArquillianExtension.class, InContainerFixture.class})
@RunAsClient
class ExecutorIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    static final SharedContainerExecutor<RecordingExecutor> CONTAINER_EXECUTOR =
            new SharedContainerExecutor<>(RecordingExecutor::new);

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = "jndi-executor", managed = false, testable = false)
    static WebArchive jndiExecutor() {
        return Wars.war("jndi-executor", Wars.webXml(false,
                        "simplevisor.executor", "concurrent/ItExecutor",
                        "simplevisor.process.jndiTicker.class", PlainTicker.class.getName(),
                        "simplevisor.process.jndiTicker2.class", PlainTicker.class.getName()),
                        PlainTicker.class, JournalingProcess.class)
                .addAsManifestResource(Wars.contextXmlWithExecutor("concurrent/ItExecutor"), "context.xml");
    }

    @Deployment(name = "owned-executor", managed = false, testable = false)
    static WebArchive ownedExecutor() {
        return Wars.war("owned-executor", Wars.webXml(false,
                        "simplevisor.process.ownedTicker.class", PlainTicker.class.getName()),
                PlainTicker.class, JournalingProcess.class);
    }

    @Test
    void anExecutorBoundInJndiIsUsedForLongRunningTasksAndNotShutDown() throws InterruptedException {
        RecordingExecutor containerExecutor = CONTAINER_EXECUTOR.get();
        int before = containerExecutor.submitted();
        deployer.deploy("jndi-executor");
        long threadId;
        try {
            await().atMost(WAIT).until(() -> ItJournal.count("run:jndiTicker") == 1
                    && ItJournal.count("run:jndiTicker2") == 1);
            assertThat(containerExecutor.submitted() - before).isEqualTo(2);
            assertThat(containerExecutor.longRunning() - before).as("submitted with LONGRUNNING_HINT=true")
                    .isEqualTo(2);
            assertThat(ItJournal.entries()).contains("tccl:jndiTicker:true", "tccl:jndiTicker2:true");
            threadId = threadId("jndiTicker");
        } finally {
            deployer.undeploy("jndi-executor");
        }
        assertThat(ItJournal.entries()).contains("end:jndiTicker", "end:jndiTicker2");
        assertThat(containerExecutor.isShutdown()).isFalse();
        // The run has left the container's thread, which lives on under its own name, ready for more work.
        await().atMost(WAIT).until(() -> String.valueOf(Leaks.threadName(threadId))
                .startsWith(RecordingExecutor.THREAD_PREFIX));
        CountDownLatch ran = new CountDownLatch(1);
        containerExecutor.execute(ran::countDown);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        Leaks.assertNothingLeft("/jndi-executor");
        // The container's threads, still alive, hold nothing of the web application.
        assertThat(Leaks.leakWarnings(TomcatLog.lines())).as("Tomcat's leak warnings").isEmpty();
        Leaks.awaitCollected(ItJournal.loader("/jndi-executor"));
    }

    @Test
    void withoutOneTheListenersOwnExecutorIsUsedAndShutDown() {
        RecordingExecutor containerExecutor = CONTAINER_EXECUTOR.get();
        int before = containerExecutor.submitted();
        deployer.deploy("owned-executor");
        long threadId;
        try {
            await().atMost(WAIT).until(() -> ItJournal.count("run:ownedTicker") == 1);
            assertThat(containerExecutor.submitted()).isEqualTo(before);
            assertThat(ItJournal.entries()).contains("tccl:ownedTicker:true");
            threadId = threadId("ownedTicker");
            assertThat(ItJournal.entries()).contains("thread:ownedTicker:"
                    + "org.glassfish.concurro.ManagedThreadFactoryImpl$ManagedThread:" + threadId);
            assertThat(Leaks.threadAlive(threadId)).isTrue();
        } finally {
            deployer.undeploy("owned-executor");
        }
        // Undeploy returned only after the executor's threads had ended.
        assertThat(Leaks.threadAlive(threadId)).isFalse();
        Leaks.assertNothingLeft("/owned-executor");
        assertThat(Leaks.leakWarnings(TomcatLog.lines())).as("Tomcat's leak warnings").isEmpty();
    }

    private static long threadId(String process) {
        String prefix = "thread:" + process + ":";
        String entry = ItJournal.entries().stream().filter(e -> e.startsWith(prefix)).findFirst().orElseThrow();
        return Long.parseLong(entry.substring(entry.lastIndexOf(':') + 1));
    }
}
