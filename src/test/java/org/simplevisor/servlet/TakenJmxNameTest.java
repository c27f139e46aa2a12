package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.timer.Timer;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.simplevisor.ProcessContext;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;

/**
 * A deployment whose JMX publishing fails after its meters were published (another MBean has its supervisor MBean's
 * name) fails cleanly in Tomcat (embedded, with no connector): no MBean, meter MBean or thread of it is left, so the
 * same application deploys once the name is free.
 */
class TakenJmxNameTest {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();
    private static final String PATH = "/unit-taken-jmx-name";

    /** Runs until cancelled. */
    @Supervised(name = "waiter")
    public static class Waiter implements SupervisedProcess {
        @Override
        public void run(ProcessContext ctx) throws InterruptedException {
            ctx.awaitCancellation();
        }
    }

    @TempDir
    Path base;
    private Tomcat tomcat;
    private final ObjectName supervisorName = new ObjectName("org.simplevisor:type=Supervisor,context=" + PATH);

    TakenJmxNameTest() throws Exception {
    }

    @BeforeEach
    void startTomcat() throws Exception {
        tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        tomcat.getEngine().setName("TakenJmxNameTest"); // its MBeans' domain, apart from any other Tomcat's
        tomcat.getHost().setAppBase(base.toString());
        tomcat.start();
    }

    @AfterEach
    void stopTomcat() throws Exception {
        if (SERVER.isRegistered(supervisorName)) {
            SERVER.unregisterMBean(supervisorName);
        }
        tomcat.stop();
        tomcat.destroy();
        assertThat(SupervisorContextListenerTest.mbeans("org.simplevisor", PATH)).isEmpty();
        assertThat(SupervisorContextListenerTest.mbeans("metrics", PATH)).isEmpty();
    }

    @Test
    void aDeploymentWhoseJmxNameIsTakenLeavesNothingBehindAndDeploysOnceItIsFree() throws Exception {
        SERVER.registerMBean(new Timer(), supervisorName); // someone else's MBean, never started

        Context failed = deploy();

        assertThat(failed.getState()).isNotEqualTo(LifecycleState.STARTED);
        assertThat(SupervisorContextListenerTest.mbeans("org.simplevisor", PATH)).containsExactly(supervisorName);
        assertThat(SupervisorContextListenerTest.mbeans("metrics", PATH)).as("the meters' MBeans").isEmpty();
        assertThat(SupervisorContextListenerTest.threads("simplevisor-unit-taken-jmx-name")).isEmpty();
        assertThat(SupervisorContextListenerTest.threads("simplevisor-waiter")).isEmpty();

        tomcat.getHost().removeChild(failed);
        SERVER.unregisterMBean(supervisorName);
        Context redeployed = deploy();

        assertThat(redeployed.getState()).isEqualTo(LifecycleState.STARTED);
        ObjectName process = new ObjectName("org.simplevisor:type=Process,context=" + PATH + ",name=waiter");
        await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(SERVER.getAttribute(process, "Status")));
        assertThat(SupervisorContextListenerTest.mbeans("metrics", PATH)).hasSize(1);
        tomcat.getHost().removeChild(redeployed);
    }

    /** Deploys, as Tomcat's manager would, an application of one {@code @Supervised} process at {@link #PATH}. */
    private Context deploy() throws Exception {
        StandardContext context = new StandardContext();
        context.setName(PATH);
        context.setPath(PATH);
        context.setDocBase(Files.createTempDirectory(base, "docBase").toString());
        context.addLifecycleListener(new Tomcat.FixContextListener());
        context.addServletContainerInitializer(new SupervisorInitializer(), Set.of(Waiter.class));
        tomcat.getHost().addChild(context);
        return context;
    }
}
