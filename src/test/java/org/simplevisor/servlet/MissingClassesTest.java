package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ServletException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.simplevisor.servlet.unloadable.MethodOfMissingType;
import org.simplevisor.servlet.unloadable.MissingEnclosing;
import org.simplevisor.servlet.unloadable.NoRestartOnMissing;
import org.simplevisor.servlet.unloadable.WithoutMissingClasses;

/**
 * A process class that refers to a class the web application lacks (a library left out of WEB-INF/lib) is an invalid
 * configuration like a class not found: the deployment fails with the initializer's ServletException, whose message
 * names the class and where it was declared (README, "In a servlet container"), not with a bare
 * TypeNotPresentException or NoClassDefFoundError that names neither. Any other failure while the configuration is
 * read fails it the same way, naming the web application.
 */
class MissingClassesTest {

    @Test
    void anAnnotatedNoRestartOnOfAMissingClassIsReportedAsInvalidConfiguration() throws Exception {
        ClassLoader loader = new WithoutMissingClasses();
        Class<?> annotated = loader.loadClass(NoRestartOnMissing.class.getName());
        FakeServletContext fake = FakeServletContext.create("/missing", Map.of(), loader);

        assertThatThrownBy(() -> new SupervisorInitializer().onStartup(Set.of(annotated), fake.context()))
                .isInstanceOf(ServletException.class)
                .hasCauseInstanceOf(ConfigurationException.class)
                .hasMessageContaining("@Supervised class " + NoRestartOnMissing.class.getName())
                .hasMessageContaining("noRestartOn");
    }

    @Test
    void aProcessClassWithAMethodOfAMissingTypeIsReportedAsInvalidConfiguration() throws Exception {
        ClassLoader loader = new WithoutMissingClasses();
        FakeServletContext fake = FakeServletContext.create("/missing",
                Map.of("simplevisor.process.reporter.class", MethodOfMissingType.class.getName()), loader);

        assertThatThrownBy(() -> new SupervisorInitializer().onStartup(Set.of(), fake.context()))
                .isInstanceOf(ServletException.class)
                .hasCauseInstanceOf(ConfigurationException.class)
                .hasMessageContaining("context parameter simplevisor.process.reporter.class = \""
                        + MethodOfMissingType.class.getName() + "\"");
    }

    @Test
    void aProcessClassNestedInAMissingClassIsReportedAsInvalidConfiguration() throws Exception {
        ClassLoader loader = new WithoutMissingClasses();
        String type = MissingEnclosing.Declared.class.getName();
        FakeServletContext fake = FakeServletContext.create("/missing",
                Map.of("simplevisor.process.nested.class", type), loader);

        assertThatThrownBy(() -> new SupervisorInitializer().onStartup(Set.of(), fake.context()))
                .isInstanceOf(ServletException.class)
                .hasCauseInstanceOf(ConfigurationException.class)
                .hasMessageContaining("context parameter simplevisor.process.nested.class = \"" + type + "\": "
                        + type + " cannot be loaded: java.lang.NoClassDefFoundError");
    }

    @Test
    void anAnnotatedClassNestedInAMissingClassIsReportedAsInvalidConfiguration() throws Exception {
        ClassLoader loader = new WithoutMissingClasses();
        String type = MissingEnclosing.Annotated.class.getName();
        Class<?> annotated = loader.loadClass(type);
        FakeServletContext fake = FakeServletContext.create("/missing", Map.of(), loader);

        assertThatThrownBy(() -> new SupervisorInitializer().onStartup(Set.of(annotated), fake.context()))
                .isInstanceOf(ServletException.class)
                .hasCauseInstanceOf(ConfigurationException.class)
                .hasMessageContaining("@Supervised class " + type + ": " + type
                        + " cannot be loaded: java.lang.NoClassDefFoundError");
    }

    @Test
    void aFailureTheConfigurationDoesNotCheckForNamesTheWebApplication() {
        ClassLoader stopped = new ClassLoader(null) { // as a container's, used after the application stopped
            @Override
            protected Class<?> loadClass(String name, boolean resolve) {
                throw new IllegalStateException("this web application instance has been stopped already");
            }
        };
        FakeServletContext fake = FakeServletContext.create("/stopped",
                Map.of("simplevisor.process.relay.class", "com.example.Relay"), stopped);

        assertThatThrownBy(() -> new SupervisorInitializer().onStartup(Set.of(), fake.context()))
                .isInstanceOf(ServletException.class)
                .hasCauseInstanceOf(ConfigurationException.class)
                .hasMessage("Invalid simplevisor configuration: web application /stopped: the configuration cannot "
                        + "be read: java.lang.IllegalStateException: this web application instance has been stopped "
                        + "already")
                .hasRootCauseInstanceOf(IllegalStateException.class);
    }
}
