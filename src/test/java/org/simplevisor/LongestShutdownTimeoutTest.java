package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.simplevisor.testing.RecordingListener;

/**
 * The longest shutdown timeout the supervisor accepts, {@link ProcessOption#LONGEST} ({@code Long.MAX_VALUE}
 * nanoseconds): its deadline, {@code System.nanoTime()} plus that, must not wrap around to one long past.
 */
class LongestShutdownTimeoutTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aListenerSlowerThanTheLeastTimeForTheLastEventsIsWaitedFor() throws Exception {
        Supervisor supervisor = Supervisor.builder().name("longest-shutdown").shutdownTimeout(ProcessOption.LONGEST)
                .build();
        AtomicBoolean cutShort = new AtomicBoolean();
        CompletableFuture<Thread> terminatedOn = new CompletableFuture<>();
        supervisor.addListener(event -> {
            if (event.type() == SupervisorEvent.Type.STOPPED) {
                // From when shutdown() hands over the last event, several times the least time it gives them.
                await().atMost(WAIT).until(supervisor::isTerminated);
                cutShort.set(!workFor(Supervisor.EVENT_DRAIN_GRACE.multipliedBy(4)));
            } else if (event.type() == SupervisorEvent.Type.TERMINATED) {
                terminatedOn.complete(Thread.currentThread());
            }
        });
        RecordingListener events = new RecordingListener();
        supervisor.addListener(events);
        supervisor.register("p", ProcessContext::awaitCancellation);
        supervisor.run();
        events.await("p", SupervisorEvent.Type.STARTED);

        supervisor.shutdown();

        assertThat(cutShort).as("the slow listener was interrupted").isFalse();
        assertThat(events.types("p")).as("the listener after it had the last events").endsWith(
                SupervisorEvent.Type.STOPPED);
        assertThat(terminatedOn.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).getName())
                .as("TERMINATED came from the event thread, not from a shutdown that gave it up")
                .startsWith("simplevisor-longest-shutdown-events-");
    }

    /** Works for {@code duration}, unless interrupted; {@return whether it was not interrupted} */
    private static boolean workFor(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        for (long left = duration.toNanos(); left > 0 && !Thread.currentThread().isInterrupted();
                left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
        return !Thread.currentThread().isInterrupted();
    }
}
