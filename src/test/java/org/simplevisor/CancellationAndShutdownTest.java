package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.jmx.SupervisorJmx;
import org.simplevisor.testing.Parked;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ShutDownAfterEach;

/**
 * How runs end when something other than the supervisor interrupts or cancels them, and a shutdown whose caller is
 * interrupted while it waits.
 */
class CancellationAndShutdownTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RecordingListener events = new RecordingListener();
    @RegisterExtension
    final ShutDownAfterEach shutDown = new ShutDownAfterEach();

    private Supervisor supervisor(String name) {
        return shutDown.supervisor(Supervisor.builder().name(name).shutdownTimeout(WAIT).listener(events).build());
    }

    private static List<Thread> liveThreadsOf(Supervisor supervisor) {
        String prefix = "simplevisor-" + supervisor.name() + "-";
        List<Thread> live = new ArrayList<>();
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix))
                .forEach(live::add);
        return live;
    }

    @Test
    void shutdownFinishesWhateverInterruptsItsCallerAndThenRestoresTheInterrupt() throws Exception {
        Supervisor supervisor = supervisor("interrupted-shutdown");
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        SupervisorJmx jmx = SupervisorJmx.register(supervisor, server, "test", supervisor.name());
        CountDownLatch cleaningUp = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Thread> runThread = new CompletableFuture<>();
        supervisor.register("slow", ctx -> {
            runThread.complete(Thread.currentThread());
            ctx.awaitCancellation();
            cleaningUp.countDown();
            release.await(); // a slow cleanup, which the woken run may do without being interrupted
        });
        supervisor.run();
        Parked.await(runThread);

        CompletableFuture<Boolean> interruptStatusAfter = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            supervisor.shutdown();
            interruptStatusAfter.complete(Thread.currentThread().isInterrupted());
        }, "shutdown-caller");
        caller.start();
        assertThat(cleaningUp.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        await().atMost(WAIT).until(() -> caller.getState() == Thread.State.TIMED_WAITING);
        caller.interrupt();
        caller.interrupt();

        // The shutdown goes on waiting for the run, whose cleanup is still under way.
        await().atMost(WAIT).until(() -> caller.getState() == Thread.State.TIMED_WAITING);
        assertThat(supervisor.isTerminated()).isFalse();
        assertThat(supervisor.status("slow")).isEqualTo(ProcessStatus.RUNNING);
        release.countDown();

        assertThat(interruptStatusAfter.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .as("the caller's interrupt status, restored").isTrue();
        assertThat(supervisor.isTerminated()).isTrue();
        assertThat(supervisor.status("slow")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(supervisor.snapshot("slow").lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
        events.awaitTerminated();
        assertThat(jmx.isClosed()).isTrue();
        assertThat(server.isRegistered(jmx.supervisorObjectName())).isFalse();
        await().atMost(WAIT).until(() -> liveThreadsOf(supervisor).isEmpty());
    }

    @Test
    void theEndOfARunReachesListenersWhileAnotherRunOfItsLevelIsStillStopping() throws Exception {
        Supervisor supervisor = supervisor("level-events");
        CountDownLatch quickStoppedSeen = new CountDownLatch(1);
        supervisor.addListener(event -> {
            if (event.type() == SupervisorEvent.Type.STOPPED && "quick".equals(event.processName())) {
                quickStoppedSeen.countDown();
            }
        });
        AtomicBoolean slowSawQuickStopped = new AtomicBoolean();
        CompletableFuture<Thread> quickThread = new CompletableFuture<>();
        CompletableFuture<Thread> slowThread = new CompletableFuture<>();
        supervisor.register("quick", ctx -> {
            quickThread.complete(Thread.currentThread());
            ctx.awaitCancellation();
        });
        supervisor.register("slow", ctx -> {
            slowThread.complete(Thread.currentThread());
            ctx.awaitCancellation();
            // Its cleanup lasts until the listeners have had the other run's end (bounded, should they never).
            slowSawQuickStopped.set(quickStoppedSeen.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        });
        supervisor.run();
        Parked.await(quickThread);
        Parked.await(slowThread);

        supervisor.shutdown();

        assertThat(slowSawQuickStopped).isTrue();
        assertThat(supervisor.status("quick")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(supervisor.status("slow")).isEqualTo(ProcessStatus.STOPPED);
        events.awaitTerminated();
        for (String process : List.of("quick", "slow")) {
            assertThat(events.types(process)).endsWith(SupervisorEvent.Type.STOPPED);
        }
    }

    @Test
    void everyEventOfAManyProcessShutdownIsDeliveredInOrderBeforeTerminated() throws Exception {
        Supervisor supervisor = supervisor("many-events");
        int processes = 500;
        CountDownLatch running = new CountDownLatch(processes);
        for (int i = 0; i < processes; i++) {
            supervisor.register("p" + i, ctx -> {
                running.countDown();
                ctx.awaitCancellation();
            }, ProcessOption.withPriority(i % 3)); // three levels, stopped one after the other
        }
        supervisor.run();
        assertThat(running.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        supervisor.shutdown();

        events.awaitTerminated();
        List<SupervisorEvent> all = events.events();
        assertThat(all.get(all.size() - 1).type()).isEqualTo(SupervisorEvent.Type.TERMINATED);
        Map<String, List<SupervisorEvent.Type>> byProcess = new HashMap<>();
        all.stream().filter(event -> event.processName() != null).forEach(event ->
                byProcess.computeIfAbsent(event.processName(), name -> new ArrayList<>()).add(event.type()));
        assertThat(byProcess).hasSize(processes);
        byProcess.forEach((process, types) -> assertThat(types).as(process).containsExactly(
                SupervisorEvent.Type.REGISTERED, SupervisorEvent.Type.STATUS_CHANGED, SupervisorEvent.Type.STARTED,
                SupervisorEvent.Type.STOPPED));
        int lastStoppedOfLevel2 = -1;
        int firstStoppedOfLevel1 = Integer.MAX_VALUE;
        for (int at = 0; at < all.size(); at++) {
            SupervisorEvent event = all.get(at);
            if (event.type() == SupervisorEvent.Type.STOPPED) {
                int priority = Integer.parseInt(event.processName().substring(1)) % 3;
                if (priority == 2) {
                    lastStoppedOfLevel2 = at;
                } else if (priority == 1) {
                    firstStoppedOfLevel1 = Math.min(firstStoppedOfLevel1, at);
                }
            }
        }
        assertThat(lastStoppedOfLevel2).isLessThan(firstStoppedOfLevel1); // the highest priority stops first
    }

    @Test
    void anInterruptFromOutsideTheSupervisorEndsTheRunCancelledAndNeverRestarted() throws Exception {
        Supervisor supervisor = supervisor("interrupted-from-outside");
        CompletableFuture<Thread> runThread = new CompletableFuture<>();
        supervisor.register("consumer", ctx -> {
            runThread.complete(Thread.currentThread());
            new LinkedBlockingQueue<String>().take(); // as a container shutting its executor down would interrupt
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO));
        supervisor.run();
        Thread thread = runThread.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        await().atMost(WAIT).until(() -> thread.getState() == Thread.State.WAITING);

        thread.interrupt();

        SupervisorEvent stopped = events.await("consumer", SupervisorEvent.Type.STOPPED);
        assertThat(stopped.reason()).isEqualTo(ExitReason.CANCELLED);
        ProcessSnapshot snapshot = supervisor.snapshot("consumer");
        assertThat(snapshot.status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(snapshot.lastExitReason()).isEqualTo(ExitReason.CANCELLED);
        assertThat(snapshot.totalStarts()).isEqualTo(1);
        assertThat(snapshot.totalFailures() + snapshot.totalCrashes()).isZero();
        assertThat(snapshot.lastFailure()).isNull();
        assertThat(events.count("consumer", SupervisorEvent.Type.RESTARTING)).isZero();
        assertThat(ExitReason.CANCELLED.isFailure()).isFalse();
        assertThat(ExitReason.CANCELLED.isCancellation()).isTrue();
    }

    @Test
    void aCancellationExceptionTheRunThrowsIsACrashRestartedByItsPolicy() throws Exception {
        Supervisor supervisor = supervisor("cancellation-exception");
        AtomicBoolean first = new AtomicBoolean(true);
        CancellationException upstream = new CancellationException("the upstream request was cancelled");
        supervisor.register("fetcher", ctx -> {
            if (first.getAndSet(false)) {
                throw upstream; // what Future.get() throws for work someone else cancelled
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 1, Duration.ZERO));
        supervisor.run();

        SupervisorEvent crashed = events.await("fetcher", SupervisorEvent.Type.CRASHED);
        assertThat(crashed.reason()).isEqualTo(ExitReason.CRASHED);
        assertThat(crashed.error()).isSameAs(upstream);
        events.awaitCount("fetcher", SupervisorEvent.Type.STARTED, 2);
        ProcessSnapshot snapshot = supervisor.snapshot("fetcher");
        assertThat(snapshot.status()).isEqualTo(ProcessStatus.RUNNING);
        assertThat(snapshot.totalCrashes()).isEqualTo(1);
        assertThat(snapshot.lastFailure()).isSameAs(upstream);
    }

    @Test
    void anyEndAfterTheSupervisorCancelledTheRunIsACancellationEvenAThrow() throws Exception {
        Supervisor supervisor = supervisor("throws-when-cancelled");
        supervisor.register("closer", ctx -> {
            ctx.awaitCancellation();
            throw new IllegalStateException("the connection was already closed");
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO));
        supervisor.run();
        await().atMost(WAIT).until(() -> supervisor.isRunning("closer"));

        supervisor.stop("closer");

        SupervisorEvent stopped = events.await("closer", SupervisorEvent.Type.STOPPED);
        assertThat(stopped.reason()).isEqualTo(ExitReason.MANUAL);
        assertThat(supervisor.status("closer")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(supervisor.snapshot("closer").totalCrashes()).isZero();
    }

    /**
     * At shutdown a run's own thread hands the account of its end to the thread stopping its priority level
     * (ShutdownLevel): the ends still reach the listeners in the order the runs ended, each once, with what the
     * body threw.
     */
    @Test
    void runsEndingAtShutdownAreAccountedForInTheOrderTheyEnded() throws Exception {
        Supervisor supervisor = supervisor("ends-in-order");
        int count = 6;
        List<CompletableFuture<Thread>> threads = new ArrayList<>();
        IllegalStateException cleanupFailure = new IllegalStateException("could not flush on the way out");
        for (int i = 0; i < count; i++) {
            int index = i;
            threads.add(new CompletableFuture<>());
            supervisor.register("p" + i, ctx -> {
                threads.get(index).complete(Thread.currentThread());
                ctx.awaitCancellation();
                if (index > 0) {
                    threads.get(index - 1).join().join(); // ends after the previous run's thread has ended
                }
                if (index == 2) {
                    throw cleanupFailure;
                }
            });
        }
        supervisor.run();
        for (CompletableFuture<Thread> thread : threads) {
            Parked.await(thread);
        }

        supervisor.shutdown();

        List<String> stopped = new ArrayList<>();
        for (SupervisorEvent event : events.events()) {
            if (event.type() == SupervisorEvent.Type.STOPPED) {
                stopped.add(event.processName());
                assertThat(event.reason()).isEqualTo(ExitReason.SHUTDOWN);
                assertThat(event.error()).isSameAs(event.processName().equals("p2") ? cleanupFailure : null);
            }
        }
        assertThat(stopped).containsExactly("p0", "p1", "p2", "p3", "p4", "p5");
        for (int i = 0; i < count; i++) {
            assertThat(supervisor.status("p" + i)).isEqualTo(ProcessStatus.STOPPED);
            assertThat(threads.get(i).join().isAlive()).isFalse();
        }
    }

    /**
     * Runs that end around the shutdown deadline: before the level stops taking hand-overs, between that and being
     * abandoned, or after. Each process's end is accounted for exactly once, by whichever side gets it, whatever
     * the timing.
     */
    @Test
    void runsEndingAroundTheShutdownDeadlineAreEachAccountedForOnce() throws Exception {
        Duration timeout = Duration.ofMillis(20);
        int count = 40;
        for (int round = 0; round < 5; round++) {
            RecordingListener recorded = new RecordingListener();
            Supervisor supervisor = shutDown.supervisor(Supervisor.builder().name("around-the-deadline-" + round)
                    .shutdownTimeout(timeout).listener(recorded).build());
            List<CompletableFuture<Thread>> threads = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long cleanupNanos = timeout.toNanos() * 2 * i / count; // from none to twice the timeout
                boolean last = i == count - 1;
                CompletableFuture<Thread> thread = new CompletableFuture<>();
                threads.add(thread);
                supervisor.register("p" + i, ctx -> {
                    thread.complete(Thread.currentThread());
                    ctx.awaitCancellation();
                    long until = System.nanoTime() + cleanupNanos;
                    for (long left = cleanupNanos; (last || left > 0) && !Thread.currentThread().isInterrupted();
                            left = until - System.nanoTime()) {
                        // a cleanup, cut short if abandoned; the last one's lasts until then, however late the
                        // shutdown's thread gets to its deadline on a loaded machine
                        LockSupport.parkNanos(last ? timeout.toNanos() : left);
                    }
                });
            }
            supervisor.run();
            await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> threads.stream().allMatch(thread -> thread.isDone()
                            && thread.join().getState() == Thread.State.WAITING));

            supervisor.shutdown();

            List<ProcessSnapshot> atReturn = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = "p" + i;
                List<SupervisorEvent.Type> types = recorded.types(name);
                assertThat(types).as(name).containsOnlyOnce(SupervisorEvent.Type.STOPPED);
                assertThat(types.get(types.size() - 1)).as(name).isEqualTo(SupervisorEvent.Type.STOPPED);
                assertThat(recorded.count(name, SupervisorEvent.Type.SHUTDOWN_TIMEOUT)).as(name).isLessThanOrEqualTo(1);
                ProcessSnapshot snapshot = supervisor.snapshot(name);
                assertThat(snapshot.status()).as(name).isEqualTo(ProcessStatus.STOPPED);
                assertThat(snapshot.totalStarts() - snapshot.totalExits()).as(name).isZero();
                atReturn.add(snapshot);
            }
            // The last cleanup outlasts the deadline: the deadline's side was taken.
            assertThat(recorded.count("p" + (count - 1), SupervisorEvent.Type.SHUTDOWN_TIMEOUT)).isEqualTo(1);
            // A late end changes nothing: once every thread has ended, each process is as at the shutdown's return.
            for (int i = 0; i < count; i++) {
                Thread thread = threads.get(i).join();
                thread.join(WAIT.toMillis());
                assertThat(thread.isAlive()).as("p" + i).isFalse();
                assertThat(supervisor.snapshot("p" + i)).as("p" + i).usingRecursiveComparison()
                        .ignoringFields("takenAt").isEqualTo(atReturn.get(i)); // takenAt: when it was asked for
            }
        }
    }
}
