package org.simplevisor.logging;

import org.apache.logging.log4j.message.MessageFactory;
import org.apache.logging.log4j.spi.ExtendedLogger;
import org.apache.logging.log4j.spi.LoggerContext;
import org.apache.logging.log4j.spi.LoggerRegistry;

/** The loggers handed out so far, by name and message factory. */
final class JulLoggerContext implements LoggerContext {

    private final LoggerRegistry<ExtendedLogger> registry = new LoggerRegistry<>();

    @Override
    public Object getExternalContext() {
        return null;
    }

    @Override
    public ExtendedLogger getLogger(String name) {
        return getLogger(name, null);
    }

    @Override
    public ExtendedLogger getLogger(String name, MessageFactory messageFactory) {
        ExtendedLogger logger = registry.getLogger(name, messageFactory);
        if (logger == null) {
            registry.putIfAbsent(name, messageFactory, new JulLogger(name, messageFactory));
            logger = registry.getLogger(name, messageFactory);
        }
        return logger;
    }

    @Override
    public boolean hasLogger(String name) {
        return registry.hasLogger(name);
    }

    @Override
    public boolean hasLogger(String name, MessageFactory messageFactory) {
        return registry.hasLogger(name, messageFactory);
    }

    @Override
    public boolean hasLogger(String name, Class<? extends MessageFactory> messageFactoryClass) {
        return registry.hasLogger(name, messageFactoryClass);
    }
}
