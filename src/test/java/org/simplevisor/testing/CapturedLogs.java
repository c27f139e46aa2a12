package org.simplevisor.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** Captures what the supervisor logs, for assertions; attach in a test, detach with {@link #close()}. */
public final class CapturedLogs extends AbstractAppender implements AutoCloseable {

    /** One captured line: level, message, process key from the ThreadContext, and the throwable if any. */
    public record Line(Level level, String message, String process, Throwable thrown) {
    }

    private final List<Line> lines = new ArrayList<>();
    /** What to run, once, on the logging thread when a line containing {@link #hookOn} is logged. */
    private String hookOn;
    private Runnable hook;

    private CapturedLogs() {
        super("captured-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
    }

    public static CapturedLogs attach() {
        CapturedLogs appender = new CapturedLogs();
        appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        LoggerConfig logger = config.getLoggerConfig("org.simplevisor");
        logger.addAppender(appender, Level.ALL, null);
        context.updateLoggers();
        return appender;
    }

    /**
     * Runs {@code action} on the logging thread, once, when a line containing {@code messagePart} is logged: a test
     * steps in between what the supervisor does before that line and what it does after it.
     */
    public synchronized void onFirst(String messagePart, Runnable action) {
        hook = action;
        hookOn = messagePart;
    }

    @Override
    public void append(LogEvent event) {
        String message = event.getMessage().getFormattedMessage();
        Runnable action = null;
        synchronized (this) {
            lines.add(new Line(event.getLevel(), message, event.getContextData().getValue("process"),
                    event.getThrown()));
            if (hook != null && message.contains(hookOn)) {
                action = hook;
                hook = null;
            }
        }
        if (action != null) {
            action.run(); // outside the lock: the action may log
        }
    }

    public synchronized List<Line> lines() {
        return List.copyOf(lines);
    }

    public List<Line> at(Level level) {
        return lines().stream().filter(l -> l.level() == level).collect(Collectors.toList());
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getLoggerConfig("org.simplevisor").removeAppender(getName());
        context.updateLoggers();
        stop();
    }
}
