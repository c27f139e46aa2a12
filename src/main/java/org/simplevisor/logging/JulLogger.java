package org.simplevisor.logging;

import java.util.logging.LogRecord;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.Marker;
import org.apache.logging.log4j.message.Message;
import org.apache.logging.log4j.message.MessageFactory;
import org.apache.logging.log4j.spi.AbstractLogger;
import org.apache.logging.log4j.util.StackLocatorUtil;

/**
 * A Log4j logger that hands each record to the {@code java.util.logging} logger of the same name, at the
 * matching level: FATAL and ERROR are SEVERE, WARN is WARNING, INFO is INFO, DEBUG is FINE, TRACE is FINER. The
 * record names the class and method that logged, as Log4j Core's location does.
 */
final class JulLogger extends AbstractLogger {

    private static final long serialVersionUID = 1L;

    private final transient java.util.logging.Logger jul;

    JulLogger(String name, MessageFactory messageFactory) {
        super(name, messageFactory);
        this.jul = java.util.logging.Logger.getLogger(name);
    }

    /** {@return the {@code java.util.logging} level of a Log4j level} */
    static java.util.logging.Level toJul(Level level) {
        int severity = level.intLevel();
        if (severity < Level.WARN.intLevel()) {
            return java.util.logging.Level.SEVERE;
        } else if (severity < Level.INFO.intLevel()) {
            return java.util.logging.Level.WARNING;
        } else if (severity < Level.DEBUG.intLevel()) {
            return java.util.logging.Level.INFO;
        } else if (severity < Level.TRACE.intLevel()) {
            return java.util.logging.Level.FINE;
        }
        return severity == Level.TRACE.intLevel() ? java.util.logging.Level.FINER : java.util.logging.Level.FINEST;
    }

    @Override
    public Level getLevel() {
        java.util.logging.Logger logger = jul;
        while (logger.getLevel() == null && logger.getParent() != null) {
            logger = logger.getParent();
        }
        java.util.logging.Level level = logger.getLevel();
        int value = level == null ? java.util.logging.Level.INFO.intValue() : level.intValue();
        if (value == java.util.logging.Level.OFF.intValue()) {
            return Level.OFF;
        } else if (value >= java.util.logging.Level.SEVERE.intValue()) {
            return Level.ERROR;
        } else if (value >= java.util.logging.Level.WARNING.intValue()) {
            return Level.WARN;
        } else if (value >= java.util.logging.Level.CONFIG.intValue()) {
            return Level.INFO;
        } else if (value >= java.util.logging.Level.FINE.intValue()) {
            return Level.DEBUG;
        }
        return Level.TRACE;
    }

    private boolean isEnabledFor(Level level) {
        return jul.isLoggable(toJul(level));
    }

    @Override
    public void logMessage(String fqcn, Level level, Marker marker, Message message, Throwable t) {
        LogRecord record = new LogRecord(toJul(level), message.getFormattedMessage());
        record.setLoggerName(getName());
        record.setThrown(t != null ? t : message.getThrowable());
        StackTraceElement caller = StackLocatorUtil.calcLocation(fqcn);
        record.setSourceClassName(caller != null ? caller.getClassName() : getName());
        record.setSourceMethodName(caller != null ? caller.getMethodName() : null);
        jul.log(record);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, Message message, Throwable t) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, CharSequence message, Throwable t) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, Object message, Throwable t) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, String message, Throwable t) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, String message) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, String message, Object... params) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, String message, Object p0) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, String message, Object p0, Object p1) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, String message, Object p0, Object p1, Object p2) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, String message, Object p0, Object p1, Object p2, Object p3) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, String message, Object p0, Object p1, Object p2, Object p3,
            Object p4) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, String message, Object p0, Object p1, Object p2, Object p3,
            Object p4, Object p5) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, String message, Object p0, Object p1, Object p2, Object p3,
            Object p4, Object p5, Object p6) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, String message, Object p0, Object p1, Object p2, Object p3,
            Object p4, Object p5, Object p6, Object p7) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, String message, Object p0, Object p1, Object p2, Object p3,
            Object p4, Object p5, Object p6, Object p7, Object p8) {
        return isEnabledFor(level);
    }

    @Override
    public boolean isEnabled(Level level, Marker marker, String message, Object p0, Object p1, Object p2, Object p3,
            Object p4, Object p5, Object p6, Object p7, Object p8, Object p9) {
        return isEnabledFor(level);
    }
}
