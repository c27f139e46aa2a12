package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static org.simplevisor.servlet.SupervisorContextListenerTest.initialize;
import static org.simplevisor.servlet.SupervisorContextListenerTest.mbeans;
import static org.simplevisor.servlet.SupervisorContextListenerTest.params;
import static org.simplevisor.servlet.SupervisorContextListenerTest.threads;

import jakarta.annotation.PreDestroy;
import jakarta.servlet.ServletContextEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.ProcessStatus;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.Supervisor;
import org.simplevisor.servlet.it.ItJournal;
import org.simplevisor.servlet.it.app.BrokenConstructor;
import org.simplevisor.servlet.it.app.BrokenStaticInitializer;
import org.simplevisor.servlet.it.app.FailingPostConstruct;
import org.simplevisor.servlet.it.app.FailingPreDestroy;
import org.simplevisor.servlet.it.app.PlainTicker;
import org.simplevisor.testing.CapturedLogs;

/**
 * Process classes that throw from their constructor, static initializer, {@code @PostConstruct} or
 * {@code @PreDestroy}: a failure to create or initialise a process fails the start with a message naming the process,
 * where it was declared and the class, and undoes everything; a failing {@code @PreDestroy} is logged with its stack
 * trace and stops neither the other processes' destruction nor the supervisor's shutdown. The process classes are
 * those {@code LifecycleFaultsIT} deploys on Tomcat, journaling into the same {@link ItJournal}.
 */
class ProcessLifecycleFaultsTest {

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);
    /** How much longer than its shutdown timeout a context destroy may take (executor and MBean release). */
    private static final Duration DESTROY_SLACK = Duration.ofMillis(250);
    private static final Class<?>[] NONE = {};

    /** Runs until cancelled; its {@code @PreDestroy} blocks, deaf to interrupts, until the test releases it. */
    public static class BlockingPreDestroy implements SupervisedProcess {
        static final CountDownLatch RELEASE = new CountDownLatch(1);

        @PreDestroy
        void drainQueue() {
            ItJournal.record("preDestroy:" + getClass().getSimpleName());
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

    /** Runs until cancelled; its {@code @PreDestroy} takes several times the least time an undeploy gives it. */
    public static class SlowPreDestroy implements SupervisedProcess {
        @PreDestroy
        void flush() {
            ItJournal.record("preDestroy:" + getClass().getSimpleName());
            long work = SupervisorContextListener.PRE_DESTROY_LEAST_TIME.multipliedBy(4).toNanos();
            long until = System.nanoTime() + work;
            for (long left = work; left > 0 && !Thread.currentThread().isInterrupted();
                    left = until - System.nanoTime()) {
                LockSupport.parkNanos(left); // a flush, cut short if the undeploy gives up on it
            }
            ItJournal.record((Thread.currentThread().isInterrupted() ? "cutShort:" : "flushed:")
                    + getClass().getSimpleName());
        }

        @Override
        public void run(ProcessContext ctx) throws InterruptedException {
            ctx.awaitCancellation();
        }
    }

    @BeforeEach
    void clear() {
        ItJournal.clear();
    }

    static Stream<Arguments> processClassesThatCannotBeMade() {
        return Stream.of(
                arguments(BrokenConstructor.class, "/unit-ctor", "the constructor of",
                        IllegalStateException.class, "no licence key"),
                arguments(BrokenStaticInitializer.class, "/unit-clinit", "the static initializer of",
                        IllegalArgumentException.class, "endpoint not configured"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("processClassesThatCannotBeMade")
    void aProcessClassThatCannotBeMadeFailsTheStartNamingProcessAndClassAndUndoesEverything(Class<?> broken,
            String contextPath, String failingPart, Class<? extends Throwable> cause, String causeMessage)
            throws Exception {
        String type = broken.getName();
        assertStartFails(contextPath, params(
                        "simplevisor.process.a-healthy.class", PlainTicker.class.getName(),
                        "simplevisor.process.b-broken.class", type), NONE,
                "process \"b-broken\" (context parameter simplevisor.process.b-broken.class = \"" + type
                        + "\"): " + failingPart + " " + type + " failed: " + cause.getName() + ": " + causeMessage,
                cause, causeMessage);
        // The process made before the failing one was destroyed again; nothing ran.
        assertThat(ItJournal.entries()).containsExactly("postConstruct:PlainTicker", "preDestroy:PlainTicker");
    }

    @Test
    void aCheckedExceptionFromPostConstructFailsTheStartNamingTheAnnotatedClass() throws Exception {
        String type = FailingPostConstruct.class.getName();
        assertStartFails("/unit-init", params("simplevisor.process.a-healthy.class", PlainTicker.class.getName()),
                new Class<?>[] {FailingPostConstruct.class},
                "process \"failingInit\" (@Supervised class " + type + "): @PostConstruct " + type
                        + ".loadCache() failed: java.io.IOException: cache file missing",
                IOException.class, "cache file missing");
        assertThat(ItJournal.entries()).containsExactly("postConstruct:PlainTicker", "preDestroy:PlainTicker");
    }

    @Test
    void aThrowingPreDestroyOnTheFailedStartsCleanUpIsLoggedAndTheStartFailureIsReported() throws Exception {
        String type = BrokenConstructor.class.getName();
        try (CapturedLogs logs = CapturedLogs.attach()) {
            assertStartFails("/unit-ctor-destroy", params(
                            "simplevisor.process.a-closing.class", FailingPreDestroy.class.getName(),
                            "simplevisor.process.b-broken.class", type), NONE,
                    "process \"b-broken\" (context parameter simplevisor.process.b-broken.class = \"" + type
                            + "\"): the constructor of " + type
                            + " failed: java.lang.IllegalStateException: no licence key",
                    IllegalStateException.class, "no licence key");
            assertPreDestroyFailureLogged(logs, "a-closing");
        }
        assertThat(ItJournal.entries()).containsExactly("postConstruct:FailingPreDestroy",
                "preDestroy:FailingPreDestroy");
    }

    @Test
    void aThrowingPreDestroyIsLoggedAndStopsNeitherTheOtherProcessesNorTheShutdown() throws Exception {
        Running running = runningBetweenTwoHealthy("/unit-destroy", "b-closing", FailingPreDestroy.class);
        try (CapturedLogs logs = CapturedLogs.attach()) {
            running.destroyWithinTheShutdownTimeout();
            assertPreDestroyFailureLogged(logs, "b-closing");
        }
        // Destroyed in reverse order of creation: the failure in the middle did not stop the first one's.
        assertThat(ItJournal.entries().stream().filter(e -> e.startsWith("preDestroy:"))).containsExactly(
                "preDestroy:PlainTicker", "preDestroy:FailingPreDestroy", "preDestroy:PlainTicker");
        assertThat(ItJournal.entries()).contains("end:a-healthy", "end:b-closing", "end:c-healthy");
        assertStoppedCleanly(running.supervisor());
        assertNothingLeft(running.fake(), "/unit-destroy", "unit-destroy");
    }

    @Test
    void aBlockingPreDestroyIsReportedWithItsStackAndTheUndeployGoesOnWithinTheShutdownTimeout() throws Exception {
        Running running = runningBetweenTwoHealthy("/unit-blocking", "b-blocking", BlockingPreDestroy.class);
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
        assertStoppedCleanly(running.supervisor());
        assertThat(ItJournal.entries().stream().filter(e -> e.startsWith("preDestroy:"))).containsExactly(
                "preDestroy:PlainTicker", "preDestroy:BlockingPreDestroy");

        // Once it returns, the destruction it held up finishes on its thread, which then ends.
        BlockingPreDestroy.RELEASE.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> ItJournal.entries().stream()
                .filter(e -> e.equals("preDestroy:PlainTicker")).count() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> threads("simplevisor-unit-blocking").isEmpty());
        assertNothingLeft(running.fake(), "/unit-blocking", "unit-blocking");
    }

    @Test
    void aSlowPreDestroyIsWaitedForUnderTheLongestShutdownTimeout() throws Exception {
        Running running = runningBetweenTwoHealthy("/unit-longest", "b-slow", SlowPreDestroy.class,
                ProcessOption.LONGEST);
        try (CapturedLogs logs = CapturedLogs.attach()) {
            running.listener().contextDestroyed(new ServletContextEvent(running.fake().context()));
            assertThat(logs.at(Level.ERROR)).extracting(CapturedLogs.Line::message)
                    .noneMatch(message -> message.contains("@PreDestroy"));
        }
        assertThat(ItJournal.entries()).contains("flushed:SlowPreDestroy").doesNotContain("cutShort:SlowPreDestroy");
        assertThat(ItJournal.entries().stream().filter(e -> e.startsWith("preDestroy:"))).containsExactly(
                "preDestroy:PlainTicker", "preDestroy:SlowPreDestroy", "preDestroy:PlainTicker");
        assertStoppedCleanly(running.supervisor());
        assertNothingLeft(running.fake(), "/unit-longest", "unit-longest");
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
        return runningBetweenTwoHealthy(contextPath, name, type, SHUTDOWN_TIMEOUT);
    }

    /** Starts such a context with this shutdown timeout. */
    private static Running runningBetweenTwoHealthy(String contextPath, String name,
            Class<? extends SupervisedProcess> type, Duration shutdownTimeout) throws Exception {
        FakeServletContext fake = FakeServletContext.create(contextPath, params(
                "simplevisor.shutdown-timeout", shutdownTimeout.toString(),
                "simplevisor.process.a-healthy.class", PlainTicker.class.getName(),
                "simplevisor.process." + name + ".class", type.getName(),
                "simplevisor.process.c-healthy.class", PlainTicker.class.getName()));
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
        assertThat(ItJournal.entries()).noneMatch(e -> e.startsWith("run:"));
        assertNothingLeft(fake, contextPath, contextPath.substring(1));
        listener.contextDestroyed(new ServletContextEvent(fake.context())); // as Tomcat does after a failed start
    }

    private static void assertPreDestroyFailureLogged(CapturedLogs logs, String process) {
        String type = FailingPreDestroy.class.getName();
        assertThat(logs.at(Level.ERROR)).filteredOn(line -> line.message().contains("@PreDestroy"))
                .singleElement()
                .satisfies(line -> {
                    assertThat(line.message()).isEqualTo("Process \"" + process + "\": @PreDestroy " + type
                            + ".closeConnection() failed: java.lang.IllegalStateException: "
                            + "connection already closed");
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
