package org.simplevisor.metrics;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import com.codahale.metrics.jmx.ObjectNameFactory;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.core.instrument.util.HierarchicalNameMapper;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * MBean names for the meters of a {@link JmxMeterRegistry} that keep each tag as a key of its own:
 * {@code <domain>:name=<meter name>,type=<kind>,<tag>=<value>,...}, for example
 * {@code metrics:name=simplevisor.process.restart.count,type=gauges,context=/app,process_name=payment-gateway}.
 *
 * <p>Micrometer's default JMX names bake the tags into one {@code name} value
 * ({@code simplevisorProcessRestartCount.context./app.process_name.payment-gateway}), which neither JConsole's tree
 * nor the Prometheus JMX exporter can take apart. With tags as keys, JConsole groups the meters by name and then by
 * tag, and one exporter rule per kind turns every meter into its Prometheus name with its tags as labels (see
 * {@code tomcat-config/jmx-exporter.yaml}).
 *
 * <p>{@code <kind>} is Dropwizard's: {@code gauges} (attribute {@code Value}), {@code meters} (Micrometer's counters:
 * {@code Count}), {@code timers}, {@code histograms}. Keys and values follow the registry's naming convention,
 * {@linkplain NamingConvention#identity identity} in {@link #registry}'s registries, so the meter's own name and tag
 * keys appear unchanged. A value is {@linkplain ObjectName#quote quoted} only when it holds a character that needs
 * it; characters a key may not hold become {@code _}, and a tag key {@code name} or {@code type} becomes
 * {@code tag_name} or {@code tag_type}.
 */
public final class TaggedJmxNames implements HierarchicalNameMapper, ObjectNameFactory {

    /** The names; stateless. */
    public static final TaggedJmxNames INSTANCE = new TaggedJmxNames();

    private static final String NAME = "name";
    private static final String TYPE = "type";

    private TaggedJmxNames() {
    }

    /**
     * {@return a registry that publishes its meters as MBeans under these names}, in the configuration's domain and
     * the platform MBean server; {@link JmxMeterRegistry#close() close} it to unregister them.
     *
     * @param config the registry's configuration (its {@linkplain JmxConfig#domain() domain})
     * @param clock  the registry's clock
     */
    public static JmxMeterRegistry registry(JmxConfig config, Clock clock) {
        MetricRegistry dropwizard = new MetricRegistry();
        JmxReporter reporter = JmxReporter.forRegistry(dropwizard)
                .inDomain(config.domain())
                .createsObjectNamesWith(INSTANCE)
                .build();
        JmxMeterRegistry registry = new JmxMeterRegistry(config, clock, INSTANCE, dropwizard, reporter);
        registry.config().namingConvention(NamingConvention.identity);
        return registry;
    }

    /**
     * {@return the meter's key properties without {@code type}}: Dropwizard's name of the meter, which
     * {@link #createName} completes.
     */
    @Override
    public String toHierarchicalName(Meter.Id id, NamingConvention convention) {
        StringBuilder keys = new StringBuilder(NAME).append('=').append(value(id.getConventionName(convention)));
        for (Tag tag : id.getConventionTags(convention)) {
            keys.append(',').append(key(tag.getKey())).append('=').append(value(tag.getValue()));
        }
        return keys.toString();
    }

    /**
     * {@return the MBean name of a meter}: the {@code name} key first, then {@code type}, then the tags.
     *
     * @param type   Dropwizard's kind of meter ({@code gauges}, {@code meters}, ...)
     * @param domain the registry's domain
     * @param name   {@link #toHierarchicalName}'s key properties
     */
    @Override
    public ObjectName createName(String type, String domain, String name) {
        try {
            String first = NAME + "=" + new ObjectName(domain + ":" + name).getKeyProperty(NAME);
            return new ObjectName(domain + ":" + first + "," + TYPE + "=" + value(type)
                    + name.substring(first.length()));
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("no MBean name for meter " + name + " in domain " + domain, e);
        }
    }

    private static String key(String key) {
        if (key.equals(NAME) || key.equals(TYPE)) {
            return "tag_" + key;
        }
        return key.isEmpty() ? "_" : key.replaceAll("[,=:*?]", "_");
    }

    private static String value(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (",=:\"*?\n".indexOf(value.charAt(i)) >= 0) {
                return ObjectName.quote(value);
            }
        }
        return value;
    }
}
