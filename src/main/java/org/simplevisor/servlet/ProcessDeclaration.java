package org.simplevisor.servlet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.SupervisedProcess;

/**
 * One validated process of the configuration: its class and every setting, merged from its {@code @Supervised}
 * annotation and the {@code web.xml} context parameters of the same name (which win).
 *
 * @param name            the process name
 * @param type            the class, a public concrete {@link SupervisedProcess} with a public no-arg constructor
 * @param origin          where the class was declared, for messages
 * @param policy          the restart policy
 * @param maxRestarts     the restart limit, 0 for none
 * @param restartDelay    the delay before a restart
 * @param maxRestartDelay the backoff cap, or {@code null} for a fixed delay
 * @param jitter          the random spread of each delay, 0..1
 * @param healthyDuration how long a run must last to reset the restart count
 * @param restartWindow   the window of the restart limit, or {@code null}
 * @param watchdog        the watchdog timeout, or {@code null}
 * @param priority        the start order
 * @param noRestartOn     exception types never restarted
 * @param singleton       whether it is a cluster singleton
 * @param group           the process group, or {@code null}
 */
record ProcessDeclaration(
        String name,
        Class<? extends SupervisedProcess> type,
        String origin,
        RestartPolicy policy,
        int maxRestarts,
        Duration restartDelay,
        @Nullable Duration maxRestartDelay,
        double jitter,
        Duration healthyDuration,
        @Nullable Duration restartWindow,
        @Nullable Duration watchdog,
        int priority,
        List<Class<? extends Throwable>> noRestartOn,
        boolean singleton, @Nullable String group) {

    /** {@return the options to register the process with} */
    @SuppressWarnings("unchecked")
    ProcessOption[] options() {
        List<ProcessOption> options = new ArrayList<>();
        options.add(ProcessOption.withRestart(policy, maxRestarts, restartDelay));
        if (maxRestartDelay != null || jitter > 0) {
            options.add(ProcessOption.withBackoff(maxRestartDelay != null ? maxRestartDelay : restartDelay, jitter));
        }
        options.add(ProcessOption.withHealthyDuration(healthyDuration));
        if (restartWindow != null) {
            options.add(ProcessOption.withRestartWindow(restartWindow));
        }
        if (watchdog != null) {
            options.add(ProcessOption.withWatchdog(watchdog));
        }
        options.add(ProcessOption.withPriority(priority));
        if (!noRestartOn.isEmpty()) {
            options.add(ProcessOption.noRestartOn((Class<? extends Throwable>[]) noRestartOn.toArray(new Class<?>[0])));
        }
        if (singleton) {
            options.add(ProcessOption.singleton());
        }
        if (group != null) {
            options.add(ProcessOption.inGroup(group));
        }
        return options.toArray(new ProcessOption[0]);
    }

    // Declared: generated ones can keep a web application's class loader alive (ClassLoaderReleaseTest).
    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof ProcessDeclaration that && Objects.equals(name, that.name)
                && Objects.equals(type, that.type) && Objects.equals(origin, that.origin) && policy == that.policy
                && maxRestarts == that.maxRestarts && Objects.equals(restartDelay, that.restartDelay)
                && Objects.equals(maxRestartDelay, that.maxRestartDelay) && Double.compare(jitter, that.jitter) == 0
                && Objects.equals(healthyDuration, that.healthyDuration)
                && Objects.equals(restartWindow, that.restartWindow) && Objects.equals(watchdog, that.watchdog)
                && priority == that.priority && Objects.equals(noRestartOn, that.noRestartOn)
                && singleton == that.singleton && Objects.equals(group, that.group);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, origin, policy, maxRestarts, restartDelay, maxRestartDelay, jitter,
                healthyDuration, restartWindow, watchdog, priority, noRestartOn, singleton, group);
    }

    @Override
    public String toString() {
        return "ProcessDeclaration[name=" + name + ", type=" + type + ", origin=" + origin + ", policy=" + policy
                + ", maxRestarts=" + maxRestarts + ", restartDelay=" + restartDelay
                + ", maxRestartDelay=" + maxRestartDelay + ", jitter=" + jitter
                + ", healthyDuration=" + healthyDuration + ", restartWindow=" + restartWindow
                + ", watchdog=" + watchdog + ", priority=" + priority + ", noRestartOn=" + noRestartOn
                + ", singleton=" + singleton + ", group=" + group + "]";
    }
}
