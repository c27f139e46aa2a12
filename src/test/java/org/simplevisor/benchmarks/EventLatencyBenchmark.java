package org.simplevisor.benchmarks;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.jmx.SupervisorJmx;

/**
 * Issue 6, measurement 4: from a process failing to a listener being told. The process waits for a trigger, then
 * throws; it is restarted with zero delay and waits again. One operation: release the trigger and wait until the
 * listener has the failure. Each benchmark has its own supervisor, with meters, MBeans and logging at its default
 * level (the crash is logged at ERROR with its stack trace before the other listeners see it):
 * <ul>
 * <li>{@link #jmxNotification}: a local JMX {@code NotificationListener} on the supervisor MBean, subscribed through
 *     the platform MBean server, receives {@code simplevisor.process.failed};</li>
 * <li>{@link #supervisorListener}: a {@code SupervisorListener} (added after the others) receives {@code CRASHED};</li>
 * <li>{@link #handoff}: the process itself signals just before it throws: the floor, two thread wake-ups with no
 *     supervisor in between.</li>
 * </ul>
 * The time between operations (the restart, until the process waits for its trigger again) is not measured.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class EventLatencyBenchmark {

    /** How the benchmark learns of the failure. */
    enum Path { JMX, LISTENER, HANDOFF }

    /** A supervisor whose process fails on demand. */
    public abstract static class Triggered {
        final Semaphore ready = new Semaphore(0);
        final Semaphore trigger = new Semaphore(0);
        final Semaphore told = new Semaphore(0);
        private Observed observed;
        private NotificationListener jmxListener;

        abstract Path path();

        @Setup(Level.Trial)
        public void start() throws Exception {
            Supervisor supervisor = Supervisor.builder().name(Observed.uniqueName("latency")).build();
            supervisor.register("failing", ctx -> {
                ready.release();
                trigger.acquire();
                if (path() == Path.HANDOFF) {
                    told.release();
                }
                throw new IllegalStateException("fails on demand");
            }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
            observed = new Observed(supervisor, Observed.Observers.ALL);
            if (path() == Path.LISTENER) {
                supervisor.addListener(event -> {
                    if (event.type() == SupervisorEvent.Type.CRASHED) {
                        told.release();
                    }
                });
            } else if (path() == Path.JMX) {
                jmxListener = (notification, handback) -> told.release();
                NotificationFilter failed = n -> n.getType().equals(SupervisorJmx.PROCESS_FAILED);
                observed.server.addNotificationListener(observed.jmx.supervisorObjectName(), jmxListener, failed,
                        null);
            }
            supervisor.run();
        }

        /** Not measured: waits until the process waits for its trigger again. */
        @Setup(Level.Invocation)
        public void awaitReady() throws InterruptedException {
            if (!ready.tryAcquire(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the process did not come back");
            }
        }

        void failAndAwait() throws InterruptedException {
            trigger.release();
            if (!told.tryAcquire(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no " + path() + " news of the failure");
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            if (jmxListener != null) {
                observed.server.removeNotificationListener(observed.jmx.supervisorObjectName(), jmxListener);
            }
            observed.close();
        }
    }

    @State(Scope.Benchmark)
    public static class JmxPath extends Triggered {
        @Override
        Path path() {
            return Path.JMX;
        }
    }

    @State(Scope.Benchmark)
    public static class ListenerPath extends Triggered {
        @Override
        Path path() {
            return Path.LISTENER;
        }
    }

    @State(Scope.Benchmark)
    public static class HandoffPath extends Triggered {
        @Override
        Path path() {
            return Path.HANDOFF;
        }
    }

    @Benchmark
    public void jmxNotification(JmxPath state) throws InterruptedException {
        state.failAndAwait();
    }

    @Benchmark
    public void supervisorListener(ListenerPath state) throws InterruptedException {
        state.failAndAwait();
    }

    @Benchmark
    public void handoff(HandoffPath state) throws InterruptedException {
        state.failAndAwait();
    }
}
