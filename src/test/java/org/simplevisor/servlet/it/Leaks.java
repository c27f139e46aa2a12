package org.simplevisor.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.awaitility.core.ConditionTimeoutException;
import org.jboss.arquillian.container.test.api.Deployer;

/** What a web application may leave behind in the test JVM: threads, MBeans, a started context. */
public final class Leaks {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private Leaks() {
    }

    /** @return the names of live threads called {@code simplevisor-...} */
    public static List<String> simplevisorThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("simplevisor-"))
                .sorted()
                .collect(Collectors.toList());
    }

    /** @return whether a thread with that id is alive */
    public static boolean threadAlive(long id) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getId() == id && t.isAlive());
    }

    /** @return the name of the live thread with that id, or {@code null} */
    public static String threadName(long id) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getId() == id).map(Thread::getName)
                .findFirst().orElse(null);
    }

    /** @return the MBeans of a domain whose name mentions the context path */
    public static Set<ObjectName> mbeans(String domain, String contextPath) {
        try {
            return SERVER.queryNames(new ObjectName(domain + ":*"), null).stream()
                    .filter(name -> name.toString().contains(contextPath))
                    .collect(Collectors.toSet());
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return every MBean of domain org.simplevisor */
    public static Set<ObjectName> simplevisorMBeans() {
        try {
            return SERVER.queryNames(new ObjectName("org.simplevisor:*"), null);
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the state of the web application at that path (Tomcat's WebModule MBean), or {@code null} */
    public static String contextState(String contextPath) {
        try {
            for (ObjectName name : SERVER.queryNames(new ObjectName("*:j2eeType=WebModule,*"), null)) {
                if (name.getKeyProperty("name").endsWith("/" + contextPath.substring(1))) {
                    return String.valueOf(SERVER.getAttribute(name, "stateName"));
                }
            }
            return null;
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Deploys a web application whose start must fail, and checks that it did. Embedded Tomcat logs the failure and
     * leaves the context stopped (the Arquillian adapter does not turn it into a DeploymentException); an adapter
     * that reports it with an exception passes too. Undeploy it afterwards.
     *
     * @param deployer Arquillian's deployer
     * @param name     the deployment's name, also its context path
     */
    public static void deployExpectingFailure(Deployer deployer, String name) {
        try {
            deployer.deploy(name);
        } catch (RuntimeException reported) {
            return;
        }
        assertThat(contextState("/" + name)).as("state of /" + name).isNotEqualTo("STARTED");
    }

    /**
     * Initialises, on the test's own thread, the Log4j Core classes that keep a static exception: its stack trace
     * holds the classes of whoever initialised the class, and would pin a web application's class loader if that
     * web application logged first (Log4j Core is shared here, on the test class path, as it would be in Tomcat's
     * lib/; log4j-core 2.25's {@code ThrowableStackTraceRenderer.MAX_LINE_COUNT_EXCEEDED}).
     */
    public static void initializeSharedLog4jStatics() {
        try {
            Class.forName("org.apache.logging.log4j.core.pattern.ThrowableStackTraceRenderer", true,
                    Leaks.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            // another Log4j Core version: nothing to do
        }
    }

    /**
     * @param log Tomcat's log
     * @return its warnings of a leaked thread or ThreadLocal, but not those of Tomcat's own background thread
     *         ({@code Catalina-utility-n}), which Tomcat reports when it stops a context while that thread is in
     *         the context's periodic background processing (with the context's class loader set on it)
     */
    public static List<String> leakWarnings(List<String> log) {
        return log.stream()
                .filter(line -> line.contains("appears to have started a thread")
                        || line.contains("failed to remove it") || line.contains("failed to unregister"))
                .filter(line -> !line.contains("[Catalina-utility-"))
                .collect(Collectors.toList());
    }

    /** Waits, collecting garbage, until the web application's class loader has been collected. */
    public static void awaitCollected(WeakReference<ClassLoader> loader) {
        try {
            await("the web application's class loader is collected").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        System.gc();
                        return loader.get() == null;
                    });
        } catch (ConditionTimeoutException e) {
            File dump = new File("target/leaked-class-loader-" + System.nanoTime() + ".hprof");
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(dump.getPath(), true);
            } catch (IOException | RuntimeException dumpFailure) {
                e.addSuppressed(dumpFailure);
            }
            throw new AssertionError("The web application's class loader is still reachable; heap dump: " + dump, e);
        }
    }

    /** Waits until no {@code simplevisor-} thread is alive, and no {@code org.simplevisor} MBean is registered. */
    public static void assertNothingLeft(String contextPath) {
        await("no simplevisor- thread").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(simplevisorThreads()).isEmpty());
        assertThat(simplevisorMBeans()).isEmpty();
        assertThat(mbeans("metrics", contextPath)).isEmpty();
    }
}
