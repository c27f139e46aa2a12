package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletException;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.logging.log4j.ThreadContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessStatus;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.Supervisor;

/** The listener's whole life outside a container: a fake ServletContext, no JNDI (so its own executor). */
class SupervisorContextListenerTest {

    static final List<String> EVENTS = new CopyOnWriteArrayList<>();
    static final ClassLoader WEBAPP = new URLClassLoader(new URL[0], SupervisorContextListenerTest.class
            .getClassLoader());
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    /** Journals its life; runs until cancelled. */
    @Supervised(name = "unitRecorder")
    public static class Recorder implements SupervisedProcess {
        @PostConstruct
        public void init() {
            EVENTS.add("postConstruct");
        }

        @PreDestroy
        public void destroy() {
            EVENTS.add("preDestroy");
        }

        @Override
        public void run(ProcessContext ctx) throws InterruptedException {
            EVENTS.add("run " + (Thread.currentThread().getContextClassLoader() == WEBAPP) + " "
                    + ThreadContext.get("context") + " " + Thread.currentThread().getName());
            try {
                ctx.awaitCancellation();
            } finally {
                EVENTS.add("end");
            }
        }
    }

    /** Its @PostConstruct fails. */
    public static class FailingInit implements SupervisedProcess {
        @PostConstruct
        public void init() {
            throw new IllegalStateException("no database");
        }

        @Override
        public void run(ProcessContext ctx) {
        }
    }

    @BeforeEach
    void clear() {
        EVENTS.clear();
    }

    static Map<String, String> params(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    /** Runs the initializer like a container, and returns the listener it added (or null). */
    static SupervisorContextListener initialize(FakeServletContext fake, Class<?>... annotated)
            throws ServletException {
        new SupervisorInitializer().onStartup(Set.of(annotated), fake.context());
        return fake.listeners.isEmpty() ? null : (SupervisorContextListener) fake.listeners.get(0);
    }

    static List<String> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith(prefix)).collect(Collectors.toList());
    }

    static Set<ObjectName> mbeans(String domain, String context) throws Exception {
        return SERVER.queryNames(new ObjectName(domain + ":*"), null).stream()
                .filter(name -> name.toString().contains(context)).collect(Collectors.toSet());
    }

    @Test
    void runsTheSupervisorFromContextStartToDestroy() throws Exception {
        FakeServletContext fake = FakeServletContext.create("/unit-life", params(), WEBAPP);
        SupervisorContextListener listener = initialize(fake, Recorder.class);
        ServletContextEvent event = new ServletContextEvent(fake.context());
        listener.contextInitialized(event);
        Supervisor supervisor = (Supervisor) fake.attributes.get(SupervisorContextListener.SUPERVISOR_ATTRIBUTE);
        assertThat(supervisor.name()).isEqualTo("unit-life");
        await().atMost(Duration.ofSeconds(5)).until(() -> supervisor.status("unitRecorder") == ProcessStatus.RUNNING);
        // RUNNING is set as the run is handed to its thread: the body may not have noted its run yet
        await().atMost(Duration.ofSeconds(5)).until(() -> EVENTS.size() >= 2);
        assertThat(EVENTS).containsExactly("postConstruct", "run true /unit-life simplevisor-unitRecorder");
        assertThat(mbeans("org.simplevisor", "/unit-life")).hasSize(3); // supervisor, alerts, process
        assertThat(SERVER.getAttribute(new ObjectName("org.simplevisor:type=Supervisor,context=/unit-life"),
                "Executor")).isEqualTo("its own executor simplevisor-unit-life-executor (the container has none)");
        assertThat(mbeans("metrics", "/unit-life")).isNotEmpty(); // the meters' MBeans (simplevisor.metrics=jmx)
        assertThat(threads("simplevisor-unit-life")).isNotEmpty();

        listener.contextDestroyed(event);
        assertThat(fake.attributes).doesNotContainKey(SupervisorContextListener.SUPERVISOR_ATTRIBUTE);
        assertThat(supervisor.isTerminated()).isTrue();
        assertThat(EVENTS).containsExactly("postConstruct", "run true /unit-life simplevisor-unitRecorder", "end",
                "preDestroy");
        assertThat(threads("simplevisor-unit-life")).isEmpty();
        assertThat(threads("simplevisor-unitRecorder")).isEmpty();
        assertThat(mbeans("org.simplevisor", "/unit-life")).isEmpty();
        assertThat(mbeans("metrics", "/unit-life")).isEmpty();
        listener.contextDestroyed(event); // a second destroy does nothing
    }

    /**
     * Names its web application as Tomcat's class loader does: {@code <base name>##<version>} in a parallel
     * deployment.
     */
    public static final class TomcatLikeLoader extends URLClassLoader {
        private final String contextName;

        TomcatLikeLoader(String contextName) {
            super(new URL[0], SupervisorContextListenerTest.class.getClassLoader());
            this.contextName = contextName;
        }

        public String getContextName() {
            return contextName;
        }
    }

    @Test
    void twoVersionsOfAParallelDeploymentRunSideBySideEachWithItsOwnMBeansAndMeters() throws Exception {
        FakeServletContext v1 = FakeServletContext.create("/unit-parallel", params(),
                new TomcatLikeLoader("unit-parallel##1"));
        FakeServletContext v2 = FakeServletContext.create("/unit-parallel", params(),
                new TomcatLikeLoader("unit-parallel##2"));
        SupervisorContextListener first = initialize(v1, Recorder.class);
        SupervisorContextListener second = initialize(v2, Recorder.class);
        first.contextInitialized(new ServletContextEvent(v1.context()));
        second.contextInitialized(new ServletContextEvent(v2.context())); // its MBeans' names were taken before
        Supervisor one = (Supervisor) v1.attributes.get(SupervisorContextListener.SUPERVISOR_ATTRIBUTE);
        Supervisor two = (Supervisor) v2.attributes.get(SupervisorContextListener.SUPERVISOR_ATTRIBUTE);
        await().atMost(Duration.ofSeconds(5)).until(() -> one.status("unitRecorder") == ProcessStatus.RUNNING
                && two.status("unitRecorder") == ProcessStatus.RUNNING);
        // RUNNING is set as a run is handed to its thread: the bodies may not have noted their runs yet
        await().atMost(Duration.ofSeconds(5)).until(() -> EVENTS.size() >= 4);
        assertThat(EVENTS).containsExactlyInAnyOrder("postConstruct", "postConstruct",
                "run false /unit-parallel##1 simplevisor-unitRecorder",
                "run false /unit-parallel##2 simplevisor-unitRecorder");
        for (String version : List.of("1", "2")) {
            ObjectName process = new ObjectName("org.simplevisor:type=Process,context=/unit-parallel##" + version
                    + ",name=unitRecorder");
            assertThat(SERVER.getAttribute(process, "Status")).isEqualTo("RUNNING");
            assertThat(mbeans("metrics", "context=/unit-parallel##" + version + ",")).isNotEmpty();
        }
        // One name for the leases of both versions' singletons: a singleton runs once among the versions.
        assertThat(one.name()).isEqualTo(two.name()).isEqualTo("unit-parallel");

        second.contextDestroyed(new ServletContextEvent(v2.context()));
        assertThat(mbeans("org.simplevisor", "/unit-parallel##2")).isEmpty();
        assertThat(mbeans("metrics", "/unit-parallel##2")).isEmpty();
        assertThat(mbeans("org.simplevisor", "/unit-parallel##1")).hasSize(3);
        assertThat(one.status("unitRecorder")).isEqualTo(ProcessStatus.RUNNING);
        first.contextDestroyed(new ServletContextEvent(v1.context()));
        assertThat(mbeans("org.simplevisor", "/unit-parallel")).isEmpty();
        assertThat(mbeans("metrics", "/unit-parallel")).isEmpty();
    }

    @Test
    void aFailedStartUndoesEverything() throws Exception {
        FakeServletContext fake = FakeServletContext.create("/unit-fail", params(
                "simplevisor.process.zzz.class", FailingInit.class.getName()), WEBAPP);
        SupervisorContextListener listener = initialize(fake, Recorder.class);
        assertThatThrownBy(() -> listener.contextInitialized(new ServletContextEvent(fake.context())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("process \"zzz\" (context parameter simplevisor.process.zzz.class = \""
                        + FailingInit.class.getName() + "\"): @PostConstruct " + FailingInit.class.getName()
                        + ".init() failed: java.lang.IllegalStateException: no database");
        assertThat(EVENTS).containsExactly("postConstruct", "preDestroy");
        assertThat(fake.attributes).isEmpty();
        assertThat(threads("simplevisor-unit-fail")).isEmpty();
        assertThat(mbeans("org.simplevisor", "/unit-fail")).isEmpty();
        assertThat(mbeans("metrics", "/unit-fail")).isEmpty();
    }

    @Test
    void anApplicationsMeterRegistryTakesPrecedence() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FakeServletContext fake = FakeServletContext.create("/", params("simplevisor.jmx.enabled", "false"),
                WEBAPP);
        fake.attributes.put(SupervisorContextListener.METER_REGISTRY_ATTRIBUTE, registry);
        SupervisorContextListener listener = initialize(fake, Recorder.class);
        ServletContextEvent event = new ServletContextEvent(fake.context());
        listener.contextInitialized(event);
        try {
            assertThat(((Supervisor) fake.attributes.get(SupervisorContextListener.SUPERVISOR_ATTRIBUTE)).name())
                    .isEqualTo("ROOT");
            assertThat(registry.getMeters()).isNotEmpty().allSatisfy(
                    meter -> assertThat(meter.getId().getTag("context")).isEqualTo("/"));
            assertThat(mbeans("org.simplevisor", "context=/,")).isEmpty(); // JMX off
            assertThat(mbeans("metrics", "context=/,")).isEmpty();
        } finally {
            listener.contextDestroyed(event);
        }
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void globalAndNoMetrics() throws Exception {
        FakeServletContext global = FakeServletContext.create("/unit-global", params("simplevisor.metrics", "global"));
        SupervisorContextListener listener = initialize(global, Recorder.class);
        listener.contextInitialized(new ServletContextEvent(global.context()));
        try {
            assertThat(Metrics.globalRegistry.getMeters()).extracting(Meter::getId)
                    .anySatisfy(id -> assertThat(id.getTag("context")).isEqualTo("/unit-global"));
            assertThat(mbeans("metrics", "/unit-global")).isEmpty();
        } finally {
            listener.contextDestroyed(new ServletContextEvent(global.context()));
        }
        assertThat(Metrics.globalRegistry.getMeters()).extracting(Meter::getId)
                .noneSatisfy(id -> assertThat(id.getTag("context")).isEqualTo("/unit-global"));

        FakeServletContext none = FakeServletContext.create("/unit-none", params("simplevisor.metrics", "none",
                "simplevisor.jmx.domain", "org.simplevisor.unit"));
        listener = initialize(none, Recorder.class);
        listener.contextInitialized(new ServletContextEvent(none.context()));
        try {
            assertThat(mbeans("org.simplevisor.unit", "/unit-none")).hasSize(3);
            assertThat(mbeans("metrics", "/unit-none")).isEmpty();
        } finally {
            listener.contextDestroyed(new ServletContextEvent(none.context()));
        }
        assertThat(mbeans("org.simplevisor.unit", "/unit-none")).isEmpty();
    }

    @Test
    void theJmxDomainIsAlsoTheMeterRegistrysDomain() throws Exception {
        FakeServletContext fake = FakeServletContext.create("/unit-domain", params("simplevisor.jmx.domain",
                "com.example.unit"));
        SupervisorContextListener listener = initialize(fake, Recorder.class);
        listener.contextInitialized(new ServletContextEvent(fake.context()));
        try {
            assertThat(mbeans("com.example.unit", "Supervisor")).hasSize(1);
            assertThat(mbeans("com.example.unit", "/unit-domain")).hasSizeGreaterThan(2);
        } finally {
            listener.contextDestroyed(new ServletContextEvent(fake.context()));
        }
        assertThat(mbeans("com.example.unit", "")).isEmpty();
    }

    @Test
    void aMeterRegistryAttributeOfAnotherTypeFails() throws Exception {
        FakeServletContext fake = FakeServletContext.create("/unit-attr", params());
        fake.attributes.put(SupervisorContextListener.METER_REGISTRY_ATTRIBUTE, "not a registry");
        SupervisorContextListener listener = initialize(fake, Recorder.class);
        assertThatThrownBy(() -> listener.contextInitialized(new ServletContextEvent(fake.context())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("Invalid simplevisor configuration: context attribute org.simplevisor.MeterRegistry is a "
                        + "java.lang.String, not a io.micrometer.core.instrument.MeterRegistry");
        assertThat(EVENTS).isEmpty();
    }

    @Test
    void theInitializerIsOffWhenDisabledAndFailsOnInvalidConfiguration() throws Exception {
        FakeServletContext off = FakeServletContext.create("/unit-off", params("simplevisor.enabled", " FALSE ",
                "simplevisor.metrics", "invalid but ignored"));
        assertThat(initialize(off, Recorder.class)).isNull();

        FakeServletContext invalid = FakeServletContext.create("/unit-invalid", params("simplevisor.metrics", "x"));
        assertThatThrownBy(() -> initialize(invalid, Recorder.class)).isInstanceOf(ServletException.class)
                .hasMessage("Invalid simplevisor configuration: context parameter simplevisor.metrics = \"x\": "
                        + "unknown metrics registry; use jmx, global or none")
                .hasCauseInstanceOf(ConfigurationException.class);
        assertThat(invalid.listeners).isEmpty();
    }

    @Test
    void supervisorNames() {
        assertThat(SupervisorContextListener.supervisorName("/")).isEqualTo("ROOT");
        assertThat(SupervisorContextListener.supervisorName("/shop")).isEqualTo("shop");
        assertThat(SupervisorContextListener.supervisorName("/a/b")).isEqualTo("a#b");
    }
}
