package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.servlet.SupervisorContextListenerTest.initialize;
import static org.simplevisor.servlet.SupervisorContextListenerTest.params;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.servlet.ServletContextEvent;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessStatus;
import org.simplevisor.Supervisor;
import org.simplevisor.servlet.it.ItJournal;
import org.simplevisor.servlet.it.app.JournalingProcess;

/**
 * The {@code @PostConstruct} and {@code @PreDestroy} methods a deployment calls, and their order, as Jakarta
 * Annotations and Interceptors specify them: every one of the class and its superclasses, a superclass's first, but
 * one that a subclass overrides. Only a method that overrides by the Java language's rules hides another: a
 * package-private method is not overridden from another package.
 */
class LifecycleMethodsTest {

    /**
     * Its methods have the names of {@link JournalingProcess}'s package-private life-cycle methods, from another
     * package: they override nothing, and both run.
     */
    public static class OwnLifecycleInAnotherPackage extends JournalingProcess {
        @PostConstruct
        void constructed() {
            ItJournal.record("own postConstruct");
        }

        @PreDestroy
        void destroyed() {
            ItJournal.record("own preDestroy");
        }
    }

    /** Overrides {@link Base#opened()} and {@link Base#closed()}: only its own run. */
    public static class Overriding extends Base {
        @Override
        void opened() {
            ItJournal.record("overriding opened");
        }

        @Override
        @PreDestroy
        void closed() {
            ItJournal.record("overriding closed");
        }
    }

    public static class Base implements org.simplevisor.SupervisedProcess {
        @PostConstruct
        void opened() {
            ItJournal.record("base opened");
        }

        @PreDestroy
        void closed() {
            ItJournal.record("base closed");
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

    @Test
    void aPackagePrivateMethodIsNotOverriddenFromAnotherPackage() throws Exception {
        assertThat(deployAndUndeploy("/lifecycle-packages", OwnLifecycleInAnotherPackage.class))
                .containsExactly("postConstruct:OwnLifecycleInAnotherPackage", "own postConstruct",
                        "preDestroy:OwnLifecycleInAnotherPackage", "own preDestroy");
    }

    @Test
    void anOverriddenMethodIsNotCalledEvenWhenItsOverrideIsNotAnnotated() throws Exception {
        assertThat(deployAndUndeploy("/lifecycle-overriding", Overriding.class))
                .containsExactly("overriding closed");
    }

    /** {@return the journal's life-cycle entries of the process: deployed, running, then undeployed} */
    private static java.util.List<String> deployAndUndeploy(String contextPath, Class<?> type) throws Exception {
        FakeServletContext fake = FakeServletContext.create(contextPath, params(
                "simplevisor.process.p.class", type.getName(), "simplevisor.jmx.enabled", "false",
                "simplevisor.metrics", "none"));
        SupervisorContextListener listener = initialize(fake);
        ServletContextEvent event = new ServletContextEvent(fake.context());
        listener.contextInitialized(event);
        Supervisor supervisor = (Supervisor) fake.attributes.get(SupervisorContextListener.SUPERVISOR_ATTRIBUTE);
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.status("p") == ProcessStatus.RUNNING);
        listener.contextDestroyed(event);
        return ItJournal.entries().stream().filter(e -> !e.contains(":p")).toList();
    }
}
