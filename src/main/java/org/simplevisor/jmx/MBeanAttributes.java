package org.simplevisor.jmx;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.DynamicMBean;
import javax.management.JMException;

/** What this package's dynamic MBeans share in reading attributes. */
final class MBeanAttributes {

    private MBeanAttributes() {
    }

    /**
     * {@return the attributes read one by one through {@link DynamicMBean#getAttribute}; as the JDK's MXBeans do, one
     * that cannot be read is left out}
     */
    static AttributeList readEach(DynamicMBean mbean, String[] attributes) {
        AttributeList values = new AttributeList();
        for (String attribute : attributes) {
            try {
                values.add(new Attribute(attribute, mbean.getAttribute(attribute)));
            } catch (JMException | RuntimeException unreadable) {
                // the JMX contract of getAttributes: an attribute that cannot be read is omitted
            }
        }
        return values;
    }
}
