package org.simplevisor;

import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a {@link ManagedProcess} uses of its supervisor: the time, where runs execute, where delays wait, and
 * where events go.
 */
record ProcessHost(
        String supervisorName,
        Clock clock,
        Executor executor,
        ScheduledExecutorService scheduler,
        EventDispatcher events) {
}
