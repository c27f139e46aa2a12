package org.simplevisor.jmx;

import java.util.Objects;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.jspecify.annotations.Nullable;

/** How the MBeans are named: {@code <domain>:type=<type>,context=<context>[,name=<process>]}. */
final class JmxNames {

    /** The characters for which a key property value must be quoted. */
    private static final String NEEDS_QUOTES = ",=:\"*?\n";

    private JmxNames() {
    }

    /**
     * {@return the name of an MBean of this type, the values quoted only if they need it}
     *
     * @param process the {@code name} key's value, or {@code null} for an MBean of the whole supervisor
     * @throws IllegalArgumentException if the result is not a valid, non-pattern ObjectName
     */
    static ObjectName of(String domain, String type, String context, @Nullable String process) {
        String name = domain + ":type=" + type + ",context=" + quoteIfNeeded(context)
                + (process == null ? "" : ",name=" + quoteIfNeeded(process));
        ObjectName objectName;
        try {
            objectName = new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("invalid JMX name " + name + ": " + e.getMessage(), e);
        }
        if (objectName.isPattern()) {
            throw new IllegalArgumentException("invalid JMX name " + name
                    + ": the domain must not contain the wildcards * or ?");
        }
        return objectName;
    }

    /**
     * {@return the value as is, or {@link ObjectName#quote quoted} if it holds {@code , = : " * ?} or a newline}
     *
     * @param value a key property value
     */
    static String quoteIfNeeded(String value) {
        Objects.requireNonNull(value, "value");
        for (int i = 0; i < value.length(); i++) {
            if (NEEDS_QUOTES.indexOf(value.charAt(i)) >= 0) {
                return ObjectName.quote(value);
            }
        }
        return value;
    }
}
