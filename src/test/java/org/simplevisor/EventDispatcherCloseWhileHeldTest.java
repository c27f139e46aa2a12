package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code run()} holds deliveries back while it starts the processes; a shutdown on another thread (or in a run that
 * {@code run()} has just started) may finish within that time. Its last event, {@code TERMINATED}, must still reach
 * the listeners: observers close on it ({@code SupervisorJmx} unregisters its MBeans).
 */
class EventDispatcherCloseWhileHeldTest {

    @Test
    void theLastEventAndThoseHeldBeforeItAreDeliveredWhenTheDispatcherClosesWhileAStartHoldsDeliveriesBack() {
        EventDispatcher dispatcher = new EventDispatcher("held-close");
        List<SupervisorEvent.Type> delivered = new CopyOnWriteArrayList<>();
        dispatcher.addListener(event -> delivered.add(event.type()));

        dispatcher.holdDeliveries();                        // run() is starting the processes
        dispatcher.publish(event(SupervisorEvent.Type.STARTED));
        dispatcher.close(event(SupervisorEvent.Type.TERMINATED), // a shutdown finished meanwhile
                System.nanoTime() + TimeUnit.SECONDS.toNanos(5), new DeferredInterrupts());
        dispatcher.stopHolding();                           // run() is done

        Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                .until(() -> delivered.size() == 2);
        assertThat(delivered).containsExactly(SupervisorEvent.Type.STARTED, SupervisorEvent.Type.TERMINATED);
    }

    private static SupervisorEvent event(SupervisorEvent.Type type) {
        return new SupervisorEvent(type, "held-close", type == SupervisorEvent.Type.TERMINATED ? null : "p", null, null,
                null, null, null, false, Instant.EPOCH);
    }
}
