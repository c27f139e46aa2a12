package org.simplevisor.servlet;

import jakarta.enterprise.concurrent.ManagedExecutorService;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Finds the container's {@link ManagedExecutorService}: the JNDI name of {@code simplevisor.executor}, else
 * {@value #DEFAULT_EXECUTOR} when the container binds one. No result means the listener creates its own.
 */
final class ExecutorLookup {

    /** The Jakarta EE default executor. */
    static final String DEFAULT_EXECUTOR = "java:comp/DefaultManagedExecutorService";
    /** Where a name without a {@code java:} scheme is looked up. */
    static final String ENVIRONMENT = "java:comp/env/";

    private static final Logger LOG = LogManager.getLogger(ExecutorLookup.class);

    /** A JNDI look-up; {@link InitialContext#doLookup(String)} in a container. */
    @FunctionalInterface
    interface Jndi {
        Object lookup(String name) throws NamingException;
    }

    private ExecutorLookup() {
    }

    /** @return the full JNDI name of a configured one: {@code java:comp/env/} is added to a name without scheme */
    static String jndiName(String configured) {
        return configured.startsWith("java:") ? configured : ENVIRONMENT + configured;
    }

    /**
     * {@return what is bound under the JNDI name a context parameter gives}
     *
     * @param parameter  the context parameter
     * @param configured its value: a JNDI name, under {@code java:comp/env/} unless it has a {@code java:} scheme
     * @param type       what must be bound there
     * @param jndi       the look-up
     * @throws ConfigurationException naming the parameter and its value if nothing, or something else, is bound
     */
    static <T> T bound(String parameter, String configured, Class<T> type, Jndi jndi) {
        String name = jndiName(configured);
        Object found;
        try {
            found = jndi.lookup(name);
        } catch (NamingException | RuntimeException e) {
            throw new ConfigurationException(ServletConfiguration.describe(parameter, configured)
                    + ": nothing is bound under " + name + " (" + e + ")", e);
        }
        if (!type.isInstance(found)) {
            throw new ConfigurationException(ServletConfiguration.describe(parameter, configured) + ": " + name
                    + " is " + (found == null ? "null" : "a " + found.getClass().getName()) + ", not a "
                    + type.getName(), null);
        }
        return type.cast(found);
    }

    /**
     * @param configured the value of {@code simplevisor.executor}, or {@code null}
     * @param jndi       the look-up
     * @return the container's executor, or {@code null} when there is none and none is configured
     * @throws ConfigurationException if a configured name is not bound to a {@link ManagedExecutorService}
     */
    static ManagedExecutorService find(String configured, Jndi jndi) {
        if (configured != null) {
            return bound(ServletConfiguration.EXECUTOR, configured, ManagedExecutorService.class, jndi);
        }
        Object found;
        try {
            found = jndi.lookup(DEFAULT_EXECUTOR);
        } catch (NamingException | RuntimeException e) {
            LOG.debug("No {} ({})", DEFAULT_EXECUTOR, e.toString());
            return null;
        }
        if (found instanceof ManagedExecutorService) {
            return (ManagedExecutorService) found;
        }
        if (found != null) {
            LOG.warn("{} is a {}, not a ManagedExecutorService; using an executor of simplevisor's own",
                    DEFAULT_EXECUTOR, found.getClass().getName());
        }
        return null;
    }
}
