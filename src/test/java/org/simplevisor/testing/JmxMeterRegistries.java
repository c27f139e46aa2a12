package org.simplevisor.testing;

import io.micrometer.core.instrument.Clock;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;

/** Micrometer JMX registries for tests, each in a JMX domain of its own so that tests never see one another's. */
public final class JmxMeterRegistries {

    private JmxMeterRegistries() {
    }

    /** {@return a JMX meter registry publishing under {@code domain}, with the defaults otherwise} */
    public static JmxMeterRegistry inDomain(String domain) {
        return new JmxMeterRegistry(new JmxConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String domain() {
                return domain;
            }
        }, Clock.SYSTEM);
    }
}
