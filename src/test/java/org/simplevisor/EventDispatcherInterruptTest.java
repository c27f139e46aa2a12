package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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

    /**
     * When a listener holds the event thread past the shutdown's deadline, the last event reaches the other listeners
     * on the thread that shuts down: in a container, the server's own thread. An interrupt a listener leaves there
     * must not stay with it after {@code shutdown()} returns (the server's next task would find itself interrupted).
     */
    @Test
    void anInterruptLeftByAListenerOnTheShuttingDownThreadStaysWithTheListener() throws InterruptedException {
        Supervisor supervisor = Supervisor.builder().name("interrupt").shutdownTimeout(Duration.ofMillis(500))
                .build();
        CountDownLatch stuck = new CountDownLatch(1);
        supervisor.addListener(event -> {
            if (event.type() == SupervisorEvent.Type.STARTED) {
                stuck.countDown();
                try {
                    new CountDownLatch(1).await(); // until the shutdown gives up on it and interrupts it
                } catch (InterruptedException givenUp) {
                    // returns
                }
            }
        });
        AtomicReference<Thread> lastEventThread = new AtomicReference<>();
        supervisor.addListener(event -> {
            if (event.type() == SupervisorEvent.Type.TERMINATED) {
                lastEventThread.set(Thread.currentThread());
                Thread.currentThread().interrupt(); // as one that caught InterruptedException and set it again
            }
        });
        supervisor.register("p", ProcessContext::awaitCancellation);
        supervisor.run();
        assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();

        supervisor.shutdown();

        assertThat(lastEventThread.get()).as("the thread that had the last event").isSameAs(Thread.currentThread());
        assertThat(Thread.interrupted()).as("the shutting-down thread interrupted after shutdown()").isFalse();
    }

    private static SupervisorEvent event(String process) {
        return new SupervisorEvent(process == null ? SupervisorEvent.Type.TERMINATED : SupervisorEvent.Type.STARTED,
                "interrupt", process, null, null, null, null, null, false, Instant.EPOCH);
    }
}
