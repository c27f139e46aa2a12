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
import org.apache.catalina.Context;
import org.apache.catalina.Host;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.core.StandardEngine;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.core.StandardService;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.simplevisor.ProcessContext;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;

/**
 * Web applications at one context path in one Tomcat (embedded, with no connector: nothing listens): two versions of
 * a parallel deployment, one application on each of two virtual hosts, and one in each of two services. Each must deploy with MBeans and meters
 * of its own, under the names Tomcat gives them.
 */
class SameContextPathTest {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();
    private static final String PATH = "/unit-same-path";

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

    @BeforeEach
    void startTomcat() throws Exception {
        tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        tomcat.getEngine().setName("SameContextPathTest"); // its MBeans' domain, apart from any other Tomcat's
        tomcat.getHost().setAppBase(base.toString());
        tomcat.start();
    }

    @AfterEach
    void stopTomcat() throws Exception {
        tomcat.stop();
        tomcat.destroy();
        assertThat(SERVER.queryNames(new ObjectName("org.simplevisor:context=*" + PATH + "*,*"), null)).isEmpty();
    }

    @Test
    void twoVersionsOfAParallelDeploymentEachHaveTheirMBeansAndMeters() throws Exception {
        Context first = deploy(tomcat.getHost(), "1");
        Context second = deploy(tomcat.getHost(), "2"); // failed before: the first one's supervisor MBean's name

        assertRunsWithItsMBeans(PATH + "##1");
        assertRunsWithItsMBeans(PATH + "##2");
        tomcat.getHost().removeChild(first);
        assertThat(SERVER.queryNames(new ObjectName("*:context=" + PATH + "##1,*"), null)).isEmpty();
        assertRunsWithItsMBeans(PATH + "##2");
        tomcat.getHost().removeChild(second);
    }

    @Test
    void oneApplicationOnEachOfTwoVirtualHostsEachHaveTheirMBeansAndMeters() throws Exception {
        Host other = new StandardHost();
        other.setName("shop.example");
        other.setAppBase(base.toString());
        tomcat.getEngine().addChild(other);
        Context onDefault = deploy(tomcat.getHost(), "");
        Context onOther = deploy(other, "");

        assertRunsWithItsMBeans(PATH); // the default host's keeps the name it always had
        assertRunsWithItsMBeans("//shop.example" + PATH);
        other.removeChild(onOther);
        assertThat(SERVER.queryNames(new ObjectName("*:context=//shop.example" + PATH + ",*"), null)).isEmpty();
        assertRunsWithItsMBeans(PATH);
        tomcat.getHost().removeChild(onDefault);
    }

    @Test
    void oneApplicationInEachOfTwoServicesEachHaveTheirMBeansAndMeters() throws Exception {
        StandardEngine engine = new StandardEngine();
        engine.setName("SameContextPathTest-internal"); // a second <Service>: its own engine, with a host "localhost"
        engine.setDefaultHost("localhost");
        Host internalHost = new StandardHost();
        internalHost.setName("localhost");
        internalHost.setAppBase(base.toString());
        engine.addChild(internalHost);
        StandardService internal = new StandardService();
        internal.setName("internal");
        internal.setContainer(engine);
        tomcat.getServer().addService(internal);
        try {
            Context inFirst = deploy(tomcat.getHost(), "");
            Context inSecond = deploy(internalHost, ""); // failed before: the first one's supervisor MBean's name

            assertRunsWithItsMBeans(PATH); // the first service's keeps the name it always had
            assertRunsWithItsMBeans("//SameContextPathTest-internal/localhost" + PATH);
            internalHost.removeChild(inSecond);
            assertThat(SERVER.queryNames(new ObjectName("*:context=//SameContextPathTest-internal/localhost" + PATH
                    + ",*"), null)).isEmpty();
            assertRunsWithItsMBeans(PATH);
            tomcat.getHost().removeChild(inFirst);
        } finally {
            tomcat.getServer().removeService(internal);
        }
    }

    /** Deploys, as Tomcat's manager would, an application of one {@code @Supervised} process at {@link #PATH}. */
    private Context deploy(Host host, String version) throws Exception {
        StandardContext context = new StandardContext();
        context.setName(version.isEmpty() ? PATH : PATH + "##" + version);
        context.setPath(PATH);
        context.setWebappVersion(version);
        context.setDocBase(Files.createTempDirectory(base, "docBase").toString());
        context.addLifecycleListener(new Tomcat.FixContextListener());
        context.addServletContainerInitializer(new SupervisorInitializer(), Set.of(Waiter.class));
        host.addChild(context);
        assertThat(context.getState()).as("%s on %s", context.getName(), host.getName())
                .isEqualTo(LifecycleState.STARTED);
        return context;
    }

    private static void assertRunsWithItsMBeans(String contextName) throws Exception {
        ObjectName process = new ObjectName("org.simplevisor:type=Process,context=" + contextName + ",name=waiter");
        await().atMost(Duration.ofSeconds(10)).until(() -> "RUNNING".equals(SERVER.getAttribute(process, "Status")));
        assertThat(SERVER.queryNames(new ObjectName("metrics:type=simplevisor.process,context=" + contextName + ",*"),
                null)).as("the meters of %s", contextName).hasSize(1);
    }
}
