package org.simplevisor.logging;

import java.net.URI;
import org.apache.logging.log4j.spi.LoggerContext;
import org.apache.logging.log4j.spi.LoggerContextFactory;

/**
 * One logger context for everything: {@code java.util.logging} has its own notion of which logger belongs where
 * (Tomcat's JULI keeps one configuration per web application class loader), so nothing is kept per class loader
 * here. Instantiated by Log4j through {@link JulProvider}.
 */
public final class JulLoggerContextFactory implements LoggerContextFactory {

    private final JulLoggerContext context = new JulLoggerContext();

    /** Called by Log4j. */
    public JulLoggerContextFactory() {
    }

    @Override
    public LoggerContext getContext(String fqcn, ClassLoader loader, Object externalContext,
            boolean currentContext) {
        return context;
    }

    @Override
    public LoggerContext getContext(String fqcn, ClassLoader loader, Object externalContext, boolean currentContext,
            URI configLocation, String name) {
        return context;
    }

    @Override
    public void removeContext(LoggerContext removed) {
        // the one context lives as long as this factory
    }

    @Override
    public boolean isClassLoaderDependent() {
        return false;
    }
}
