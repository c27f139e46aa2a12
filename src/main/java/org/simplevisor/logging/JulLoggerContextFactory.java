package org.simplevisor.logging;

import java.net.URI;
import org.apache.logging.log4j.spi.LoggerContext;
import org.apache.logging.log4j.spi.LoggerContextFactory;

/**
 * The logger context factory of {@link JulProvider}, with one logger context for everything: {@code java.util.logging}
 * has its own notion of which logger belongs where (Tomcat's JULI keeps one configuration per web application class
 * loader), so nothing is kept per class loader here. Instantiated by Log4j through {@link JulProvider}.
 */
public final class JulLoggerContextFactory implements LoggerContextFactory {

    private final JulLoggerContext context = new JulLoggerContext();

    /** Creates the factory; called by Log4j. */
    public JulLoggerContextFactory() {
    }

    /**
     * {@return the one logger context, whatever the caller}
     *
     * @param fqcn            the fully qualified class name Log4j gives for the caller, ignored
     * @param loader          the caller's class loader, ignored
     * @param externalContext an external context, ignored
     * @param currentContext  whether the context of the current thread is asked for, ignored
     */
    @Override
    public LoggerContext getContext(String fqcn, ClassLoader loader, Object externalContext,
            boolean currentContext) {
        return context;
    }

    /**
     * {@return the one logger context, whatever the caller; a configuration location and name are ignored}
     *
     * @param fqcn            the fully qualified class name Log4j gives for the caller, ignored
     * @param loader          the caller's class loader, ignored
     * @param externalContext an external context, ignored
     * @param currentContext  whether the context of the current thread is asked for, ignored
     * @param configLocation  a configuration location, ignored: {@code java.util.logging} is configured by the server
     * @param name            a context name, ignored
     */
    @Override
    public LoggerContext getContext(String fqcn, ClassLoader loader, Object externalContext, boolean currentContext,
            URI configLocation, String name) {
        return context;
    }

    /**
     * Does nothing: the one context lives as long as this factory.
     *
     * @param removed a context Log4j no longer uses
     */
    @Override
    public void removeContext(LoggerContext removed) {
        // the one context lives as long as this factory
    }

    /** {@return {@code false}: the context does not depend on the caller's class loader} */
    @Override
    public boolean isClassLoaderDependent() {
        return false;
    }
}
