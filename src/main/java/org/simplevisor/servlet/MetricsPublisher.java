package org.simplevisor.servlet;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import org.jspecify.annotations.Nullable;
import org.simplevisor.Supervisor;
import org.simplevisor.metrics.SupervisorMetrics;
import org.simplevisor.metrics.TaggedJmxNames;

/**
 * The Micrometer side of one web application: which registry the meters go to, and their removal on destroy.
 * An application's own registry (context attribute {@code org.simplevisor.MeterRegistry}) comes first; else
 * {@code simplevisor.metrics} decides: {@code jmx} (a {@link JmxMeterRegistry} owned by the listener, its MBeans named
 * by {@link TaggedJmxNames}), {@code global}
 * ({@link Metrics#globalRegistry}) or {@code none}.
 */
final class MetricsPublisher implements AutoCloseable {

    /** The JMX domain of the owned registry unless {@code simplevisor.jmx.domain} is given: Micrometer's default. */
    static final String DEFAULT_METRICS_DOMAIN = "metrics";

    private final @Nullable SupervisorMetrics metrics;  // null: no meters
    private final @Nullable MeterRegistry ownedRegistry; // null: the registry is not the listener's own

    private MetricsPublisher(@Nullable SupervisorMetrics metrics, @Nullable MeterRegistry ownedRegistry) {
        this.metrics = metrics;
        this.ownedRegistry = ownedRegistry;
    }

    /**
     * {@return the bound metrics; {@link #close()} removes them}
     *
     * @param supervisor     the supervisor to observe
     * @param configuration  the web application's configuration
     * @param appRegistry    the application's registry, or {@code null}
     * @param contextPath    the value of the common tag {@code context}
     */
    static MetricsPublisher publish(Supervisor supervisor, ServletConfiguration configuration,
                                    @Nullable MeterRegistry appRegistry, String contextPath) {
        MeterRegistry registry = appRegistry;
        MeterRegistry owned = null;
        if (registry == null) {
            switch (configuration.metrics()) {
                case NONE:
                    return new MetricsPublisher(null, null);
                case GLOBAL:
                    registry = Metrics.globalRegistry;
                    break;
                default:
                    String domain = configuration.jmxDomainSet() ? configuration.jmxDomain() : DEFAULT_METRICS_DOMAIN;
                    owned = TaggedJmxNames.registry(new DomainConfig(domain), Clock.SYSTEM);
                    registry = owned;
            }
        }
        try {
            SupervisorMetrics metrics = SupervisorMetrics.monitor(registry, supervisor,
                    Tags.of(SupervisorMetrics.TAG_CONTEXT, contextPath));
            return new MetricsPublisher(metrics, owned);
        } catch (RuntimeException | Error e) {
            if (owned != null) {
                owned.close();
            }
            throw e;
        }
    }

    /** {@return whether meters are recorded} */
    boolean active() {
        return metrics != null;
    }

    /** Removes every meter, and closes the registry if it is the listener's own. */
    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        if (ownedRegistry != null) {
            ownedRegistry.close();
        }
    }

    /** A {@link JmxConfig} with a domain and the defaults otherwise. */
    private static final class DomainConfig implements JmxConfig {
        private final String domain;

        DomainConfig(String domain) {
            this.domain = domain;
        }

        @Override
        public @Nullable String get(String key) {
            return null;
        }

        @Override
        public String domain() {
            return domain;
        }
    }
}
