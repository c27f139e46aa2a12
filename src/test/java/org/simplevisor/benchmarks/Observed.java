package org.simplevisor.benchmarks;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServer;
import org.simplevisor.Supervisor;
import org.simplevisor.jmx.SupervisorJmx;
import org.simplevisor.metrics.SupervisorMeterMBeans;
import org.simplevisor.metrics.SupervisorMetrics;

/**
 * A supervisor with the observers a deployment turns on: the meters, as the {@link SupervisorMeterMBeans} a servlet
 * container publishes by default or as Micrometer meters ({@link SupervisorMetrics}) in a {@link SimpleMeterRegistry}
 * (as in an application's own registry), and the MBeans and notifications of {@link SupervisorJmx}, all in the
 * platform MBean server. Logging is always on: the
 * supervisor installs its logging listener itself, and the benchmark JVMs log to {@code log4j2-benchmarks.xml}'s
 * appender.
 */
final class Observed implements AutoCloseable {

    /** Which observers to attach. */
    enum Observers {
        /** Logging only (the supervisor's own listener). */
        NONE(false, false, false),
        /** Meters in a {@link SimpleMeterRegistry} (no JMX publication of the meters). */
        METRICS_SIMPLE(true, false, false),
        /** Meters as {@link SupervisorMeterMBeans}: the container default. */
        METRICS(true, true, false),
        /** MBeans and notifications. */
        JMX(false, false, true),
        /** Meters in a {@link SimpleMeterRegistry} (as in an application's own registry), MBeans and notifications. */
        JMX_METRICS_SIMPLE(true, false, true),
        /** Meters as {@link SupervisorMeterMBeans}, MBeans and notifications: what a container turns on. */
        ALL(true, true, true);

        final boolean metrics;
        final boolean meterMBeans;
        final boolean jmx;

        Observers(boolean metrics, boolean meterMBeans, boolean jmx) {
            this.metrics = metrics;
            this.meterMBeans = meterMBeans;
            this.jmx = jmx;
        }

        /**
         * @param text {@code none}, {@code metrics-simple}, {@code metrics}, {@code jmx}, {@code jmx-metrics-simple},
         *             {@code all} or {@code jmx+metrics}
         */
        static Observers parse(String text) {
            String t = text.toLowerCase(Locale.ROOT);
            if (t.equals("jmx+metrics")) {
                return ALL;
            }
            return valueOf(t.replace('-', '_').toUpperCase(Locale.ROOT));
        }
    }

    /** The JMX domain of the benchmarks' MBeans, apart from any real application's. */
    static final String JMX_DOMAIN = "org.simplevisor.benchmarks";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    final Supervisor supervisor;
    final SimpleMeterRegistry registry;
    final SupervisorMetrics metrics;
    final SupervisorMeterMBeans meterMBeans;
    final SupervisorJmx jmx;
    final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    /**
     * Attaches the observers to a supervisor built by the caller (processes may be registered before or after).
     */
    Observed(Supervisor supervisor, Observers observers) {
        this.supervisor = supervisor;
        if (observers.metrics && observers.meterMBeans) {
            registry = null;
            metrics = null;
            meterMBeans = SupervisorMeterMBeans.register(supervisor, server, "metrics-" + supervisor.name(),
                    Map.of(SupervisorMetrics.TAG_CONTEXT, supervisor.name()));
        } else if (observers.metrics) {
            registry = new SimpleMeterRegistry();
            metrics = SupervisorMetrics.monitor(registry, supervisor, Tags.of(SupervisorMetrics.TAG_CONTEXT,
                    supervisor.name()));
            meterMBeans = null;
        } else {
            registry = null;
            metrics = null;
            meterMBeans = null;
        }
        jmx = observers.jmx ? SupervisorJmx.register(supervisor, server, JMX_DOMAIN, supervisor.name()) : null;
    }

    /** @return a supervisor name no other benchmark in this JVM uses (JMX names must be unique) */
    static String uniqueName(String prefix) {
        return prefix + "-" + SEQUENCE.incrementAndGet();
    }

    /** Shuts the supervisor down (which also unregisters the MBeans), then removes the meters. */
    @Override
    public void close() {
        supervisor.shutdown();
        if (jmx != null) {
            jmx.close();
        }
        if (meterMBeans != null) {
            meterMBeans.close();
        }
        if (metrics != null) {
            metrics.close();
            registry.close();
        }
    }
}
