package org.simplevisor.servlet;

import jakarta.enterprise.concurrent.ContextService;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Finds the container's {@link ManagedExecutorService}: the JNDI name of {@code simplevisor.executor}, else
 * {@value #DEFAULT_EXECUTOR} when the container binds one. No result means the listener creates its own. Also finds
 * the container's other Jakarta Concurrency defaults the integration uses, {@value #DEFAULT_THREAD_FACTORY} and
 * {@value #DEFAULT_CONTEXT_SERVICE}, which only a full Jakarta EE server binds.
 */
final class ExecutorLookup {

    /** The Jakarta EE default executor. */
    static final String DEFAULT_EXECUTOR = "java:comp/DefaultManagedExecutorService";
    /** The Jakarta EE default thread factory. */
    static final String DEFAULT_THREAD_FACTORY = "java:comp/DefaultManagedThreadFactory";
    /** The Jakarta EE default context service. */
    static final String DEFAULT_CONTEXT_SERVICE = "java:comp/DefaultContextService";
    /** Where a name without a {@code java:} scheme is looked up. */
    static final String ENVIRONMENT = "java:comp/env/";

    private static final Logger LOG = LogManager.getLogger(ExecutorLookup.class);

    /** A JNDI look-up; {@link InitialContext#doLookup(String)} in a container. */
    @FunctionalInterface
    interface Jndi {
        @Nullable Object lookup(String name) throws NamingException;
    }

    /** A container's executor and the JNDI name it was found under. */
    static final class Found {
        final ManagedExecutorService executor;
        final String jndiName;

        Found(ManagedExecutorService executor, String jndiName) {
            this.executor = executor;
            this.jndiName = jndiName;
        }
    }

    private ExecutorLookup() {
    }

    /** {@return the full JNDI name of a configured one: {@code java:comp/env/} is added to a name without scheme} */
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
     * {@return the container's executor, or {@code null} when there is none and none is configured}
     *
     * @param configured the value of {@code simplevisor.executor}, or {@code null}
     * @param jndi       the look-up
     * @throws ConfigurationException if a configured name is not bound to a {@link ManagedExecutorService}
     */
    static @Nullable Found find(@Nullable String configured, Jndi jndi) {
        if (configured != null) {
            String name = jndiName(configured);
            ManagedExecutorService found = bound(ServletConfiguration.EXECUTOR, configured,
                    ManagedExecutorService.class, jndi);
            warnIfNotWhatWasNamed(configured, name, found, jndi);
            return new Found(found, name);
        }
        Object found = lookupQuietly(DEFAULT_EXECUTOR, jndi);
        if (found instanceof ManagedExecutorService) {
            return new Found((ManagedExecutorService) found, DEFAULT_EXECUTOR);
        }
        if (found != null) {
            LOG.warn("{} is a {}, not a ManagedExecutorService; using an executor of simplevisor's own",
                    DEFAULT_EXECUTOR, found.getClass().getName());
        }
        return null;
    }

    /**
     * Warns when a configured name resolves to another executor than the one it names. A {@code resource-env-ref}
     * without a {@code lookup-name} is bound by a full Jakarta EE server to its default executor, even when the
     * server has an executor of the reference's own name: runs would silently share the default executor.
     */
    private static void warnIfNotWhatWasNamed(String configured, String name, Object found, Jndi jndi) {
        boolean isDefault = !name.equals(DEFAULT_EXECUTOR) && found == lookupQuietly(DEFAULT_EXECUTOR, jndi);
        // The server's executor a reference of that name refers to by convention: the name without java:comp/env/.
        String serverName = name.startsWith(ENVIRONMENT) ? name.substring(ENVIRONMENT.length()) : null;
        Object server = serverName == null ? null : lookupQuietly(serverName, jndi);
        boolean notTheServers = server instanceof ManagedExecutorService && server != found;
        String setting = ServletConfiguration.describe(ServletConfiguration.EXECUTOR, configured);
        if (isDefault && notTheServers) {
            LOG.warn("simplevisor: {}: {} is the container's default executor {}, not the server's executor {}: "
                    + "runs go to the default one. Add <lookup-name>{}</lookup-name> to its resource-env-ref",
                    setting, name, DEFAULT_EXECUTOR, serverName, serverName);
        } else if (isDefault) {
            LOG.warn("simplevisor: {}: {} is the container's default executor {}; if another was meant, name it "
                    + "in the lookup-name of its resource-env-ref", setting, name, DEFAULT_EXECUTOR);
        } else if (notTheServers) {
            LOG.warn("simplevisor: {}: {} is not the server's executor {}; if that one was meant, add "
                    + "<lookup-name>{}</lookup-name> to its resource-env-ref", setting, name, serverName, serverName);
        }
    }

    /**
     * @param jndi the look-up
     * @return the container's {@value #DEFAULT_THREAD_FACTORY}, or {@code null} when it binds none (Tomcat)
     */
    static ManagedThreadFactory defaultThreadFactory(Jndi jndi) {
        Object found = lookupQuietly(DEFAULT_THREAD_FACTORY, jndi);
        return found instanceof ManagedThreadFactory ? (ManagedThreadFactory) found : null;
    }

    /**
     * @param jndi the look-up
     * @return the container's {@value #DEFAULT_CONTEXT_SERVICE}, or {@code null} when it binds none (Tomcat)
     */
    static @Nullable ContextService defaultContextService(Jndi jndi) {
        Object found = lookupQuietly(DEFAULT_CONTEXT_SERVICE, jndi);
        return found instanceof ContextService ? (ContextService) found : null;
    }

    /** @return what is bound under the name, or {@code null} when nothing is (or JNDI is not there) */
    private static Object lookupQuietly(String name, Jndi jndi) {
        try {
            return jndi.lookup(name);
        } catch (NamingException | RuntimeException e) {
            LOG.debug("No {} ({})", name, e.toString());
            return null;
        }
    }
}
