package org.simplevisor.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.Test;
import org.simplevisor.Supervisor;

/**
 * The library with log4j-api and no backend, as in a web application that brings none: its records go to
 * {@code java.util.logging} at their levels. With log4j-core beside it, Log4j Core is used. Each case loads Log4j
 * afresh in a class loader of its own, whose parent has only the JDK.
 */
class JulProviderTest {

    private static final String LOGGER = "org.simplevisor.Supervisor";

    @Test
    void withoutABackendRecordsGoToJavaUtilLoggingAtTheirLevels() throws Exception {
        Logger jul = Logger.getLogger(LOGGER);
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level previous = jul.getLevel();
        jul.setLevel(Level.INFO);
        jul.addHandler(handler);
        try (URLClassLoader application = isolated(jarOf(LogManager.class), jarOf(Supervisor.class))) {
            Class<?> logManager = application.loadClass(LogManager.class.getName());
            assertThat(logManager.getMethod("getFactory").invoke(null).getClass().getName())
                    .isEqualTo(JulLoggerContextFactory.class.getName());
            Object log4j = logManager.getMethod("getLogger", String.class).invoke(null, LOGGER);
            Class<?> api = application.loadClass(org.apache.logging.log4j.Logger.class.getName());
            Method info = api.getMethod("info", String.class, Object.class);
            Method warn = api.getMethod("warn", String.class, Object.class, Object.class);
            Method error = api.getMethod("error", String.class, Object.class);
            Method debug = api.getMethod("debug", String.class, Object.class);
            IllegalStateException failure = new IllegalStateException("HTTP 401");

            info.invoke(log4j, "Process \"{}\" started", "ticker");
            warn.invoke(log4j, "Process \"{}\" failed; restarting", "poller", failure);
            error.invoke(log4j, "Process \"{}\" exceeded its restart limit", "gateway");
            debug.invoke(log4j, "Beat {}", 1);

            assertThat(records).extracting(LogRecord::getLevel, LogRecord::getMessage, LogRecord::getLoggerName)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(Level.INFO, "Process \"ticker\" started", LOGGER),
                            org.assertj.core.groups.Tuple.tuple(Level.WARNING, "Process \"poller\" failed; restarting",
                                    LOGGER),
                            org.assertj.core.groups.Tuple.tuple(Level.SEVERE,
                                    "Process \"gateway\" exceeded its restart limit", LOGGER));
            assertThat(records.get(1).getThrown()).isSameAs(failure);
            assertThat((Boolean) api.getMethod("isDebugEnabled").invoke(log4j)).isFalse();
            jul.setLevel(Level.FINE);
            assertThat((Boolean) api.getMethod("isDebugEnabled").invoke(log4j)).isTrue();
        } finally {
            jul.removeHandler(handler);
            jul.setLevel(previous);
        }
    }

    @Test
    void anApplicationsLog4jCoreIsUsed() throws Exception {
        try (URLClassLoader application = isolated(jarOf(LogManager.class),
                jarOf(org.apache.logging.log4j.core.LoggerContext.class), jarOf(Supervisor.class))) {
            Class<?> logManager = application.loadClass(LogManager.class.getName());
            assertThat(logManager.getMethod("getFactory").invoke(null).getClass().getName())
                    .isEqualTo("org.apache.logging.log4j.core.impl.Log4jContextFactory");
        }
    }

    @Test
    void levelsMapAsJavaUtilLoggingNamesThem() {
        assertThat(JulLogger.toJul(org.apache.logging.log4j.Level.FATAL)).isEqualTo(Level.SEVERE);
        assertThat(JulLogger.toJul(org.apache.logging.log4j.Level.ERROR)).isEqualTo(Level.SEVERE);
        assertThat(JulLogger.toJul(org.apache.logging.log4j.Level.WARN)).isEqualTo(Level.WARNING);
        assertThat(JulLogger.toJul(org.apache.logging.log4j.Level.INFO)).isEqualTo(Level.INFO);
        assertThat(JulLogger.toJul(org.apache.logging.log4j.Level.DEBUG)).isEqualTo(Level.FINE);
        assertThat(JulLogger.toJul(org.apache.logging.log4j.Level.TRACE)).isEqualTo(Level.FINER);
    }

    private static URL jarOf(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }

    private static URLClassLoader isolated(URL... classPath) {
        return new URLClassLoader("application", classPath, ClassLoader.getPlatformClassLoader());
    }
}
