package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.servlet.SupervisorContextListenerTest.initialize;
import static org.simplevisor.servlet.SupervisorContextListenerTest.mbeans;
import static org.simplevisor.servlet.SupervisorContextListenerTest.params;
import static org.simplevisor.servlet.SupervisorContextListenerTest.threads;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.servlet.ServletContextEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.ProcessStatus;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.Supervisor;
import org.simplevisor.testing.CapturedLogs;

/**
 * Process classes that throw from their constructor, static initializer, {@code @PostConstruct} or
 * {@code @PreDestroy}: a failure to create or initialise a process fails the start with a message naming the process,
 * where it was declared and the class, and undoes everything; a failing {@code @PreDestroy} is logged with its stack
 * trace and stops neither the other processes' destruction nor the supervisor's shutdown.
 */
class ProcessLifecycleFaultsTest {

    static final List<String> EVENTS = new CopyOnWriteArrayList<>();
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);
    /** How much longer than its shutdown timeout a context destroy may take (executor and MBean release). */
    private static final Duration DESTROY_SLACK = Duration.ofMillis(250);
    private static final Class<?>[] NONE = {};

    /** Journals its life; runs until cancelled. */
    public static class Healthy implements SupervisedProcess {
        @PostConstruct
        void init() {
            EVENTS.add("postConstruct:" + getClass().getSimpleName());
        }

        @PreDestroy
        void destroy() {
            EVENTS.add("preDestroy:" + getClass().getSimpleName());
        }

        @Override
        public void run(ProcessContext ctx) throws InterruptedException {
            EVENTS.add("run:" + ctx.name());
            try {
                ctx.awaitCancellation();
            } finally {
                EVENTS.add("end:" + ctx.name());
            }
        }
    }

    /** Its constructor throws. */
    public static class ThrowingConstructor implements SupervisedProcess {
        public ThrowingConstructor() {
            throw new IllegalStateException("no licence key");
        }

        @Override
        public void run(ProcessContext ctx) {
            EVENTS.add("run:" + ctx.name());
        }
    }

    /** Its static initializer throws, on the first construction (configuration only loads the class). */
    public static class ThrowingStaticInitializer implements SupervisedProcess {
        static final String ENDPOINT = endpoint();

        private static String endpoint() {
            throw new IllegalArgumentException("endpoint not configured");
        }

        @Override
        public void run(ProcessContext ctx) {
            EVENTS.add("run:" + ctx.name() + ENDPOINT);
        }
    }

    /** Found by annotation; its {@code @PostConstruct} throws a checked exception. */
    @Supervised(name = "c-cache")
    public static class CheckedPostConstruct implements SupervisedProcess {
        @PostConstruct
        void load() throws IOException {
            throw new IOException("cache file missing");
        }

        @Override
        public void run(ProcessContext ctx) {
            EVENTS.add("run:" + ctx.name());
        }
    }

    /** Runs until cancelled; its {@code @PreDestroy} throws after journaling that it was called. */
    public static class ThrowingPreDestroy implements SupervisedProcess {
        @PreDestroy
        void close() {
            EVENTS.add("preDestroy:" + getClass().getSimpleName());
            throw new IllegalStateException("connection already closed");
        }

        @Override
        public void run(ProcessContext ctx) throws InterruptedException {
            EVENTS.add("run:" + ctx.name());
            try {
                ctx.awaitCancellation();
            } finally {
                EVENTS.add("end:" + ctx.name());
            }
        }
    }

    /** Runs until cancelled; its {@code @PreDestroy} blocks, deaf to interrupts, until the test releases it. */
    public static class BlockingPreDestroy implements SupervisedProcess {
        static final CountDownLatch RELEASE = new CountDownLatch(1);

        @PreDestroy
        void drainQueue() {
            EVENTS.add("preDestroy:" + getClass().getSimpleName());
            boolean released = false;
            while (!released) {
                try {
                    released = RELEASE.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException ignored) {
                    // as a method stuck in a socket write would: the interrupt does not free it
                }
            }
        }

        @Override
        public void run(ProcessContext ctx) throws InterruptedException {
            ctx.awaitCancellation();
        }
    }

    @BeforeEach
    void clear() {
        EVENTS.clear();
    }

    @Test
    void aThrowingConstructorFailsTheStartNamingProcessAndClassAndUndoesEverything() throws Exception {
        String type = ThrowingConstructor.class.getName();
        assertStartFails("/unit-ctor", params(
                        "simplevisor.process.a-healthy.class", Healthy.class.getName(),
                        "simplevisor.process.b-broken.class", type), NONE,
                "process \"b-broken\" (context parameter simplevisor.process.b-broken.class = \"" + type
                        + "\"): the constructor of " + type
                        + " failed: java.lang.IllegalStateException: no licence key",
                IllegalStateException.class, "no licence key");
        // The process made before the failing one was destroyed again; nothing ran.
        assertThat(EVENTS).containsExactly("postConstruct:Healthy", "preDestroy:Healthy");
    }

    @Test
    void aThrowingStaticInitializerFailsTheStartNamingProcessAndClass() throws Exception {
        String type = ThrowingStaticInitializer.class.getName();
        assertStartFails("/unit-clinit", params(
                        "simplevisor.process.a-healthy.class", Healthy.class.getName(),
                        "simplevisor.process.b-broken.class", type), NONE,
                "process \"b-broken\" (context parameter simplevisor.process.b-broken.class = \"" + type
                        + "\"): the static initializer of " + type
                        + " failed: java.lang.IllegalArgumentException: endpoint not configured",
                IllegalArgumentException.class, "endpoint not configured");
        assertThat(EVENTS).containsExactly("postConstruct:Healthy", "preDestroy:Healthy");
    }

    @Test
    void aCheckedExceptionFromPostConstructFailsTheStartNamingTheAnnotatedClass() throws Exception {
        String type = CheckedPostConstruct.class.getName();
        assertStartFails("/unit-init", params("simplevisor.process.a-healthy.class", Healthy.class.getName()),
                new Class<?>[] {CheckedPostConstruct.class},
                "process \"c-cache\" (@Supervised class " + type + "): @PostConstruct " + type
                        + ".load() failed: java.io.IOException: cache file missing",
                IOException.class, "cache file missing");
        assertThat(EVENTS).containsExactly("postConstruct:Healthy", "preDestroy:Healthy");
    }

    @Test
    void aThrowingPreDestroyOnTheFailedStartsCleanUpIsLoggedAndTheStartFailureIsReported() throws Exception {
        String type = ThrowingConstructor.class.getName();
        try (CapturedLogs logs = CapturedLogs.attach()) {
            assertStartFails("/unit-ctor-destroy", params(
                            "simplevisor.process.a-closing.class", ThrowingPreDestroy.class.getName(),
                            "simplevisor.process.b-broken.class", type), NONE,
                    "process \"b-broken\" (context parameter simplevisor.process.b-broken.class = \"" + type
                            + "\"): the constructor of " + type
                            + " failed: java.lang.IllegalStateException: no licence key",
                    IllegalStateException.class, "no licence key");
            assertPreDestroyFailureLogged(logs, "a-closing");
        }
        assertThat(EVENTS).containsExactly("preDestroy:ThrowingPreDestroy");
    }

    @Test
    void aThrowingPreDestroyIsLoggedAndStopsNeitherTheOtherProcessesNorTheShutdown() throws Exception {
        Running running = runningBetweenTwoHealthy("/unit-destroy", "b-closing", ThrowingPreDestroy.class);
        Supervisor supervisor = running.supervisor();
        FakeServletContext fake = running.fake();

        try (CapturedLogs logs = CapturedLogs.attach()) {
            running.destroyWithinTheShutdownTimeout();
            assertPreDestroyFailureLogged(logs, "b-closing");
        }
        // Destroyed in reverse order of creation: the failure in the middle did not stop the first one's.
        assertThat(EVENTS.stream().filter(e -> e.startsWith("preDestroy:"))).containsExactly(
                "preDestroy:Healthy", "preDestroy:ThrowingPreDestroy", "preDestroy:Healthy");
        assertThat(EVENTS).contains("end:a-healthy", "end:b-closing", "end:c-healthy");
        assertStoppedCleanly(supervisor);
        assertNothingLeft(fake, "/unit-destroy", "unit-destroy");
    }

    @Test
    void aBlockingPreDestroyIsReportedWithItsStackAndTheUndeployGoesOnWithinTheShutdownTimeout() throws Exception {
        Running running = runningBetweenTwoHealthy("/unit-blocking", "b-blocking", BlockingPreDestroy.class);
        Supervisor supervisor = running.supervisor();
        FakeServletContext fake = running.fake();

        try (CapturedLogs logs = CapturedLogs.attach()) {
            running.destroyWithinTheShutdownTimeout();
            assertThat(logs.at(Level.ERROR)).filteredOn(line -> line.message().contains("@PreDestroy"))
                    .singleElement().satisfies(line -> {
                        assertThat(line.message()).isEqualTo("Process \"b-blocking\": @PreDestroy did not return "
                                + "within the shutdown timeout; the undeploy goes on without it");
                        assertThat(line.thrown()).hasMessageStartingWith("@PreDestroy of process \"b-blocking\" "
                                + "had not returned ").hasMessageContaining("simplevisor-unit-blocking-pre-destroy");
                        assertThat(line.thrown().getStackTrace())
                                .anyMatch(frame -> frame.getMethodName().equals("drainQueue"));
                    });
        }
        assertStoppedCleanly(supervisor);
        assertThat(EVENTS.stream().filter(e -> e.startsWith("preDestroy:"))).containsExactly(
                "preDestroy:Healthy", "preDestroy:BlockingPreDestroy");

        // Once it returns, the destruction it held up finishes on its thread, which then ends.
        BlockingPreDestroy.RELEASE.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> EVENTS.stream()
                .filter(e -> e.equals("preDestroy:Healthy")).count() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> threads("simplevisor-unit-blocking").isEmpty());
        assertNothingLeft(fake, "/unit-blocking", "unit-blocking");
    }

    /** A started context, its listener and its supervisor with every process RUNNING. */
    private record Running(FakeServletContext fake, SupervisorContextListener listener, Supervisor supervisor) {

        /** Destroys the context, which must take no longer than the shutdown timeout and a little slack. */
        void destroyWithinTheShutdownTimeout() {
            long begin = System.nanoTime();
            listener.contextDestroyed(new ServletContextEvent(fake.context()));
            Duration took = Duration.ofNanos(System.nanoTime() - begin);
            assertThat(took).isLessThanOrEqualTo(SHUTDOWN_TIMEOUT.plus(DESTROY_SLACK));
        }
    }

    /** Starts a context with a process of {@code type} between two healthy ones, and waits until all run. */
    private static Running runningBetweenTwoHealthy(String contextPath, String name,
            Class<? extends SupervisedProcess> type) throws Exception {
        FakeServletContext fake = FakeServletContext.create(contextPath, params(
                "simplevisor.shutdown-timeout", SHUTDOWN_TIMEOUT.toMillis() + "ms",
                "simplevisor.process.a-healthy.class", Healthy.class.getName(),
                "simplevisor.process." + name + ".class", type.getName(),
                "simplevisor.process.c-healthy.class", Healthy.class.getName()));
        SupervisorContextListener listener = initialize(fake);
        listener.contextInitialized(new ServletContextEvent(fake.context()));
        Supervisor supervisor = (Supervisor) fake.attributes.get(SupervisorContextListener.SUPERVISOR_ATTRIBUTE);
        await().atMost(Duration.ofSeconds(5)).until(() -> supervisor.snapshots().stream()
                .allMatch(s -> s.status() == ProcessStatus.RUNNING));
        return new Running(fake, listener, supervisor);
    }

    /**
     * Starts a context with these parameters and annotated classes, and expects its start to fail with this message,
     * caused by this exception of the process class, logged at ERROR, leaving nothing behind.
     */
    private static void assertStartFails(String contextPath, Map<String, String> parameters, Class<?>[] annotated,
            String message, Class<? extends Throwable> rootCause, String rootCauseMessage) throws Exception {
        FakeServletContext fake = FakeServletContext.create(contextPath, parameters);
        SupervisorContextListener listener = initialize(fake, annotated);
        try (CapturedLogs logs = CapturedLogs.attach()) {
            assertThatThrownBy(() -> listener.contextInitialized(new ServletContextEvent(fake.context())))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage(message)
                    .hasRootCauseInstanceOf(rootCause)
                    .hasRootCauseMessage(rootCauseMessage);
            assertThat(logs.at(Level.ERROR)).extracting(CapturedLogs.Line::message)
                    .contains("simplevisor: web application " + contextPath + " cannot start: " + message);
        }
        assertThat(EVENTS).noneMatch(e -> e.startsWith("run:"));
        assertNothingLeft(fake, contextPath, contextPath.substring(1));
        listener.contextDestroyed(new ServletContextEvent(fake.context())); // as Tomcat does after a failed start
    }

    private static void assertPreDestroyFailureLogged(CapturedLogs logs, String process) {
        String type = ThrowingPreDestroy.class.getName();
        assertThat(logs.at(Level.ERROR)).filteredOn(line -> line.message().contains("@PreDestroy"))
                .singleElement()
                .satisfies(line -> {
                    assertThat(line.message()).isEqualTo("Process \"" + process + "\": @PreDestroy " + type
                            + ".close() failed: java.lang.IllegalStateException: connection already closed");
                    // With the stack trace: the exception the method threw, not the reflective wrapper.
                    assertThat(line.thrown()).isInstanceOf(IllegalStateException.class)
                            .hasMessage("connection already closed");
                    assertThat(line.thrown().getStackTrace()[0].getClassName()).isEqualTo(type);
                });
    }

    /** Every process ended STOPPED (none failed), and each run that started also exited. */
    private static void assertStoppedCleanly(Supervisor supervisor) {
        assertThat(supervisor.isTerminated()).isTrue();
        assertThat(supervisor.snapshots()).isNotEmpty().allSatisfy(s -> {
            assertThat(s.status()).as(s.name()).isEqualTo(ProcessStatus.STOPPED);
            assertThat(s.totalStarts()).as(s.name() + " starts = exits + running").isEqualTo(s.totalExits())
                    .isEqualTo(1);
        });
        assertThat(supervisor.snapshots()).extracting(ProcessSnapshot::totalFailures).containsOnly(0L);
    }

    private static void assertNothingLeft(FakeServletContext fake, String contextPath, String supervisorName)
            throws Exception {
        assertThat(fake.attributes).doesNotContainKey(SupervisorContextListener.SUPERVISOR_ATTRIBUTE);
        assertThat(threads("simplevisor-" + supervisorName)).isEmpty();
        assertThat(threads("simplevisor-a-")).isEmpty();
        assertThat(threads("simplevisor-b-")).isEmpty();
        assertThat(threads("simplevisor-c-")).isEmpty();
        assertThat(mbeans("org.simplevisor", contextPath)).isEmpty();
        assertThat(mbeans("metrics", contextPath)).isEmpty();
    }
}
