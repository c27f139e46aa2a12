package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ServletException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.simplevisor.servlet.unloadable.MethodOfMissingType;
import org.simplevisor.servlet.unloadable.NoRestartOnMissing;
import org.simplevisor.servlet.unloadable.WithoutMissingClasses;

/**
 * A process class that refers to a class the web application lacks (a library left out of WEB-INF/lib) is an invalid
 * configuration like a class not found: the deployment fails with the initializer's ServletException, whose message
 * names the class and where it was declared (README, "In a servlet container"), not with a bare
 * TypeNotPresentException or NoClassDefFoundError that names neither.
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
}
