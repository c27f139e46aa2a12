package org.simplevisor.jmx;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The text JConsole and VisualVM show as the tooltip of an MBean, attribute, operation or parameter. Read at
 * registration by {@link DescribedMBean}; kept out of the public API because only this package's MXBean
 * interfaces carry it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.PARAMETER})
@interface Description {

    /** {@return the description} */
    String value();

    /** {@return for a parameter, its name (an MXBean would otherwise call it {@code p0}); elsewhere ignored} */
    String name() default "";
}
