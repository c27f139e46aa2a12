package org.simplevisor.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;

/**
 * Two members of a group that restarts once: {@code reader} (restarted on failure) crashes in its first run, once
 * {@code processor} (always restarted) runs, and then both run until cancelled. With {@code ONE_FOR_ALL} the group
 * restarts both: one group restart, {@code processor}'s first run ends with the reason {@code GROUP}.
 */
public final class CrashOnceGroup {

    private CrashOnceGroup() {
    }

    /**
     * Registers {@code reader} and {@code processor} in a group, restarted with zero delay, up to 5 times.
     *
     * @param supervisor a supervisor that declares the group
     * @param group      the group's name
     */
    public static void registerIn(Supervisor supervisor, String group) {
        CountDownLatch processorRuns = new CountDownLatch(1);
        supervisor.register("reader", new FirstRunFails(processorRuns, () -> new IllegalStateException("crash once")),
                ProcessOption.inGroup(group), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 5, Duration.ZERO));
        supervisor.register("processor", ctx -> {
            processorRuns.countDown();
            ctx.awaitCancellation();
        }, ProcessOption.inGroup(group), ProcessOption.withRestart(RestartPolicy.ALWAYS, 5, Duration.ZERO));
    }
}
