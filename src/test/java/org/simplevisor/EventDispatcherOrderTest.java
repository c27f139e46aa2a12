package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Events held back while a start or a shutdown is under way ({@link EventDispatcher#holdDeliveries}) keep their
 * order with the events published directly once the holding ends, however the two race.
 */
class EventDispatcherOrderTest {

    private static final int EVENTS = 2_000;

    @RepeatedTest(50)
    void eventsPublishedWhileTheHoldingEndsKeepTheirOrder() throws Exception {
        EventDispatcher dispatcher = new EventDispatcher("order");
        List<String> delivered = new ArrayList<>();
        dispatcher.addListener(event -> {
            if (event.processName() != null) {
                delivered.add(event.processName()); // only the event thread adds
            }
        });
        dispatcher.holdDeliveries();
        CountDownLatch publishing = new CountDownLatch(1);
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < EVENTS; i++) {
                dispatcher.publish(event(Integer.toString(i)));
                if (i == EVENTS / 10) {
                    publishing.countDown(); // some are held; the holding ends while the rest are published
                }
            }
        });
        publisher.start();
        assertThat(publishing.await(10, TimeUnit.SECONDS)).isTrue();
        dispatcher.stopHolding();
        publisher.join();
        dispatcher.close(event(null), System.nanoTime() + TimeUnit.SECONDS.toNanos(10), new DeferredInterrupts());

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            expected.add(Integer.toString(i));
        }
        assertThat(delivered).containsExactlyElementsOf(expected);
    }

    private static SupervisorEvent event(String process) {
        return new SupervisorEvent(process == null ? SupervisorEvent.Type.TERMINATED : SupervisorEvent.Type.STARTED,
                "order", process, null, null, null, null, null, false, Instant.EPOCH);
    }
}
