package org.simplevisor;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link SupervisedProcess} class that the servlet container integration registers on its own. The
 * class needs a public no-arg constructor. Durations are written {@code 500ms}, {@code 5s}, {@code 2m},
 * {@code 1h} or ISO-8601 ({@code PT5S}). A {@code web.xml} context parameter for the same process name
 * overrides the attribute.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Supervised {

    /**
     * {@return the process name; empty means the simple class name with a lower-case first letter} A name that
     * begins or ends with whitespace fails the deployment, as {@link Supervisor#register} would refuse it.
     */
    String name() default "";

    /** {@return the restart policy} */
    RestartPolicy restart() default RestartPolicy.NEVER;

    /** {@return the restart limit; 0 is unlimited (a negative value fails the deployment)} */
    int maxRestarts() default Supervisor.DEFAULT_MAX_RESTARTS;

    /** {@return the delay before a restart ({@link Supervisor#DEFAULT_RESTART_DELAY} as text)} */
    String restartDelay() default "1s";

    /** {@return the cap of the exponential backoff; empty means no backoff (a fixed delay)} */
    String maxRestartDelay() default "";

    /** {@return the random spread of each delay, 0 to 1} */
    double jitter() default 0;

    /**
     * {@return how long a run must last to reset the restart count ({@link Supervisor#DEFAULT_HEALTHY_DURATION} as
     * text)}
     */
    String healthyDuration() default "30s";

    /** {@return the window within which restarts count toward the limit; empty means no window} */
    String restartWindow() default "";

    /** {@return the watchdog timeout; empty means no watchdog} */
    String watchdog() default "";

    /**
     * {@return the process group it restarts with; empty means none} The group's strategy is the context parameter
     * {@code simplevisor.group.<group>.strategy}; a group without one fails the deployment.
     */
    String group() default "";

    /** {@return exception types after which the process is never restarted} */
    Class<? extends Throwable>[] noRestartOn() default {};

    /**
     * {@return whether the process is a cluster singleton ({@link ProcessOption#singleton()}): it runs on one node of
     * those sharing the lease table, the others keep it in STANDBY}
     */
    boolean singleton() default false;
}
