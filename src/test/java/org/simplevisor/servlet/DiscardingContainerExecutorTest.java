package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.ProcessStatus;
import org.simplevisor.Supervisor;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.ShutDownAfterEach;

/**
 * A container's executor that takes a run and drops it without throwing: the process must not be {@code STARTING}
 * for ever. Each test has a real {@link ThreadPoolExecutor} of one thread, held by a task of the container's own,
 * drop the run in one of the ways such an executor can.
 */
class DiscardingContainerExecutorTest {

    /** How long the executor has to begin a run (the supervisor's {@code RUN_TAKE_TIMEOUT}). */
    private static final Duration TAKE_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final ShutDownAfterEach shutDown = new ShutDownAfterEach();

    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final CountDownLatch containerTaskMayEnd = new CountDownLatch(1);

    @Test
    void aRunDiscardedByADiscardPolicyFailsTheProcess() {
        ThreadPoolExecutor container = heldContainer(new SynchronousQueue<>(), new ThreadPoolExecutor.DiscardPolicy());
        Supervisor supervisor = runOn(container);

        assertRefusedAfterTheTimeout(supervisor);
    }

    @Test
    void aRunDiscardedByADiscardOldestPolicyFailsTheProcess() {
        ThreadPoolExecutor container = heldContainer(new ArrayBlockingQueue<>(1),
                new ThreadPoolExecutor.DiscardOldestPolicy());
        Supervisor supervisor = runOn(container);
        assertThat(container.getQueue()).hasSize(1); // the run waits for the thread
        container.execute(() -> { }); // the queue is full: the run, the oldest, is dropped

        assertRefusedAfterTheTimeout(supervisor);
    }

    @Test
    void aRunGivenToAShutDownCallerRunsExecutorFailsTheProcess() {
        ThreadPoolExecutor container = heldContainer(new SynchronousQueue<>(),
                new ThreadPoolExecutor.CallerRunsPolicy());
        container.shutdown(); // its caller-runs policy now drops what it is given, without throwing
        Supervisor supervisor = runOn(container);

        assertRefusedAfterTheTimeout(supervisor);
    }

    @Test
    void aRunTakenFromTheQueueByShutdownNowFailsTheProcess() {
        ThreadPoolExecutor container = heldContainer(new ArrayBlockingQueue<>(1),
                new ThreadPoolExecutor.AbortPolicy());
        Supervisor supervisor = runOn(container);
        assertThat(container.getQueue()).hasSize(1);
        assertThat(container.shutdownNow()).hasSize(1); // the run, never to be run

        assertRefusedAfterTheTimeout(supervisor);
    }

    @Test
    void aRunThatWaitedForAThreadLessThanTheTimeoutRuns() {
        ThreadPoolExecutor container = heldContainer(new ArrayBlockingQueue<>(1),
                new ThreadPoolExecutor.AbortPolicy());
        Supervisor supervisor = runOn(container);
        scheduler.advance(TAKE_TIMEOUT.minusSeconds(1));
        containerTaskMayEnd.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.status("p") == ProcessStatus.RUNNING);
        scheduler.advance(TAKE_TIMEOUT);
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.RUNNING);
        assertThat(scheduler.pendingTasks()).isZero(); // the check was cancelled when the run began
    }

    /** {@return a container's executor of one thread, held by a task of its own until the test ends} */
    private ThreadPoolExecutor heldContainer(BlockingQueue<Runnable> queue,
            RejectedExecutionHandler policy) {
        ThreadPoolExecutor container = shutDown.executor(
                new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, queue, policy));
        shutDown.closeable(containerTaskMayEnd::countDown);
        CountDownLatch held = new CountDownLatch(1);
        container.execute(() -> {
            held.countDown();
            try {
                containerTaskMayEnd.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> held.getCount() == 0);
        return container;
    }

    /** {@return a running supervisor with one process, its runs handed to the container as in a web application} */
    private Supervisor runOn(ThreadPoolExecutor container) {
        ManagedTaskExecutor runs = new ManagedTaskExecutor(container, ForkJoinPool.defaultForkJoinWorkerThreadFactory,
                new URLClassLoader(new URL[0], getClass().getClassLoader()), "/app");
        shutDown.closeable(() -> runs.release(System.nanoTime()));
        Supervisor supervisor = shutDown.supervisor(Supervisor.builder().executor(runs).scheduler(scheduler)
                .clock(clock).build());
        supervisor.register("p", ctx -> ctx.awaitCancellation());
        supervisor.run();
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STARTING);
        return supervisor;
    }

    private void assertRefusedAfterTheTimeout(Supervisor supervisor) {
        try (CapturedLogs logs = CapturedLogs.attach()) {
            scheduler.advance(TAKE_TIMEOUT.minusSeconds(1));
            assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STARTING);
            scheduler.advance(Duration.ofSeconds(1));

            ProcessSnapshot snapshot = supervisor.snapshot("p");
            assertThat(snapshot.status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(snapshot.lastFailure()).isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("has not begun it within 30 s");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(logs.at(Level.ERROR))
                    .anySatisfy(line -> assertThat(line.thrown()).isSameAs(snapshot.lastFailure())));
        }
    }
}
