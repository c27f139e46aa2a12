package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.simplevisor.testing.Parked;
import org.simplevisor.testing.ShutDownAfterEach;

/**
 * The waiting half of {@link ProcessContext}: what {@code awaitCancellation} returns or throws, and the interrupt
 * status it leaves, on the run's own thread and on another thread of the process. Every test runs on platform
 * threads and, from Java 21 on, on virtual threads.
 */
class ProcessContextTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Longer than any test: a timed wait that ends returned because of the cancellation. */
    private static final Duration LONG = Duration.ofMinutes(10);

    @RegisterExtension
    final ShutDownAfterEach shutDown = new ShutDownAfterEach();

    private Supervisor supervisor(boolean virtualThreads) {
        assumeTrue(!virtualThreads || Runtime.version().feature() >= 21, "virtual threads need Java 21");
        return shutDown.supervisor(Supervisor.builder().virtualThreads(virtualThreads).build());
    }

    /** What a wait ended with, seen from the thread that waited. */
    private record Outcome(boolean returned, boolean interruptStatus, boolean cancelled) {
    }

    private static Outcome returned(boolean value, ProcessContext ctx) {
        return new Outcome(value, Thread.currentThread().isInterrupted(), ctx.isCancelled());
    }

    @ParameterizedTest(name = "virtual threads: {0}")
    @ValueSource(booleans = {false, true})
    void aTimedWaitOnTheRunThreadReturnsFalseAtItsTimeoutThenTrueWithoutAnInterruptWhenCancelled(
            boolean virtualThreads) throws Exception {
        Supervisor supervisor = supervisor(virtualThreads);
        CompletableFuture<Outcome> timedOut = new CompletableFuture<>();
        CompletableFuture<Outcome> cancelled = new CompletableFuture<>();
        CompletableFuture<Thread> runThread = new CompletableFuture<>();
        supervisor.register("timed", ctx -> {
            timedOut.complete(returned(ctx.awaitCancellation(Duration.ofMillis(1)), ctx));
            runThread.complete(Thread.currentThread());
            cancelled.complete(returned(ctx.awaitCancellation(LONG), ctx));
        });
        supervisor.run();

        Outcome first = timedOut.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(first.returned).as("timed out").isFalse();
        assertThat(first.interruptStatus).isFalse();
        Parked.await(runThread);
        supervisor.stop("timed");
        Outcome second = cancelled.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(second.returned).as("cancelled").isTrue();
        assertThat(second.interruptStatus).as("interrupt status on return").isFalse();
        await().atMost(WAIT).until(() -> supervisor.status("timed") == ProcessStatus.STOPPED);
    }

    @ParameterizedTest(name = "timed: {0}")
    @ValueSource(booleans = {false, true})
    void anInterruptThatIsNotTheCancellationIsThrownWithTheStatusCleared(boolean timed) throws Exception {
        Supervisor supervisor = supervisor(false);
        CompletableFuture<Thread> runThread = new CompletableFuture<>();
        CompletableFuture<Outcome> thrown = new CompletableFuture<>();
        supervisor.register("interrupted", ctx -> {
            runThread.complete(Thread.currentThread());
            try {
                if (timed) {
                    ctx.awaitCancellation(LONG);
                } else {
                    ctx.awaitCancellation();
                }
                thrown.completeExceptionally(new AssertionError("awaitCancellation returned"));
            } catch (InterruptedException expected) {
                thrown.complete(new Outcome(false, Thread.currentThread().isInterrupted(), ctx.isCancelled()));
            }
            ctx.awaitCancellation(); // still cancellable afterwards
        });
        supervisor.run();
        Thread thread = runThread.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        await().atMost(WAIT).until(() -> thread.getState() == (timed ? Thread.State.TIMED_WAITING
                : Thread.State.WAITING));

        thread.interrupt();
        Outcome outcome = thrown.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(outcome.cancelled).isFalse();
        assertThat(outcome.interruptStatus).as("interrupt status after the InterruptedException").isFalse();
        assertThat(supervisor.isRunning("interrupted")).isTrue();
        supervisor.stop("interrupted");
        await().atMost(WAIT).until(() -> supervisor.status("interrupted") == ProcessStatus.STOPPED);
    }

    @ParameterizedTest(name = "virtual threads: {0}")
    @ValueSource(booleans = {false, true})
    void anotherThreadOfTheProcessIsReleasedByTheCancellationWithItsInterruptStatusUntouched(boolean virtualThreads)
            throws Exception {
        Supervisor supervisor = supervisor(virtualThreads);
        CompletableFuture<Outcome> helperTimedOut = new CompletableFuture<>();
        CompletableFuture<Outcome> helperReleased = new CompletableFuture<>();
        supervisor.register("with-helper", ctx -> {
            Thread helper = new Thread(() -> {
                try {
                    helperTimedOut.complete(returned(ctx.awaitCancellation(Duration.ofMillis(1)), ctx));
                    ctx.awaitCancellation();
                    helperReleased.complete(returned(true, ctx));
                } catch (InterruptedException e) {
                    helperReleased.completeExceptionally(e);
                }
            }, "helper");
            helper.start();
            ctx.awaitCancellation();
        });
        supervisor.run();

        Outcome timedOut = helperTimedOut.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(timedOut.returned).as("helper's timed wait").isFalse();
        supervisor.stop("with-helper");
        Outcome released = helperReleased.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(released.cancelled).isTrue();
        assertThat(released.interruptStatus).as("the helper thread was not interrupted").isFalse();
        await().atMost(WAIT).until(() -> supervisor.status("with-helper") == ProcessStatus.STOPPED);
    }

    /**
     * The context of a run that ended on its own (here it completes) is cancelled too: a helper thread waiting for
     * it is released rather than left waiting for ever, and one that polls {@code isCancelled()} stops, instead of
     * working on beside the next run.
     */
    @Test
    void theContextOfARunThatEndedOnItsOwnIsCancelledAndReleasesItsWaiters() throws Exception {
        Supervisor supervisor = supervisor(false);
        CompletableFuture<ProcessContext> context = new CompletableFuture<>();
        CompletableFuture<Boolean> helperReleased = new CompletableFuture<>();
        CountDownLatch helperWaiting = new CountDownLatch(1);
        supervisor.register("ends", ctx -> {
            context.complete(ctx);
            Thread helper = new Thread(() -> {
                try {
                    helperWaiting.countDown();
                    ctx.awaitCancellation();
                    helperReleased.complete(ctx.isCancelled());
                } catch (InterruptedException e) {
                    helperReleased.completeExceptionally(e);
                }
            }, "helper");
            helper.setDaemon(true);
            helper.start();
            helperWaiting.await();
        });
        supervisor.run();

        await().atMost(WAIT).until(() -> supervisor.snapshot("ends").lastExitReason() == ExitReason.COMPLETED);
        assertThat(helperReleased.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the helper was released")
                .isTrue();
        ProcessContext ended = context.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(ended.isCancelled()).as("the context of a run that has ended").isTrue();
        assertThat(ended.awaitCancellation(Duration.ZERO)).as("a timed wait on it").isTrue();
    }

    /**
     * The context is cancelled as soon as the supervisor accounts for the end of a run that ended on its own, before
     * it publishes that end: a helper thread that sees the COMPLETED event or the snapshot (here: the clock reading
     * of that account, on the run's thread) never finds the context of the ended run still live.
     */
    @Test
    void theContextOfARunThatEndedOnItsOwnIsCancelledBeforeItsEndIsPublished() throws Exception {
        CompletableFuture<ProcessContext> context = new CompletableFuture<>();
        List<Boolean> cancelledWhileAccounting = new CopyOnWriteArrayList<>();
        Clock accounting = new Clock() {
            @Override
            public Instant instant() {
                if (context.isDone() && Arrays.stream(Thread.currentThread().getStackTrace())
                        .anyMatch(f -> f.getMethodName().equals("exited")
                                && f.getClassName().equals(ManagedProcess.class.getName()))) {
                    cancelledWhileAccounting.add(context.join().isCancelled());
                }
                return Instant.EPOCH;
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException();
            }
        };
        Supervisor supervisor = shutDown.supervisor(Supervisor.builder().clock(accounting).build());
        supervisor.register("ends", context::complete);
        supervisor.run();

        await().atMost(WAIT).until(() -> supervisor.snapshot("ends").lastExitReason() == ExitReason.COMPLETED);
        assertThat(cancelledWhileAccounting).as("isCancelled() at each clock reading of the account of its end")
                .isNotEmpty().containsOnly(true);
    }

    /** A platform thread that counts the calls of its {@link #interrupt()}. */
    private static final class CountingThread extends Thread {
        final AtomicInteger interrupts = new AtomicInteger();

        CountingThread(Runnable task) {
            super(task);
        }

        @Override
        public void interrupt() {
            interrupts.incrementAndGet();
            super.interrupt();
        }
    }

    /**
     * A run waiting in awaitCancellation() is woken without an interrupt: its cleanup may block, and the stop of
     * thousands of such runs sends none of the interrupts that each search the JVM's list of all threads.
     */
    @Test
    void aRunWaitingForItsCancellationIsWokenWithoutAnyInterrupt() throws Exception {
        List<CountingThread> threads = new CopyOnWriteArrayList<>();
        ExecutorService executor = Executors.newCachedThreadPool(task -> {
            CountingThread thread = new CountingThread(task);
            threads.add(thread);
            return thread;
        });
        try {
            Supervisor supervisor = shutDown.supervisor(Supervisor.builder().executor(executor).build());
            CompletableFuture<Boolean> interruptStatus = new CompletableFuture<>();
            CompletableFuture<Thread> runThread = new CompletableFuture<>();
            supervisor.register("waiting", ctx -> {
                runThread.complete(Thread.currentThread());
                ctx.awaitCancellation();
                interruptStatus.complete(Thread.currentThread().isInterrupted());
            });
            supervisor.run();
            await().atMost(WAIT).until(() -> supervisor.isRunning("waiting") && threads.size() == 1);
            // RUNNING is published before the run's body begins: a thread parked before the body (say, queueing the
            // STARTED event) is not yet waiting for its cancellation, and would be interrupted. Wait for the body.
            Parked.await(runThread);
            assertThat(runThread.get()).isSameAs(threads.get(0));

            supervisor.stop("waiting");
            assertThat(interruptStatus.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isFalse();
            await().atMost(WAIT).until(() -> supervisor.status("waiting") == ProcessStatus.STOPPED);
            assertThat(threads).hasSize(1);
            assertThat(threads.get(0).interrupts).as("interrupt() calls").hasValue(0);
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * An executor passed in may run a task on the thread that submits it (a saturated pool's caller-runs policy): a
     * process registered from a run then runs there, inside the register call. Once that run is over, the thread is
     * still the first run's own: its wait is woken without an interrupt.
     */
    @Test
    void aRunOnWhoseThreadAnotherRunRanIsStillWokenWithoutAnInterrupt() throws Exception {
        ExecutorService executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new SynchronousQueue<>(),
                new ThreadPoolExecutor.CallerRunsPolicy());
        try {
            Supervisor supervisor = shutDown.supervisor(Supervisor.builder().executor(executor).build());
            CompletableFuture<Thread> innerThread = new CompletableFuture<>();
            CompletableFuture<Thread> outerThread = new CompletableFuture<>();
            CompletableFuture<Boolean> interruptStatus = new CompletableFuture<>();
            supervisor.register("outer", ctx -> {
                supervisor.register("inner", inner -> innerThread.complete(Thread.currentThread()));
                outerThread.complete(Thread.currentThread());
                ctx.awaitCancellation();
                interruptStatus.complete(Thread.currentThread().isInterrupted());
            });
            supervisor.run();
            Parked.await(outerThread);
            assertThat(innerThread.getNow(null)).as("the inner run's thread").isSameAs(outerThread.get());

            supervisor.stop("outer");
            assertThat(interruptStatus.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("interrupt status").isFalse();
        } finally {
            executor.shutdownNow();
        }
    }

    /**
     * The point of waking without an interrupt: the cleanup after the wait can sleep and write to an NIO channel,
     * which an interrupted thread cannot (the channel would close with a ClosedByInterruptException).
     */
    @ParameterizedTest(name = "virtual threads: {0}")
    @ValueSource(booleans = {false, true})
    void theCleanupAfterTheWaitCanSleepAndWriteToAChannel(boolean virtualThreads, @TempDir Path dir)
            throws Exception {
        Supervisor supervisor = supervisor(virtualThreads);
        Path journal = dir.resolve("journal");
        CompletableFuture<Throwable> cleanup = new CompletableFuture<>();
        CompletableFuture<Thread> runThread = new CompletableFuture<>();
        supervisor.register("graceful", ctx -> {
            runThread.complete(Thread.currentThread());
            ctx.awaitCancellation();
            try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                Thread.sleep(1); // the point of the test: an interrupted thread could not sleep here
                channel.write(ByteBuffer.wrap("closed cleanly".getBytes(StandardCharsets.UTF_8)));
                cleanup.complete(null);
            } catch (Throwable failed) {
                cleanup.complete(failed);
            }
        });
        supervisor.run();
        Parked.await(runThread);

        supervisor.stop("graceful");
        assertThat(cleanup.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("what the cleanup threw").isNull();
        assertThat(Files.readString(journal)).isEqualTo("closed cleanly");
        await().atMost(WAIT).until(() -> supervisor.status("graceful") == ProcessStatus.STOPPED);
        assertThat(supervisor.snapshot("graceful").lastExitReason()).isEqualTo(ExitReason.MANUAL);
    }

    /**
     * A run that is not waiting in awaitCancellation when cancelled is interrupted, so that a blocking call ends; a
     * later awaitCancellation then returns at once.
     */
    @ParameterizedTest(name = "virtual threads: {0}")
    @ValueSource(booleans = {false, true})
    void aRunBlockedElsewhereIsInterruptedAndALaterWaitReturnsAtOnce(boolean virtualThreads) throws Exception {
        Supervisor supervisor = supervisor(virtualThreads);
        BlockingQueue<String> neverFed = new LinkedBlockingQueue<>();
        CompletableFuture<Thread> runThread = new CompletableFuture<>();
        CompletableFuture<Outcome> afterTake = new CompletableFuture<>();
        CompletableFuture<Outcome> laterWait = new CompletableFuture<>();
        supervisor.register("blocked", ctx -> {
            runThread.complete(Thread.currentThread());
            try {
                neverFed.take();
                afterTake.completeExceptionally(new AssertionError("take() returned"));
            } catch (InterruptedException expected) {
                afterTake.complete(new Outcome(false, Thread.currentThread().isInterrupted(), ctx.isCancelled()));
            }
            laterWait.complete(returned(ctx.awaitCancellation(LONG), ctx));
        });
        supervisor.run();
        Thread thread = runThread.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        await().atMost(WAIT).until(() -> thread.getState() == Thread.State.WAITING);

        supervisor.stop("blocked");
        assertThat(afterTake.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).cancelled).as("cancelled when interrupted")
                .isTrue();
        Outcome later = laterWait.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(later.returned).isTrue();
        assertThat(later.interruptStatus).isFalse();
        await().atMost(WAIT).until(() -> supervisor.status("blocked") == ProcessStatus.STOPPED);
    }
}
