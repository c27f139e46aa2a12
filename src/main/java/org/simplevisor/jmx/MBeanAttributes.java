package org.simplevisor.jmx;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.ReflectionException;
import org.jspecify.annotations.Nullable;

/** What this package's dynamic MBeans share in reading attributes. */
final class MBeanAttributes {

    private MBeanAttributes() {
    }

    /** Reads one attribute, as {@link DynamicMBean#getAttribute} does. */
    @FunctionalInterface
    interface Reader {
        @Nullable Object read(String attribute) throws AttributeNotFoundException, MBeanException, ReflectionException;
    }

    /**
     * {@return the attributes read one by one with the reader; as the JDK's MXBeans do, one that cannot be read is
     * left out} Give it a reader of one state of what the MBean shows (see {@link ProcessView#forOneCall()}), so
     * that the values of one call hold together.
     */
    static AttributeList readEach(Reader reader, String[] attributes) {
        AttributeList values = new AttributeList();
        for (String attribute : attributes) {
            try {
                values.add(new Attribute(attribute, reader.read(attribute)));
            } catch (JMException | RuntimeException unreadable) {
                // the JMX contract of getAttributes: an attribute that cannot be read is omitted
            }
        }
        return values;
    }
}
