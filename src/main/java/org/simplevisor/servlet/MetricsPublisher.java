package org.simplevisor.servlet;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.simplevisor.Supervisor;
import org.simplevisor.metrics.SupervisorMeterMBeans;
import org.simplevisor.metrics.SupervisorMetrics;

/**
 * The meters of one web application: where they go, and their removal on destroy. An application's own registry
 * (context attribute {@code org.simplevisor.MeterRegistry}) comes first; else {@code simplevisor.metrics} decides:
 * {@code jmx} (the {@link SupervisorMeterMBeans} in the platform MBean server), {@code global}
 * ({@link Metrics#globalRegistry}) or {@code none}.
 */
final class MetricsPublisher implements AutoCloseable {

    /** The JMX domain of the meters' MBeans unless {@code simplevisor.jmx.domain} is given. */
    static final String DEFAULT_METRICS_DOMAIN = "metrics";

    private final @Nullable AutoCloseable meters; // null: no meters

    private MetricsPublisher(@Nullable AutoCloseable meters) {
        this.meters = meters;
    }

    /**
     * {@return the published meters; {@link #close()} removes them}
     *
     * @param supervisor     the supervisor to observe
     * @param configuration  the web application's configuration
     * @param appRegistry    the application's registry, or {@code null}
     * @param contextPath    the value of the common tag {@code context}
     */
    static MetricsPublisher publish(Supervisor supervisor, ServletConfiguration configuration,
                                    @Nullable MeterRegistry appRegistry, String contextPath) {
        if (appRegistry == null && configuration.metrics == ServletConfiguration.Metrics.NONE) {
            return new MetricsPublisher(null);
        }
        if (appRegistry == null && configuration.metrics == ServletConfiguration.Metrics.JMX) {
            String domain = configuration.jmxDomainSet ? configuration.jmxDomain : DEFAULT_METRICS_DOMAIN;
            return new MetricsPublisher(SupervisorMeterMBeans.register(supervisor,
                    ManagementFactory.getPlatformMBeanServer(), domain,
                    Map.of(SupervisorMetrics.TAG_CONTEXT, contextPath)));
        }
        MeterRegistry registry = appRegistry != null ? appRegistry : Metrics.globalRegistry;
        return new MetricsPublisher(SupervisorMetrics.monitor(registry, supervisor,
                Tags.of(SupervisorMetrics.TAG_CONTEXT, contextPath)));
    }

    /** {@return whether meters are recorded} */
    boolean active() {
        return meters != null;
    }

    /** Removes every meter. */
    @Override
    public void close() throws Exception {
        if (meters != null) {
            meters.close();
        }
    }
}
