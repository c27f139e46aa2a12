package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.ThreadContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.SupervisorEvent.Type;
import org.simplevisor.testing.DeafProcess;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.Parked;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ShutDownAfterEach;

/**
 * Shutdown, cancellation and restarts on virtual threads (Java 21 and later; skipped before).
 */
class VirtualThreadsShutdownTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int RELEASE = Runtime.version().feature();

    private final RecordingListener events = new RecordingListener();
    @RegisterExtension
    final ShutDownAfterEach shutDown = new ShutDownAfterEach();

    @BeforeEach
    void onlyWithVirtualThreads() {
        assumeTrue(RELEASE >= 21, "no virtual threads before Java 21");
    }

    private Supervisor.Builder builder(String name, Duration shutdownTimeout) {
        return Supervisor.builder().name(name).virtualThreads(true).shutdownTimeout(shutdownTimeout).listener(events);
    }

    /** Runs that, once cancelled, clean up for a while before they return: a blocking cleanup is what they test. */
    private static final class SlowCleanups {
        final Set<String> begun = ConcurrentHashMap.newKeySet();
        final Set<String> cleanedUp = ConcurrentHashMap.newKeySet();

        static SlowCleanups register(Supervisor supervisor, String prefix, int count, long cleanupMillis) {
            SlowCleanups runs = new SlowCleanups();
            for (int i = 0; i < count; i++) {
                supervisor.register(prefix + i, ctx -> {
                    runs.begun.add(ctx.name());
                    ctx.awaitCancellation();
                    Thread.sleep(cleanupMillis); // the cleanup: shutdown must wait for it
                    runs.cleanedUp.add(ctx.name());
                });
            }
            return runs;
        }
    }

    /**
     * A run in a group of its own that, once cancelled and let go on, ends, and whose thread then stays alive for as
     * long as the test holds the group's lock: the thread tells the group about the run's end after the run has
     * ended (see {@link ProcessGroup#runEnded}). Shutdown has nothing left to wait for but the thread itself.
     */
    private static final class HeldAfterItsEnd {
        final CompletableFuture<Thread> thread = new CompletableFuture<>();
        final CountDownLatch cancelled = new CountDownLatch(1);
        final CountDownLatch goOn = new CountDownLatch(1);

        /** Registers the run as {@code name} in {@code group}, which the supervisor declares for it alone. */
        static HeldAfterItsEnd register(Supervisor supervisor, String name, String group) {
            HeldAfterItsEnd held = new HeldAfterItsEnd();
            supervisor.register(name, ctx -> {
                held.thread.complete(Thread.currentThread());
                ctx.awaitCancellation();
                held.cancelled.countDown();
                DeafProcess.awaitIgnoringInterrupts(held.goOn);
            }, ProcessOption.inGroup(group));
            return held;
        }

        /**
         * Once a shutdown under way has cancelled the run, lets it end while holding its group's lock, and releases
         * the lock only when {@code shutdownReturned} or {@code shutdownThread} is joining a virtual thread.
         */
        void holdThreadUntilJoined(Supervisor supervisor, String group, Thread shutdownThread,
                CountDownLatch shutdownReturned) throws Exception {
            assertThat(cancelled.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            synchronized (groupLock(supervisor, group)) { // shutdown closed the groups before it cancelled any run
                goOn.countDown();
                Thread held = thread.get();
                await().atMost(WAIT).until(() -> held.getState() == Thread.State.BLOCKED); // its run has ended
                await().atMost(WAIT).until(() -> shutdownReturned.getCount() == 0
                        || joinsVirtualThread(shutdownThread));
            }
        }

        private static Object groupLock(Supervisor supervisor, String group) throws ReflectiveOperationException {
            Field groups = Supervisor.class.getDeclaredField("groups");
            groups.setAccessible(true);
            Object processGroup = ((Map<?, ?>) groups.get(supervisor)).get(group);
            Field lock = ProcessGroup.class.getDeclaredField("lock");
            lock.setAccessible(true);
            return lock.get(processGroup);
        }

        private static boolean joinsVirtualThread(Thread thread) {
            return Arrays.stream(thread.getStackTrace()).anyMatch(frame -> frame.getClassName()
                    .equals("java.lang.VirtualThread") && frame.getMethodName().equals("joinNanos")); // Thread.join
        }
    }

    /**
     * With a member its group abandoned, shutdown still joins every other run's thread, even one that lives on after
     * its run has ended; not the abandoned one.
     */
    @Test
    void withAMemberAbandonedByItsGroupShutdownJoinsEveryOtherRunThread() throws Exception {
        ManualClock clock = new ManualClock();
        ManualScheduler scheduler = new ManualScheduler(clock); // the group gives up when the test says
        Supervisor supervisor = shutDown.supervisor(builder("vt-group-join", WAIT).clock(clock).scheduler(scheduler)
                .group("g", GroupStrategy.ONE_FOR_ALL).group("h", GroupStrategy.ONE_FOR_ONE).build());
        CountDownLatch failNow = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Thread> stuckThread = new CompletableFuture<>();
        supervisor.register("trigger", ctx -> {
            failNow.await();
            throw new Exception("fail once");
        }, ProcessOption.inGroup("g"), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofSeconds(1)));
        supervisor.register("stuck", ctx -> {
            stuckThread.complete(Thread.currentThread());
            DeafProcess.awaitIgnoringInterrupts(release);
        }, ProcessOption.inGroup("g"), ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ofSeconds(1)));
        HeldAfterItsEnd held = HeldAfterItsEnd.register(supervisor, "held", "h");
        supervisor.run();
        Parked.await(stuckThread);
        Parked.await(held.thread);
        failNow.countDown();
        await().atMost(WAIT).until(() -> scheduler.pendingTasks() == 1); // the group's check of stuck's end
        scheduler.advance(WAIT);
        assertThat(events.await("stuck", Type.SHUTDOWN_TIMEOUT).reason()).isEqualTo(ExitReason.GROUP);

        AtomicBoolean heldAliveAtReturn = new AtomicBoolean(true);
        CountDownLatch returned = new CountDownLatch(1);
        Thread stopper = new Thread(() -> {
            supervisor.shutdown();
            heldAliveAtReturn.set(held.thread.join().isAlive());
            returned.countDown();
        }, "vt-group-join-stopper");
        stopper.start();
        held.holdThreadUntilJoined(supervisor, "h", stopper, returned);

        assertThat(returned.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(heldAliveAtReturn).as("the held run's thread was joined").isFalse();
        assertThat(stuckThread.get().isAlive()).as("the abandoned run's thread was not waited for").isTrue();
        assertThat(events.count("held", Type.SHUTDOWN_TIMEOUT)).isZero();
        release.countDown();
        stuckThread.get().join(WAIT.toMillis());
    }

    /**
     * Shutdown called by a run of another supervisor joins this supervisor's run threads all the same: only the
     * caller's own thread is not waited for.
     */
    @Test
    void shutdownCalledByARunOfAnotherSupervisorJoinsEveryRunThread() throws Exception {
        Supervisor supervisor = shutDown.supervisor(builder("vt-joined", WAIT).group("h", GroupStrategy.ONE_FOR_ONE)
                .build());
        HeldAfterItsEnd held = HeldAfterItsEnd.register(supervisor, "held", "h");
        Supervisor other = shutDown.supervisor(builder("vt-joiner", WAIT).build());
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<Thread> stopper = new CompletableFuture<>();
        AtomicBoolean heldAliveAtReturn = new AtomicBoolean(true);
        CountDownLatch returned = new CountDownLatch(1);
        other.register("stopper", ctx -> {
            stopper.complete(Thread.currentThread());
            go.await();
            supervisor.shutdown();
            heldAliveAtReturn.set(held.thread.join().isAlive());
            returned.countDown();
            ctx.awaitCancellation();
        });
        supervisor.run();
        other.run();
        Parked.await(held.thread);
        Parked.await(stopper);
        go.countDown();
        held.holdThreadUntilJoined(supervisor, "h", stopper.get(), returned);

        assertThat(returned.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(heldAliveAtReturn).as("the held run's thread was joined").isFalse();
        assertThat(events.count("held", Type.SHUTDOWN_TIMEOUT)).isZero();
        assertThat(events.await("held", Type.STOPPED).reason()).isEqualTo(ExitReason.SHUTDOWN);
    }

    @Test
    void aRunIgnoringItsCancellationIsAbandonedAtTheDeadlineAndItsLateEndChangesNothing() throws Exception {
        Duration timeout = Duration.ofMillis(500);
        Supervisor supervisor = shutDown.supervisor(builder("vt-deaf", timeout).build());
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Thread> deafThread = new CompletableFuture<>();
        AtomicBoolean deafEnded = new AtomicBoolean();
        supervisor.register("deaf", ctx -> {
            deafThread.complete(Thread.currentThread());
            DeafProcess.awaitIgnoringInterrupts(release);
            deafEnded.set(true);
            throw new IllegalStateException("late crash"); // must not count
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        supervisor.register("polite", ProcessContext::awaitCancellation);
        supervisor.run();
        Parked.await(deafThread);
        await().atMost(WAIT).until(() -> supervisor.isRunning("polite"));

        supervisor.shutdown();

        assertThat(supervisor.isTerminated()).isTrue();
        assertThat(deafEnded).isFalse();
        SupervisorEvent report = events.await("deaf", Type.SHUTDOWN_TIMEOUT);
        assertThat(report.error()).isInstanceOf(ProcessNotStoppedException.class);
        assertThat(report.error().getStackTrace()).anyMatch(f -> f.getMethodName().equals("awaitIgnoringInterrupts"));
        ProcessSnapshot before = supervisor.snapshot("deaf");
        assertThat(before.status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(before.totalExits()).isEqualTo(before.totalStarts());
        events.awaitTerminated();
        int eventsBefore = events.events().size();

        release.countDown();
        deafThread.get().join(WAIT.toMillis());
        assertThat(deafThread.get().isAlive()).isFalse();
        assertThat(deafEnded).isTrue();
        ProcessSnapshot after = supervisor.snapshot("deaf");
        assertThat(after.status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(after.totalStarts()).isEqualTo(before.totalStarts());
        assertThat(after.totalExits()).isEqualTo(before.totalExits());
        assertThat(after.totalCrashes()).isZero();
        assertThat(after.lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.events()).hasSize(eventsBefore);
    }

    /**
     * A member its group abandoned, then shutdown: shutdown must still return with every other run ended (its body
     * returned) and STOPPED.
     */
    @Test
    void withAMemberAbandonedByItsGroupShutdownStillWaitsForEveryOtherRun() throws Exception {
        Duration timeout = Duration.ofMillis(400);
        Supervisor supervisor = shutDown.supervisor(builder("vt-group", timeout)
                .group("g", GroupStrategy.ONE_FOR_ALL).build());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch failNow = new CountDownLatch(1);
        CompletableFuture<Thread> stuckThread = new CompletableFuture<>();
        AtomicInteger stuckRuns = new AtomicInteger();
        supervisor.register("trigger", ctx -> {
            failNow.await();
            throw new Exception("fail once");
        }, ProcessOption.inGroup("g"), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ofHours(1)));
        supervisor.register("stuck", ctx -> {
            if (stuckRuns.incrementAndGet() == 1) {
                stuckThread.complete(Thread.currentThread());
                DeafProcess.awaitIgnoringInterrupts(release);
            } else {
                ctx.awaitCancellation();
            }
        }, ProcessOption.inGroup("g"), ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        int slow = 200;
        SlowCleanups slowRuns = SlowCleanups.register(supervisor, "slow-", slow, 50);
        supervisor.run();
        Parked.await(stuckThread);
        await().atMost(WAIT).until(() -> slowRuns.begun.size() == slow);
        failNow.countDown();
        events.await("stuck", Type.SHUTDOWN_TIMEOUT); // abandoned by its group
        assertThat(supervisor.status("stuck")).isEqualTo(ProcessStatus.FAILED);

        supervisor.shutdown();

        assertThat(slowRuns.cleanedUp).as("every non-abandoned run ended before shutdown returned").hasSize(slow);
        for (int i = 0; i < slow; i++) {
            ProcessSnapshot snapshot = supervisor.snapshot("slow-" + i);
            assertThat(snapshot.status()).isEqualTo(ProcessStatus.STOPPED);
            assertThat(snapshot.totalExits()).isEqualTo(snapshot.totalStarts());
        }
        assertThat(events.count("stuck", Type.SHUTDOWN_TIMEOUT)).isEqualTo(1);
        release.countDown();
        stuckThread.get().join(WAIT.toMillis());
        assertThat(supervisor.status("stuck")).isEqualTo(ProcessStatus.FAILED);
    }

    /** Shutdown from a run of the same supervisor: it returns to the run with every other run ended. */
    @Test
    void aRunThatShutsItsSupervisorDownGetsItBackWithEveryOtherRunEnded() throws Exception {
        Supervisor supervisor = shutDown.supervisor(builder("vt-own", Duration.ofSeconds(5)).build());
        int others = 200;
        SlowCleanups otherRuns = SlowCleanups.register(supervisor, "other-", others, 20);
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        AtomicInteger cleanedAfter = new AtomicInteger(-1);
        CountDownLatch returned = new CountDownLatch(1);
        supervisor.register("killer", ctx -> {
            go.await();
            supervisor.shutdown();
            interruptedAfter.set(Thread.currentThread().isInterrupted());
            cleanedAfter.set(otherRuns.cleanedUp.size());
            returned.countDown();
        });
        supervisor.run();
        await().atMost(WAIT).until(() -> otherRuns.begun.size() == others);
        go.countDown();
        assertThat(returned.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(interruptedAfter).isTrue();
        assertThat(cleanedAfter.get()).isEqualTo(others);
        assertThat(supervisor.isTerminated()).isTrue();
        events.awaitTerminated();
        List<SupervisorEvent> all = events.events();
        assertThat(all.get(all.size() - 1).type()).isEqualTo(Type.TERMINATED);
        assertThat(events.await("killer", Type.STOPPED).reason()).isEqualTo(ExitReason.SHUTDOWN);
    }

    /** A run calling shutdown() while another shutdown is under way returns once cancelled. */
    @Test
    void aRunCallingShutdownDuringAShutdownReturnsOnceCancelled() throws Exception {
        Supervisor supervisor = shutDown.supervisor(builder("vt-reentrant", Duration.ofSeconds(5)).build());
        CountDownLatch cancelledSeen = new CountDownLatch(1);
        CompletableFuture<Boolean> returned = new CompletableFuture<>();
        supervisor.register("reentrant", ctx -> {
            ctx.awaitCancellation();
            supervisor.shutdown(); // the shutdown under way waits for this run
            returned.complete(supervisor.isTerminated());
        });
        supervisor.run();
        await().atMost(WAIT).until(() -> supervisor.isRunning("reentrant"));
        supervisor.shutdown();
        assertThat(returned.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isFalse();
        assertThat(events.await("reentrant", Type.STOPPED).reason()).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(events.count("reentrant", Type.SHUTDOWN_TIMEOUT)).isZero();
    }

    @Test
    void aTimedAwaitCancellationTimesOutWithoutInterruptAndIsWokenByAStop() throws Exception {
        Supervisor supervisor = shutDown.supervisor(builder("vt-timed", Duration.ofSeconds(5)).build());
        AtomicInteger timeouts = new AtomicInteger();
        AtomicBoolean interruptedInLoop = new AtomicBoolean();
        CompletableFuture<Boolean> interruptedAtEnd = new CompletableFuture<>();
        CompletableFuture<Thread> runThread = new CompletableFuture<>();
        supervisor.register("timed", ctx -> {
            runThread.complete(Thread.currentThread());
            while (!ctx.awaitCancellation(Duration.ofMillis(5))) {
                timeouts.incrementAndGet();
                if (Thread.currentThread().isInterrupted()) {
                    interruptedInLoop.set(true);
                }
                if (timeouts.get() == 20) {
                    while (!ctx.awaitCancellation(Duration.ofHours(1))) {
                        continue;
                    }
                    break;
                }
            }
            interruptedAtEnd.complete(Thread.currentThread().isInterrupted());
        });
        supervisor.run();
        await().atMost(WAIT).until(() -> timeouts.get() == 20);
        Parked.await(runThread); // in the hour-long wait: a stop that found it anywhere else would interrupt it
        supervisor.stop("timed");
        assertThat(interruptedAtEnd.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isFalse();
        assertThat(interruptedInLoop).isFalse();
        assertThat(events.await("timed", Type.STOPPED).reason()).isEqualTo(ExitReason.MANUAL);
    }

    @Test
    void eachRestartIsANewVirtualThreadNamedAfterTheProcessWithItsLogContext() throws Exception {
        Supervisor supervisor = shutDown.supervisor(builder("vt-restarts", Duration.ofSeconds(5)).build());
        int crashes = 30;
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        Set<String> names = ConcurrentHashMap.newKeySet();
        Set<String> contexts = ConcurrentHashMap.newKeySet();
        Set<String> otherContexts = ConcurrentHashMap.newKeySet();
        Set<String> otherNames = ConcurrentHashMap.newKeySet();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch otherStarted = new CountDownLatch(1);
        supervisor.register("other", ctx -> {
            otherContexts.add(String.valueOf(ThreadContext.get("process")));
            otherNames.add(Thread.currentThread().getName());
            otherStarted.countDown();
            ctx.awaitCancellation();
        });
        supervisor.register("looper", ctx -> {
            threads.add(Thread.currentThread());
            names.add(Thread.currentThread().getName());
            contexts.add(String.valueOf(ThreadContext.get("process")));
            int n = runs.incrementAndGet();
            if (n == 1) {
                supervisor.start("other"); // a start from a run's thread
            }
            if (n <= crashes) {
                throw new IllegalStateException("crash " + n);
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO));
        supervisor.register("later", ProcessContext::awaitCancellation);
        supervisor.run();
        assertThat(otherStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        await().atMost(WAIT).until(() -> runs.get() == crashes + 1 && supervisor.isRunning("looper"));
        ProcessSnapshot snapshot = supervisor.snapshot("looper");
        assertThat(snapshot.totalStarts()).isEqualTo(crashes + 1);
        assertThat(snapshot.totalRestarts()).isEqualTo(crashes);
        assertThat(snapshot.totalCrashes()).isEqualTo(crashes);
        assertThat(threads).hasSize(crashes + 1);
        assertThat(names).containsExactly("simplevisor-looper");
        assertThat(contexts).containsExactly("looper");
        assertThat(otherContexts).containsExactly("other");
        assertThat(otherNames).containsExactly("simplevisor-other");
        supervisor.shutdown();
        for (Thread t : threads) {
            t.join(WAIT.toMillis());
        }
        assertThat(threads).allMatch(t -> t.getName().startsWith("simplevisor-vt-restarts-worker-"));
        assertThat(events.count("looper", Type.STARTED)).isEqualTo(crashes + 1);
        assertThat(events.count("looper", Type.CRASHED)).isEqualTo(crashes);
        assertThat(events.count("looper", Type.STOPPED)).isEqualTo(1);
    }

    @Test
    void tenThousandVirtualRunsStartAndStopWithEveryStoppedEventDelivered() throws Exception {
        int n = 10_000;
        Map<String, AtomicInteger> stopped = new ConcurrentHashMap<>();
        AtomicLong started = new AtomicLong();
        AtomicLong timeouts = new AtomicLong();
        CountDownLatch terminated = new CountDownLatch(1);
        Supervisor supervisor = shutDown.supervisor(Supervisor.builder().name("vt-many").virtualThreads(true)
                .shutdownTimeout(Duration.ofSeconds(60)).listener(event -> {
                    switch (event.type()) {
                        case STARTED -> started.incrementAndGet();
                        case STOPPED -> stopped.computeIfAbsent(event.processName(), k -> new AtomicInteger())
                                .incrementAndGet();
                        case SHUTDOWN_TIMEOUT -> timeouts.incrementAndGet();
                        case TERMINATED -> terminated.countDown();
                        default -> { }
                    }
                }).build());
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        AtomicInteger ended = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            supervisor.register("p" + i, ctx -> {
                threads.add(Thread.currentThread());
                try {
                    if (ctx.name().hashCode() % 2 == 0) {
                        ctx.awaitCancellation();
                    } else {
                        while (!ctx.awaitCancellation(Duration.ofMinutes(5))) {
                            continue;
                        }
                    }
                } finally {
                    ended.incrementAndGet();
                }
            });
        }
        supervisor.run();
        await().atMost(Duration.ofSeconds(60)).until(() -> started.get() == n);
        supervisor.shutdown();
        assertThat(ended.get()).isEqualTo(n);
        assertThat(terminated.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(timeouts.get()).isZero();
        assertThat(stopped).hasSize(n);
        assertThat(stopped.values()).allMatch(c -> c.get() == 1);
        for (ProcessSnapshot snapshot : supervisor.snapshots()) {
            assertThat(snapshot.status()).isEqualTo(ProcessStatus.STOPPED);
            assertThat(snapshot.totalExits()).isEqualTo(1);
            assertThat(snapshot.lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
        }
        assertThat(threads).hasSize(n);
        await().atMost(WAIT).until(() -> threads.stream().noneMatch(Thread::isAlive));
    }
}
