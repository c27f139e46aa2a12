package org.simplevisor.servlet;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.HandlesTypes;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;
import org.simplevisor.Supervised;

/**
 * The entry point in a servlet container, registered in {@code META-INF/services}: the container calls it with
 * every {@link Supervised @Supervised} class of the web application (in {@code WEB-INF/classes} and the JARs of
 * {@code WEB-INF/lib}). It reads and validates the whole configuration, and adds a
 * {@link SupervisorContextListener} that runs the supervisor. Dropping the simplevisor JAR into
 * {@code WEB-INF/lib} is all it takes; the context parameter {@code simplevisor.enabled=false} turns it off.
 *
 * <p>An invalid configuration fails the deployment here, before any listener of the application starts, with a
 * {@link ConfigurationException} that names each offending context parameter or annotated class and its value.
 */
@HandlesTypes(Supervised.class)
public final class SupervisorInitializer implements ServletContainerInitializer {

    private static final Logger LOG = LogManager.getLogger(SupervisorInitializer.class);

    /** Creates the initializer; called by the container, not meant for applications. */
    public SupervisorInitializer() {
    }

    /**
     * Reads the configuration and adds the listener.
     *
     * @param annotated the web application's {@code @Supervised} classes, or {@code null} if it has none
     * @param context   the web application
     * @throws ServletException caused by a {@link ConfigurationException} if the configuration is invalid or cannot
     *                          be read
     */
    @Override
    public void onStartup(@Nullable Set<Class<?>> annotated, ServletContext context) throws ServletException {
        String contextName = SupervisorContextListener.contextName(context);
        ServletConfiguration configuration;
        try {
            configuration = ServletConfiguration.read(context, annotated);
        } catch (ConfigurationException e) {
            throw cannotStart(contextName, e);
        } catch (RuntimeException | LinkageError e) { // none of the problems it checks for: say whose it is
            throw cannotStart(contextName, new ConfigurationException("web application " + contextName
                    + ": the configuration cannot be read: " + e, e));
        }
        if (!configuration.enabled) {
            LOG.info("simplevisor: turned off for web application {} ({}=false)", contextName,
                    ServletConfiguration.ENABLED);
            return;
        }
        context.addListener(new SupervisorContextListener(configuration, contextName));
    }

    private static ServletException cannotStart(String contextName, ConfigurationException e) {
        // The stack trace of an unexpected failure (the cause) is logged; a problem found is its message alone.
        LOG.error("simplevisor: web application {} cannot start: {}", contextName, e.getMessage(), e.getCause());
        return new ServletException(e.getMessage(), e);
    }
}
