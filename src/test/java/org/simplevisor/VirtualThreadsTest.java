package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.testing.Parked;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ShutDownAfterEach;

/**
 * {@link Supervisor.Builder#virtualThreads(boolean)}: refused before Java 21, runs processes on virtual threads from
 * Java 21 on. Each JDK runs the tests it can; the others are skipped by assumption.
 */
class VirtualThreadsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int RELEASE = Runtime.version().feature();
    private static final int CRASHES = 50;

    private final RecordingListener events = new RecordingListener();
    @RegisterExtension
    final ShutDownAfterEach shutDown = new ShutDownAfterEach();

    private Supervisor virtualSupervisor(String name) {
        return shutDown.supervisor(Supervisor.builder().name(name).virtualThreads(true).listener(events).build());
    }

    /** Thread.isVirtual() by reflection: the tests are compiled for Java 17. */
    private static boolean isVirtual(Thread thread) {
        try {
            return (Boolean) Thread.class.getMethod("isVirtual").invoke(thread);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("Thread.isVirtual() is missing on Java " + RELEASE, e);
        }
    }

    private static boolean anyThreadNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith(prefix));
    }

    @Test
    void beforeJava21VirtualThreadsAreRefusedWithAMessageThatSaysWhy() {
        assumeTrue(RELEASE < 21, "virtual threads exist on this JVM");
        assertThatThrownBy(() -> Supervisor.builder().name("vt-refused").virtualThreads(true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("virtualThreads")
                .hasMessageContaining("Java 21");
        assertThat(anyThreadNamed("simplevisor-vt-refused")).as("a refused build leaves no thread").isFalse();
    }

    @Test
    void fromJava21AProcessRunsOnAVirtualThreadNamedAfterIt() throws Exception {
        assumeTrue(RELEASE >= 21, "no virtual threads before Java 21");
        Supervisor supervisor = virtualSupervisor("vt");
        AtomicReference<Thread> thread = new AtomicReference<>();
        AtomicReference<String> threadName = new AtomicReference<>();
        AtomicReference<Boolean> virtual = new AtomicReference<>();
        CountDownLatch running = new CountDownLatch(1);
        supervisor.register("vt-process", ctx -> {
            Thread current = Thread.currentThread();
            thread.set(current);
            threadName.set(current.getName());
            virtual.set(isVirtual(current));
            running.countDown();
            ctx.awaitCancellation();
        });
        supervisor.run();

        assertThat(running.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the process ran").isTrue();
        assertThat(virtual.get()).as("runs on a virtual thread").isTrue();
        assertThat(threadName.get()).isEqualTo("simplevisor-vt-process");
        await().atMost(WAIT).until(() -> supervisor.isRunning("vt-process"));

        supervisor.shutdown();

        assertThat(supervisor.isTerminated()).isTrue();
        await().atMost(WAIT).until(() -> !thread.get().isAlive());
        ProcessSnapshot snapshot = supervisor.snapshot("vt-process");
        assertThat(snapshot.status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(snapshot.totalStarts()).isEqualTo(1);
        assertThat(snapshot.totalExits()).isEqualTo(1);
        assertThat(events.await("vt-process", SupervisorEvent.Type.STOPPED).reason()).isEqualTo(ExitReason.SHUTDOWN);
        events.awaitTerminated();
        await().atMost(WAIT).until(() -> !anyThreadNamed("simplevisor-vt"));
    }

    /** A virtual thread is unparked, where a platform thread is notified: both must come back without an interrupt. */
    @Test
    void fromJava21ARunWaitingForItsCancellationOnAVirtualThreadIsWokenWithoutAnInterrupt() throws Exception {
        assumeTrue(RELEASE >= 21, "no virtual threads before Java 21");
        Supervisor supervisor = virtualSupervisor("vt-wake");
        Set<String> woken = ConcurrentHashMap.newKeySet();
        Set<String> interrupted = ConcurrentHashMap.newKeySet();
        CompletableFuture<Thread> untimedThread = new CompletableFuture<>();
        CompletableFuture<Thread> timedThread = new CompletableFuture<>();
        supervisor.register("untimed", ctx -> {
            untimedThread.complete(Thread.currentThread());
            ctx.awaitCancellation();
            (Thread.currentThread().isInterrupted() ? interrupted : woken).add(ctx.name());
        });
        supervisor.register("timed", ctx -> {
            timedThread.complete(Thread.currentThread());
            while (!ctx.awaitCancellation(Duration.ofMinutes(1))) {
                continue; // a minute passing is not the cancellation
            }
            (Thread.currentThread().isInterrupted() ? interrupted : woken).add(ctx.name());
        });
        supervisor.run();
        Parked.await(untimedThread);
        Parked.await(timedThread); // a cancellation before the wait would interrupt, by the contract

        supervisor.shutdown();

        assertThat(woken).containsExactlyInAnyOrder("untimed", "timed");
        assertThat(interrupted).isEmpty();
        assertThat(supervisor.snapshot("untimed").lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(supervisor.snapshot("timed").lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
    }

    @Test
    void fromJava21ZeroDelayRestartsOnVirtualThreadsNeverOverlapAndEndWithTheShutdown() throws Exception {
        assumeTrue(RELEASE >= 21, "no virtual threads before Java 21");
        Supervisor supervisor = virtualSupervisor("vt-loop");
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger active = new AtomicInteger();
        AtomicInteger maxActive = new AtomicInteger();
        supervisor.register("vt-crash-loop", ctx -> {
            int now = active.incrementAndGet();
            try {
                maxActive.accumulateAndGet(now, Math::max);
                threads.add(Thread.currentThread());
                if (runs.incrementAndGet() <= CRASHES) {
                    throw new IllegalStateException("crash");
                }
                ctx.awaitCancellation(); // a bounded loop: every run is an event or three for the event thread
            } finally {
                active.decrementAndGet();
            }
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO));
        supervisor.register("vt-block", ProcessContext::awaitCancellation);
        supervisor.run();
        await().atMost(WAIT).until(() -> supervisor.snapshot("vt-crash-loop").totalStarts() == CRASHES + 1
                && supervisor.isRunning("vt-crash-loop") && supervisor.isRunning("vt-block"));

        supervisor.shutdown();

        assertThat(threads).allMatch(VirtualThreadsTest::isVirtual);
        assertThat(maxActive.get()).as("runs at once").isEqualTo(1);
        for (String name : List.of("vt-crash-loop", "vt-block")) {
            ProcessSnapshot snapshot = supervisor.snapshot(name);
            assertThat(snapshot.status()).as(name).isEqualTo(ProcessStatus.STOPPED);
            assertThat(snapshot.totalStarts()).as(name).isEqualTo(snapshot.totalExits());
        }
        assertThat(runs.get()).isEqualTo(CRASHES + 1);
        assertThat(supervisor.snapshot("vt-crash-loop").totalCrashes()).isEqualTo(CRASHES);
        await().atMost(WAIT).until(() -> threads.stream().noneMatch(Thread::isAlive));
        events.awaitTerminated();
        assertThat(events.count("vt-crash-loop", SupervisorEvent.Type.STARTED)).isEqualTo(CRASHES + 1);
        assertThat(events.count("vt-crash-loop", SupervisorEvent.Type.CRASHED)).isEqualTo(CRASHES);
        assertThat(events.count("vt-crash-loop", SupervisorEvent.Type.STOPPED)).isEqualTo(1);
        assertThat(runs.get()).as("no run after shutdown").isEqualTo(CRASHES + 1);
    }

    @Test
    void anExecutorOfOnesOwnTakesPrecedenceOverVirtualThreadsOnEveryRelease() throws Exception {
        ExecutorService executor = Executors.newCachedThreadPool(r -> new Thread(r, "own-executor"));
        try {
            Supervisor supervisor = shutDown.supervisor(Supervisor.builder().name("vt-own").virtualThreads(true)
                    .executor(executor).listener(events).build());
            AtomicReference<String> threadName = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(1);
            supervisor.register("own", ctx -> {
                threadName.set(Thread.currentThread().getName());
                ran.countDown();
            });
            supervisor.run();
            assertThat(ran.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(threadName.get()).isEqualTo("simplevisor-own");
            await().atMost(WAIT).until(() -> supervisor.status("own") == ProcessStatus.STOPPED);
            supervisor.shutdown();
            assertThat(executor.isShutdown()).as("the supervisor leaves a given executor alone").isFalse();
        } finally {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
