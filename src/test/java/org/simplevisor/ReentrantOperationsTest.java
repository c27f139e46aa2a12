package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.SupervisorEvent.Type;
import org.simplevisor.jmx.SupervisorJmx;
import org.simplevisor.testing.RecordingListener;

/**
 * The supervisor's operations called from its own callbacks: a listener on the event thread, a run on itself, a
 * recover handler, a JMX notification listener. None deadlocks, and each process's events stay one unbroken chain.
 */
class ReentrantOperationsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RecordingListener events = new RecordingListener();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private Supervisor supervisor;

    @AfterEach
    void shutDown() {
        if (supervisor != null) {
            assertTimeoutPreemptively(WAIT, supervisor::shutdown);
            events.awaitTerminated();
            assertThat(events.events()).as("a run shutdown waited out its timeout for")
                    .noneMatch(e -> e.type() == Type.SHUTDOWN_TIMEOUT);
            assertChainsUnbroken();
            assertThat(failures).isEmpty();
        }
    }

    private Supervisor build(String name, SupervisorListener first) {
        supervisor = Supervisor.builder().name(name).shutdownTimeout(Duration.ofSeconds(4))
                .group("g", GroupStrategy.ONE_FOR_ALL).listener(first).listener(events).build();
        return supervisor;
    }

    @Test
    void aListenerThatCallsEveryOperationOnTheEventThread() {
        AtomicInteger starts = new AtomicInteger();
        AtomicReference<Supervisor> self = new AtomicReference<>();
        build("listener-ops", event -> {
            if (event.type() != Type.STARTED || !"a".equals(event.processName())) {
                return;
            }
            Supervisor s = self.get();
            try {
                assertThat(s.snapshot("a").status()).isNotNull();
                switch (starts.incrementAndGet()) {
                    case 1:
                        s.restart("a");
                        break;
                    case 2:
                        s.register("late", ProcessContext::awaitCancellation);
                        s.restartGroup("g");
                        break;
                    case 3:
                        s.stop("a");
                        s.start("b");
                        break;
                    default:
                        break;
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        self.set(supervisor);
        supervisor.register("a", ProcessContext::awaitCancellation, ProcessOption.inGroup("g"));
        supervisor.register("b", ProcessContext::awaitCancellation, ProcessOption.inGroup("g"));
        assertTimeoutPreemptively(WAIT, supervisor::run);
        await().atMost(WAIT).until(() -> starts.get() >= 3 && supervisor.status("a") == ProcessStatus.STOPPED
                && supervisor.isRunning("b") && supervisor.isRunning("late"));
    }

    @Test
    void aRunThatRestartsItselfRestartsItsGroupAndStopsItself() {
        AtomicInteger runs = new AtomicInteger();
        build("body-ops", event -> { });
        Supervisor s = supervisor;
        supervisor.register("self", ctx -> {
            switch (runs.incrementAndGet()) {
                case 1:
                    s.restart("self");
                    break;
                case 2:
                    s.restartGroup("g");
                    break;
                case 3:
                    s.start("self"); // nothing: it is running
                    s.stop("self");
                    break;
                default:
                    break;
            }
            ctx.awaitCancellation();
        }, ProcessOption.inGroup("g"));
        supervisor.register("peer", ProcessContext::awaitCancellation, ProcessOption.inGroup("g"));
        assertTimeoutPreemptively(WAIT, supervisor::run);
        await().atMost(WAIT).until(() -> runs.get() == 3 && supervisor.status("self") == ProcessStatus.STOPPED);
        assertThat(supervisor.snapshot("self").lastExitReason()).isEqualTo(ExitReason.MANUAL);
        assertThat(supervisor.isRunning("peer")).isTrue();
    }

    @Test
    void aRecoverHandlerThatRestartsThenStopsItsProcess() {
        AtomicInteger runs = new AtomicInteger();
        build("recover-ops", event -> { });
        Supervisor s = supervisor;
        supervisor.register("crasher", ctx -> {
            runs.incrementAndGet();
            throw new IllegalStateException("crash");
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 10, Duration.ofMinutes(1)), ProcessOption.withRecover(e -> {
            if (runs.get() == 1) {
                s.restart("crasher"); // starts it again at once, not after the minute's delay
            } else {
                s.stop("crasher");
            }
        }));
        assertTimeoutPreemptively(WAIT, supervisor::run);
        await().atMost(WAIT).until(() -> runs.get() == 2 && supervisor.status("crasher") == ProcessStatus.STOPPED);
        // The status is STOPPED before the second run's CRASHED event (published with it) reaches the listeners
        events.awaitCount("crasher", Type.CRASHED, 2);
        assertThat(events.count("crasher", Type.CRASHED)).isEqualTo(2);
    }

    @Test
    void aJmxNotificationListenerThatInvokesOperationsSynchronously() throws Exception {
        build("jmx-ops", event -> { });
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        supervisor.register("p", ProcessContext::awaitCancellation);
        try (SupervisorJmx jmx = SupervisorJmx.register(supervisor, server, null, "jmx-ops-context")) {
            ObjectName process = jmx.processObjectName("p");
            AtomicInteger started = new AtomicInteger();
            NotificationListener listener = (notification, handback) -> {
                if (!notification.getType().endsWith(".started")) {
                    return;
                }
                try {
                    server.invoke(process, started.incrementAndGet() == 1 ? "restart" : "stop", null, null);
                } catch (Exception e) {
                    failures.add(e);
                }
            };
            server.addNotificationListener(process, listener, null, null);
            server.addNotificationListener(jmx.supervisorObjectName(), (n, h) -> { }, null, null);
            assertTimeoutPreemptively(WAIT, supervisor::run);
            await().atMost(WAIT).until(() -> started.get() == 2 && supervisor.status("p") == ProcessStatus.STOPPED);
        }
    }

    private void assertChainsUnbroken() {
        List<String> names = events.events().stream().map(SupervisorEvent::processName)
                .filter(n -> n != null).distinct().collect(Collectors.toList());
        for (String name : names) {
            List<SupervisorEvent> chain = events.events().stream().filter(e -> name.equals(e.processName()))
                    .collect(Collectors.toList());
            for (int i = 1; i < chain.size(); i++) {
                assertThat(chain.get(i).previousStatus()).as("%s: %s after %s", name, chain.get(i), chain.get(i - 1))
                        .isEqualTo(chain.get(i - 1).snapshot().status());
            }
            long started = chain.stream().filter(e -> e.type() == Type.STARTED).count();
            long ended = chain.stream().filter(e -> e.type() == Type.STOPPED || e.type() == Type.COMPLETED
                    || e.type() == Type.FAILED || e.type() == Type.CRASHED).count();
            assertThat(ended).as("%s: one end per started run", name).isEqualTo(started);
        }
    }
}
