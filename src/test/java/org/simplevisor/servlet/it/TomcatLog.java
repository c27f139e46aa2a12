package org.simplevisor.servlet.it;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what embedded Tomcat logs (java.util.logging under {@code org.apache.catalina}), as text: the message and
 * the chain of the thrown exception. Text only, so that no exception of a web application is kept.
 */
public final class TomcatLog extends Handler {

    /** Held strongly: java.util.logging keeps loggers weakly, and a collected logger loses its handler. */
    private static final Logger CATALINA = Logger.getLogger("org.apache.catalina");
    private static final TomcatLog INSTANCE = new TomcatLog();
    private final List<String> lines = new CopyOnWriteArrayList<>();

    static {
        INSTANCE.setLevel(Level.ALL);
        CATALINA.addHandler(INSTANCE);
    }

    private TomcatLog() {
    }

    /** Makes sure the handler is installed, and forgets what was logged so far. */
    public static void clear() {
        INSTANCE.lines.clear();
    }

    /** @return every captured record as {@code LEVEL logger: message | exception | cause ...} */
    public static List<String> lines() {
        return List.copyOf(INSTANCE.lines);
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() < Level.INFO.intValue()) {
            return;
        }
        StringBuilder line = new StringBuilder().append(record.getLevel()).append(' ')
                .append(record.getLoggerName()).append(": ").append(record.getMessage());
        for (Throwable t = record.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            line.append(" | ").append(t);
        }
        lines.add(line.toString());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
