package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.SupervisorEvent.Type;
import org.simplevisor.testing.RecordingListener;

/**
 * {@code shutdown()} called again, from a run or from a listener, while a shutdown is already under way: the second
 * caller is one the first waits for, so it must not wait for the first to finish.
 */
class ReentrantShutdownTest {

    /** Long enough that waiting it out shows, short enough that a failing test ends. */
    private static final Duration TIMEOUT = Duration.ofSeconds(4);

    private final RecordingListener events = new RecordingListener();
    private Supervisor supervisor;

    @AfterEach
    void shutDown() {
        if (supervisor != null) {
            assertTimeoutPreemptively(TIMEOUT.multipliedBy(3), supervisor::shutdown);
        }
    }

    @Test
    void aRunWhoseCleanupShutsTheSupervisorDownDoesNotHoldUpAShutdownAlreadyUnderWay() {
        supervisor = Supervisor.builder().name("cascade").shutdownTimeout(TIMEOUT).listener(events).build();
        AtomicReference<Supervisor> self = new AtomicReference<>(supervisor);
        supervisor.register("cascade", ctx -> {
            ctx.awaitCancellation(); // woken without an interrupt by the shutdown from outside
            self.get().shutdown();   // "when I stop, everything stops": the shutdown is under way already
        });
        supervisor.register("bystander", ProcessContext::awaitCancellation);
        supervisor.run();
        events.await("cascade", Type.STARTED);
        events.await("bystander", Type.STARTED);

        assertTimeoutPreemptively(TIMEOUT.multipliedBy(3), supervisor::shutdown);

        events.awaitTerminated();
        assertThat(events.types("cascade")).as("shutdown waited out its timeout for a run that waited for it")
                .doesNotContain(Type.SHUTDOWN_TIMEOUT);
        assertThat(supervisor.snapshot("cascade").lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
    }

    @Test
    void aListenerThatShutsDownWhileAShutdownIsUnderWayNeitherHoldsItUpNorLosesEvents() {
        AtomicReference<Supervisor> self = new AtomicReference<>();
        SupervisorListener cascade = event -> {
            if (event.type() == Type.STOPPED && "first".equals(event.processName())) {
                self.get().shutdown(); // e.g. a listener that shuts down when a vital process stops
            }
        };
        supervisor = Supervisor.builder().name("listener-cascade").shutdownTimeout(TIMEOUT).listener(cascade)
                .listener(events).build();
        self.set(supervisor);
        // "first" stops in the higher level, so the other level's events come after the listener's call
        supervisor.register("first", ProcessContext::awaitCancellation, ProcessOption.withPriority(1));
        supervisor.register("second", ProcessContext::awaitCancellation, ProcessOption.withPriority(0));
        supervisor.run();
        events.await("first", Type.STARTED);
        events.await("second", Type.STARTED);

        assertTimeoutPreemptively(TIMEOUT.multipliedBy(3), supervisor::shutdown);

        events.awaitTerminated();
        // Before, the first shutdown gave the event thread up at its deadline and these were never delivered.
        assertThat(events.count("second", Type.STOPPED)).as("the other level's STOPPED").isEqualTo(1);
        List<Type> all = events.events().stream().map(SupervisorEvent::type).collect(Collectors.toList());
        assertThat(all.get(all.size() - 1)).isEqualTo(Type.TERMINATED);
    }

    @Test
    void aListenerThatShutsDownWhileARestartWaitsForTheBacklogDoesNotWaitOutTheTimeoutForThatRestartsThread() {
        AtomicReference<Supervisor> self = new AtomicReference<>();
        AtomicLong shutdownNanos = new AtomicLong(-1);
        SupervisorListener shutsDown = event -> {
            if (shutdownNanos.get() != -1) {
                return;
            }
            // Stuck behind this listener, the events pass the backlog limit: the crash loop's restart waits for them
            await().atMost(TIMEOUT.multipliedBy(3)).until(ReentrantShutdownTest::aRestartWaitsForTheBacklog);
            long start = System.nanoTime();
            self.get().shutdown(); // e.g. a listener that shuts down when a vital process crashes
            shutdownNanos.set(System.nanoTime() - start);
        };
        supervisor = Supervisor.builder().name("backlog-shutdown").shutdownTimeout(TIMEOUT).listener(shutsDown)
                .listener(events).build();
        self.set(supervisor);
        for (int i = 0; i <= EventDispatcher.BACKLOG_LIMIT; i++) {
            supervisor.register("done-" + i, ctx -> { }, ProcessOption.withRestart(RestartPolicy.NEVER, 0,
                    Duration.ZERO));
        }
        supervisor.register("crash-loop", ctx -> {
            throw new IllegalStateException("crash-loop");
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO));
        supervisor.run();

        events.awaitTerminated();
        // Before, shutdown joined the restart's thread, still waiting for the listeners, until its deadline.
        assertThat(Duration.ofNanos(shutdownNanos.get())).as("the listener's shutdown")
                .isLessThan(TIMEOUT.multipliedBy(3).dividedBy(4));
        assertThat(supervisor.status("crash-loop")).isEqualTo(ProcessStatus.STOPPED);
    }

    private static boolean aRestartWaitsForTheBacklog() {
        return Thread.getAllStackTraces().values().stream().anyMatch(stack -> Arrays.stream(stack)
                .anyMatch(frame -> frame.getMethodName().equals("awaitBacklogBelowLimit")));
    }
}
