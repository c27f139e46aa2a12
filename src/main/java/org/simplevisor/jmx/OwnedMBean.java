package org.simplevisor.jmx;

import javax.management.MBeanRegistration;

/**
 * An MBean of this package that knows, from its server, whether it is still registered: closing unregisters a name
 * only while this MBean is the one under it, never one that another party registered under the name after someone
 * had unregistered this one.
 */
interface OwnedMBean extends MBeanRegistration {

    /** {@return whether this MBean is registered: from its registration until its unregistration begins} */
    boolean isRegistered();
}
