package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.concurrent.ContextService;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import javax.naming.NameNotFoundException;
import javax.naming.NoInitialContextException;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.OwnedThreads;
import org.simplevisor.ProcessContext;
import org.simplevisor.RestartPolicy;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.testing.CapturedLogs;

/**
 * On which thread and with which context the {@code @PreDestroy} methods run: on the destroyer thread, with the
 * calling (container's) thread's context class loader, and, when the container binds
 * {@code java:comp/DefaultContextService}, inside a contextual proxy captured on the calling thread; without one
 * (Tomcat) plainly and without a word in the log; if the container refuses to set the context up, plainly all the
 * same. The deadline still holds inside the context.
 */
class PreDestroyContextTest {

    private static final String DESTROYER = "test-pre-destroy";
    /** What the fake context service sets on the thread it runs a proxy on: where the context was captured. */
    static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();
    /** What each process's {@code @PreDestroy} saw: its thread, its context, its context class loader. */
    static final Map<String, Seen> SEEN = new ConcurrentHashMap<>();

    record Seen(String thread, String context, ClassLoader loader) {
    }

    private ClassLoader callersLoader;
    private ClassLoader previousLoader;

    /** Records what its {@code @PreDestroy} method saw. */
    public static class Recording implements SupervisedProcess {
        @PreDestroy
        void close() {
            SEEN.put(getClass().getSimpleName(), new Seen(Thread.currentThread().getName(), CONTEXT.get(),
                    Thread.currentThread().getContextClassLoader()));
        }

        @Override
        public void run(ProcessContext ctx) throws InterruptedException {
            ctx.awaitCancellation();
        }
    }

    /** Fails in {@code @PostConstruct}: the processes made before it are destroyed again. */
    public static class FailingInit implements SupervisedProcess {
        @PostConstruct
        void init() {
            throw new IllegalStateException("no configuration");
        }

        @Override
        public void run(ProcessContext ctx) {
        }
    }

    /** Blocks in {@code @PreDestroy} until interrupted, and records the interrupt and its context. */
    public static class Blocking implements SupervisedProcess {
        @PreDestroy
        void drain() {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                SEEN.put("interrupted", new Seen(Thread.currentThread().getName(), CONTEXT.get(),
                        Thread.currentThread().getContextClassLoader()));
            }
        }

        @Override
        public void run(ProcessContext ctx) {
        }
    }

    @BeforeEach
    void callersContextClassLoader() {
        SEEN.clear();
        previousLoader = Thread.currentThread().getContextClassLoader();
        callersLoader = new URLClassLoader(new URL[0], previousLoader);
        Thread.currentThread().setContextClassLoader(callersLoader); // the web application's, in a container
    }

    @AfterEach
    void restoreLoader() {
        Thread.currentThread().setContextClassLoader(previousLoader);
    }

    @Test
    void onAFullJakartaEeServerThePreDestroyMethodsRunInTheContextCapturedOnTheCallingThread() {
        List<ProcessFactory.Instance> instances = ProcessFactory.createAll(
                List.of(declaration("recording", Recording.class)), DESTROYER, Duration.ofSeconds(5), server());
        ProcessFactory.destroyAll(instances, DESTROYER, OwnedThreads.deadlineAfter(Duration.ofSeconds(5).toNanos()),
                server());
        assertThat(SEEN.get("Recording")).isEqualTo(new Seen(DESTROYER, "captured on "
                + Thread.currentThread().getName(), callersLoader));
    }

    @Test
    void afterAFailedStartTheProcessesAlreadyMadeAreDestroyedInTheCallersContextToo() {
        assertThatThrownBy(() -> ProcessFactory.createAll(List.of(declaration("recording", Recording.class),
                declaration("failing", FailingInit.class)), DESTROYER, Duration.ofSeconds(5), server()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no configuration");
        assertThat(SEEN.get("Recording")).isEqualTo(new Seen(DESTROYER, "captured on "
                + Thread.currentThread().getName(), callersLoader));
    }

    @Test
    void withoutAContextServiceTheyRunPlainlyWithTheCallersClassLoaderAndNothingIsLogged() {
        for (ExecutorLookup.Jndi tomcat : List.<ExecutorLookup.Jndi>of(
                name -> {
                    throw new NameNotFoundException("Name [" + name + "] is not bound in this Context");
                },
                name -> {
                    throw new NoInitialContextException("no JNDI");
                })) {
            SEEN.clear();
            try (CapturedLogs logs = CapturedLogs.attach()) {
                List<ProcessFactory.Instance> instances = ProcessFactory.createAll(
                        List.of(declaration("recording", Recording.class)), DESTROYER, Duration.ofSeconds(5), tomcat);
                ProcessFactory.destroyAll(instances, DESTROYER,
                        OwnedThreads.deadlineAfter(Duration.ofSeconds(5).toNanos()), tomcat);
                assertThat(SEEN.get("Recording")).isEqualTo(new Seen(DESTROYER, null, callersLoader));
                assertThat(logs.lines()).noneMatch(l -> l.level().isMoreSpecificThan(Level.INFO));
            }
        }
    }

    @Test
    void whenTheContainerRefusesToSetTheContextUpTheyRunWithoutItAndThisIsLogged() {
        ExecutorLookup.Jndi refusing = jndi(contextService(true));
        try (CapturedLogs logs = CapturedLogs.attach()) {
            List<ProcessFactory.Instance> instances = ProcessFactory.createAll(
                    List.of(declaration("recording", Recording.class)), DESTROYER, Duration.ofSeconds(5), refusing);
            ProcessFactory.destroyAll(instances, DESTROYER,
                    OwnedThreads.deadlineAfter(Duration.ofSeconds(5).toNanos()), refusing);
            assertThat(SEEN.get("Recording")).isEqualTo(new Seen(DESTROYER, null, callersLoader));
            assertThat(logs.at(Level.WARN)).singleElement().satisfies(l -> {
                assertThat(l.message()).isEqualTo("simplevisor: the container did not set up the application's "
                        + "context for the @PreDestroy methods; they run without it");
                assertThat(l.thrown()).hasMessage("Module simplevisor-test is disabled");
            });
        }
    }

    @Test
    void aBlockingPreDestroyInTheContextIsStillInterruptedAtTheDeadline() {
        List<ProcessFactory.Instance> instances = ProcessFactory.createAll(
                List.of(declaration("blocking", Blocking.class)), DESTROYER, Duration.ofSeconds(5), server());
        try (CapturedLogs logs = CapturedLogs.attach()) {
            long begun = System.nanoTime();
            ProcessFactory.destroyAll(instances, DESTROYER,
                    OwnedThreads.deadlineAfter(Duration.ofMillis(200).toNanos()), server());
            assertThat(Duration.ofNanos(System.nanoTime() - begun)).isLessThan(Duration.ofSeconds(5));
            assertThat(logs.at(Level.ERROR)).singleElement().extracting(CapturedLogs.Line::message).asString()
                    .isEqualTo("Process \"blocking\": @PreDestroy did not return within the shutdown timeout; the "
                            + "undeploy goes on without it");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> SEEN.containsKey("interrupted"));
        assertThat(SEEN.get("interrupted")).isEqualTo(new Seen(DESTROYER, "captured on "
                + Thread.currentThread().getName(), callersLoader));
    }

    // ---------------------------------------------------------------- helpers

    private static ProcessDeclaration declaration(String name, Class<? extends SupervisedProcess> type) {
        return new ProcessDeclaration(name, type, "test", RestartPolicy.NEVER, 0, Duration.ofSeconds(1), null, 0,
                Duration.ofSeconds(30), null, null, 0, List.of(), false, null);
    }

    /** A full Jakarta EE server's JNDI: binds a context service, and nothing else the test needs. */
    private static ExecutorLookup.Jndi server() {
        return jndi(contextService(false));
    }

    private static ExecutorLookup.Jndi jndi(ContextService contexts) {
        return name -> {
            if (name.equals(ExecutorLookup.DEFAULT_CONTEXT_SERVICE)) {
                return contexts;
            }
            throw new NameNotFoundException(name);
        };
    }

    /**
     * A context service whose contextual proxies run the task with {@link #CONTEXT} set to the thread the proxy was
     * made on, or, refusing, throw as Payara's does for an application it no longer counts as running.
     */
    private static ContextService contextService(boolean refusing) {
        return (ContextService) Proxy.newProxyInstance(PreDestroyContextTest.class.getClassLoader(),
                new Class<?>[] {ContextService.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("createContextualProxy") || args.length != 2
                            || args[1] != Runnable.class) {
                        throw new UnsupportedOperationException(method.toString());
                    }
                    Runnable task = (Runnable) args[0];
                    String captured = "captured on " + Thread.currentThread().getName();
                    return (Runnable) () -> {
                        if (refusing) {
                            throw new IllegalStateException("Module simplevisor-test is disabled");
                        }
                        CONTEXT.set(captured);
                        try {
                            task.run();
                        } finally {
                            CONTEXT.remove();
                        }
                    };
                });
    }
}
