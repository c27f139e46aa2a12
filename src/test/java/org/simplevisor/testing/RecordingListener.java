package org.simplevisor.testing;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.SupervisorListener;

/** Records every event it receives and lets a test wait for the ones it expects. */
public final class RecordingListener implements SupervisorListener {

    private final List<SupervisorEvent> events = new ArrayList<>();

    @Override
    public synchronized void onEvent(SupervisorEvent event) {
        events.add(event);
    }

    public synchronized List<SupervisorEvent> events() {
        return List.copyOf(events);
    }

    /** @return the types of the events of one process, in order */
    public List<SupervisorEvent.Type> types(String process) {
        return events().stream().filter(e -> process.equals(e.processName())).map(SupervisorEvent::type)
                .collect(Collectors.toList());
    }

    public long count(String process, SupervisorEvent.Type type) {
        return events().stream().filter(e -> process.equals(e.processName()) && e.type() == type).count();
    }

    /** Waits until an event of this process and type has arrived; @return the first such event */
    public SupervisorEvent await(String process, SupervisorEvent.Type type) {
        return awaitCount(process, type, 1).get(0);
    }

    /** Waits until {@code n} events of this process and type have arrived; @return them */
    public List<SupervisorEvent> awaitCount(String process, SupervisorEvent.Type type, int n) {
        Predicate<SupervisorEvent> matches = e -> process.equals(e.processName()) && e.type() == type;
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .until(() -> events().stream().filter(matches).count() >= n);
        return events().stream().filter(matches).collect(Collectors.toList());
    }

    /** Waits until the supervisor's last event, TERMINATED, has arrived. */
    public void awaitTerminated() {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .until(() -> events().stream().anyMatch(e -> e.type() == SupervisorEvent.Type.TERMINATED));
    }
}
