package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A listener that returns with the event thread's interrupt status set (it caught an {@code InterruptedException}
 * and set the status again, or interrupted itself) must not leave it to the listeners and events after it: they
 * would fail on their first blocking call.
 */
class EventDispatcherInterruptTest {

    @Test
    void anInterruptLeftByAListenerReachesNeitherTheNextListenerNorTheNextEvent() {
        EventDispatcher dispatcher = new EventDispatcher("interrupt");
        List<String> seen = new CopyOnWriteArrayList<>();
        dispatcher.addListener(event -> {
            seen.add("first on " + event.processName() + ", interrupted: " + Thread.currentThread().isInterrupted());
            if ("a".equals(event.processName())) {
                Thread.currentThread().interrupt(); // as one that caught InterruptedException and set it again
            }
        });
        dispatcher.addListener(event -> seen.add("second on " + event.processName() + ", interrupted: "
                + Thread.currentThread().isInterrupted()));

        dispatcher.holdDeliveries(); // both events reach the event thread in one batch
        dispatcher.publish(event("a"));
        dispatcher.publish(event("b"));
        dispatcher.stopHolding();
        dispatcher.close(event(null), System.nanoTime() + TimeUnit.SECONDS.toNanos(10), new DeferredInterrupts());

        assertThat(seen).containsExactly("first on a, interrupted: false", "second on a, interrupted: false",
                "first on b, interrupted: false", "second on b, interrupted: false",
                "first on null, interrupted: false", "second on null, interrupted: false");
    }

    private static SupervisorEvent event(String process) {
        return new SupervisorEvent(process == null ? SupervisorEvent.Type.TERMINATED : SupervisorEvent.Type.STARTED,
                "interrupt", process, null, null, null, null, null, false, Instant.EPOCH);
    }
}
