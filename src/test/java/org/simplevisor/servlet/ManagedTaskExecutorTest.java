package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import jakarta.enterprise.concurrent.ManagedTask;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinPool.ForkJoinWorkerThreadFactory;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.logging.log4j.ThreadContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.servlet.it.InterruptSensitiveExecutor;

class ManagedTaskExecutorTest {

    private static final ForkJoinWorkerThreadFactory JDK_THREADS = ForkJoinPool.defaultForkJoinWorkerThreadFactory;

    private final ClassLoader webapp = new URLClassLoader(new URL[0], getClass().getClassLoader());
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<Runnable> submitted = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    /** An executor that records what it is given and runs it on the pool. */
    private ExecutorService recording() {
        return container(command -> {
            submitted.add(command);
            pool.execute(command);
        });
    }

    @Test
    void runsAreLongRunningManagedTasksWithTheWebApplicationsLoaderAndContext() throws Exception {
        for (ForkJoinWorkerThreadFactory handOver : Arrays.asList(null, JDK_THREADS)) {
            submitted.clear();
            ManagedTaskExecutor executor = new ManagedTaskExecutor(recording(), handOver, webapp, "/app");
            AtomicReference<ClassLoader> tccl = new AtomicReference<>();
            AtomicReference<String> context = new AtomicReference<>();
            AtomicReference<Thread> thread = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(1);
            executor.execute(() -> {
                thread.set(Thread.currentThread());
                tccl.set(Thread.currentThread().getContextClassLoader());
                context.set(ThreadContext.get(ManagedTaskExecutor.THREAD_CONTEXT_KEY));
                ran.countDown();
            });
            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(tccl.get()).isSameAs(webapp);
            assertThat(context.get()).isEqualTo("/app");
            assertThat(submitted).singleElement().isInstanceOfSatisfying(ManagedTask.class, task -> {
                assertThat(task.getExecutionProperties()).containsEntry(ManagedTask.LONGRUNNING_HINT, "true")
                        .containsEntry(ManagedTask.IDENTITY_NAME, "simplevisor process of /app");
            });
            // release() returns once the run has left its thread, with the thread's loader and context restored
            assertThat(executor.release(System.nanoTime() + TimeUnit.SECONDS.toNanos(5))).isTrue();
            CountDownLatch checked = new CountDownLatch(1);
            AtomicReference<String> after = new AtomicReference<>();
            pool.execute(() -> {
                if (Thread.currentThread() == thread.get()) {
                    after.set(Thread.currentThread().getContextClassLoader() + " " + ThreadContext.get("context"));
                }
                checked.countDown();
            });
            assertThat(checked.await(5, TimeUnit.SECONDS)).isTrue();
            if (after.get() != null) {
                assertThat(after.get()).doesNotContain("URLClassLoader").endsWith(" null");
            }
        }
    }

    @Test
    void theContainersThreadsAreNotMadeFromTheWebApplicationsThread() throws Exception {
        AtomicReference<ClassLoader> creatorLoader = new AtomicReference<>();
        ExecutorService container = Executors.newSingleThreadExecutor(task -> {
            creatorLoader.set(Thread.currentThread().getContextClassLoader());
            return new Thread(task, "container");
        });
        try {
            ManagedTaskExecutor executor = new ManagedTaskExecutor(container, JDK_THREADS, webapp, "/app");
            ClassLoader previous = Thread.currentThread().getContextClassLoader();
            Thread.currentThread().setContextClassLoader(webapp); // as during contextInitialized
            CountDownLatch ran = new CountDownLatch(1);
            try {
                executor.execute(ran::countDown);
            } finally {
                Thread.currentThread().setContextClassLoader(previous);
            }
            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(creatorLoader.get()).isNotSameAs(webapp);
            executor.release(System.nanoTime());
        } finally {
            container.shutdownNow();
        }
    }

    @Test
    void aRejectionOfTheContainersExecutorReachesTheSupervisor() {
        ExecutorService stopped = Executors.newSingleThreadExecutor();
        stopped.shutdown();
        ManagedTaskExecutor executor = new ManagedTaskExecutor(stopped, JDK_THREADS, webapp, "/app");
        assertThatThrownBy(() -> executor.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        executor.release(System.nanoTime());
    }

    @Test
    void shuttingDownRefusesRunsButNeverShutsTheManagedExecutorDown() throws InterruptedException {
        ManagedTaskExecutor executor = new ManagedTaskExecutor(recording(), null, webapp, "/app");
        assertThat(executor.isShutdown()).isFalse();
        executor.shutdown();
        assertThat(executor.shutdownNow()).isEmpty();
        assertThat(executor.isShutdown()).isTrue();
        assertThat(executor.isTerminated()).isTrue();
        assertThat(executor.awaitTermination(1, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> executor.execute(() -> { })).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("/app");
        assertThat(submitted).isEmpty();
    }

    /**
     * {@return an executor (of a web application's own) with one run on a thread, which holds it until
     * {@code release} opens}
     */
    private ManagedTaskExecutor holdingARun(CountDownLatch release) throws InterruptedException {
        return holdingARun(recording(), null, release);
    }

    /** {@return as {@link #holdingARun(CountDownLatch)}, on {@code managed} and its hand-over threads} */
    private ManagedTaskExecutor holdingARun(ExecutorService managed, ForkJoinWorkerThreadFactory handOverThreads,
            CountDownLatch release) throws InterruptedException {
        ManagedTaskExecutor executor = new ManagedTaskExecutor(managed, handOverThreads, webapp, "/app");
        CountDownLatch started = new CountDownLatch(1);
        executor.execute(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        return executor;
    }

    @Test
    void itTerminatesOnceShutDownAndTheLastRunHasLeftItsThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ManagedTaskExecutor executor = holdingARun(release);
        Future<Boolean> waiter = pool.submit(() -> executor.awaitTermination(10, TimeUnit.SECONDS));
        assertThat(executor.awaitTermination(1, TimeUnit.MILLISECONDS)).as("not shut down").isFalse();
        executor.shutdown();
        assertThat(executor.isTerminated()).as("a run is still on its thread").isFalse();
        assertThat(executor.awaitTermination(1, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(waiter).isNotDone();
        release.countDown();
        assertThat(waiter.get(5, TimeUnit.SECONDS)).as("the waiter is woken when the run leaves").isTrue();
        assertThat(executor.isTerminated()).isTrue();
    }

    @Test
    void aWaitingAwaitTerminationReturnsWhenAnIdleExecutorIsShutDown() throws Exception {
        ManagedTaskExecutor executor = new ManagedTaskExecutor(recording(), null, webapp, "/app");
        AtomicReference<Thread> waiting = new AtomicReference<>();
        Future<Boolean> waiter = pool.submit(() -> {
            waiting.set(Thread.currentThread());
            return executor.awaitTermination(10, TimeUnit.SECONDS);
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> waiting.get() != null
                && waiting.get().getState() == Thread.State.TIMED_WAITING);
        assertThat(executor.isTerminated()).isFalse();
        executor.shutdownNow();
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aRunThatOutlivesTheDeadlineIsReported() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        ManagedTaskExecutor executor = holdingARun(release);
        assertThat(executor.release(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50))).isFalse();
        release.countDown();
        assertThat(executor.release(System.nanoTime() + TimeUnit.SECONDS.toNanos(5))).isTrue();
    }

    /** {@return a container's executor: what {@code execute} does is given; it is never shut down} */
    private static ExecutorService container(Consumer<Runnable> execute) {
        return new java.util.concurrent.AbstractExecutorService() {
            @Override
            public void execute(Runnable command) {
                execute.accept(command);
            }

            @Override
            public void shutdown() {
                throw new AssertionError("a managed executor is never shut down");
            }

            @Override
            public List<Runnable> shutdownNow() {
                throw new AssertionError("a managed executor is never shut down");
            }

            @Override
            public boolean isShutdown() {
                return false;
            }

            @Override
            public boolean isTerminated() {
                return false;
            }

            @Override
            public boolean awaitTermination(long timeout, TimeUnit unit) {
                return false;
            }
        };
    }

    @Test
    void anInterruptedCallerHandsItsRunOverOnceAndKeepsItsInterruptStatus() throws InterruptedException {
        InterruptSensitiveExecutor container = new InterruptSensitiveExecutor();
        try {
            ManagedTaskExecutor executor = new ManagedTaskExecutor(container, JDK_THREADS, webapp, "/app");
            AtomicInteger ran = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(100);
            for (int i = 0; i < 100; i++) {
                Thread.currentThread().interrupt(); // as the thread of a run its cancellation interrupted
                executor.execute(() -> {
                    ran.incrementAndGet();
                    done.countDown();
                });
                assertThat(Thread.interrupted()).as("the caller's interrupt status, kept").isTrue();
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(container.submitted()).as("handed over").isEqualTo(100);
            assertThat(ran.get()).isEqualTo(100);
            assertThat(executor.release(System.nanoTime() + TimeUnit.SECONDS.toNanos(5))).isTrue();
        } finally {
            container.shutdownNow();
        }
    }

    @Test
    void anInterruptWhileTheContainerTakesTheRunNeitherLosesNorRefusesIt() throws Exception {
        CountDownLatch inExecute = new CountDownLatch(1);
        CountDownLatch accept = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        ExecutorService slow = Executors.newSingleThreadExecutor();
        try {
            ExecutorService container = container(command -> {
                inExecute.countDown();
                try {
                    accept.await(); // the hand-over thread is never interrupted: an interrupt would refuse the run
                } catch (InterruptedException e) {
                    throw new RejectedExecutionException(e);
                }
                pool.execute(command);
            });
            ManagedTaskExecutor executor = new ManagedTaskExecutor(container, JDK_THREADS, webapp, "/app");
            AtomicReference<Thread> caller = new AtomicReference<>();
            AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
            java.util.concurrent.Future<?> handedOver = slow.submit(() -> {
                caller.set(Thread.currentThread());
                executor.execute(ran::incrementAndGet);
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            });
            assertThat(inExecute.await(10, TimeUnit.SECONDS)).isTrue();
            caller.get().interrupt();
            caller.get().interrupt();
            accept.countDown();
            handedOver.get(10, TimeUnit.SECONDS);
            assertThat(interruptedAfter.get()).as("the interrupt is kept for the caller").isTrue();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> ran.get() == 1);
            executor.release(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        } finally {
            slow.shutdownNow();
        }
    }

    @Test
    void theHandOverThreadComesFromTheGivenFactoryAndCallsTheContainerWithTheContainersLoader() throws Exception {
        AtomicInteger made = new AtomicInteger();
        ForkJoinWorkerThreadFactory containerThreads = forkJoinPool -> {
            made.incrementAndGet();
            ForkJoinWorkerThread thread = JDK_THREADS.newThread(forkJoinPool);
            thread.setContextClassLoader(webapp); // a managed thread runs with the application's context
            return thread;
        };
        AtomicReference<ClassLoader> loaderInExecute = new AtomicReference<>();
        AtomicReference<String> threadInExecute = new AtomicReference<>();
        ExecutorService container = container(command -> {
            loaderInExecute.set(Thread.currentThread().getContextClassLoader());
            threadInExecute.set(Thread.currentThread().getName());
            pool.execute(command);
        });
        ManagedTaskExecutor executor = new ManagedTaskExecutor(container, containerThreads, webapp, "/app");
        CountDownLatch ran = new CountDownLatch(1);
        executor.execute(ran::countDown);
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(made.get()).isEqualTo(1);
        assertThat(threadInExecute.get()).isNotEqualTo(Thread.currentThread().getName());
        assertThat(loaderInExecute.get()).as("not the web application's")
                .isSameAs(container.getClass().getClassLoader()).isNotSameAs(webapp);
        executor.release(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void anExceptionOfTheContainersExecutorOtherThanARejectionIsARejection() {
        ExecutorService broken = Executors.newSingleThreadExecutor(task -> {
            throw new IllegalStateException("the executor is stopping");
        });
        try {
            ManagedTaskExecutor executor = new ManagedTaskExecutor(broken, JDK_THREADS, webapp, "/app");
            assertThatThrownBy(() -> executor.execute(() -> { })).isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("/app").hasRootCauseMessage("the executor is stopping");
            executor.release(System.nanoTime());
        } finally {
            broken.shutdownNow();
        }
    }

    /**
     * A saturated container executor that runs what it cannot take on its caller (CallerRunsPolicy) would run the
     * process on the hand-over thread: every later hand-over would wait behind it and be refused after the hand-over
     * timeout, and its submitter (contextInitialized, a restart) would wait, uninterruptibly, until the run ends.
     * Whether the container wraps the task in a future (which keeps what it throws) or not.
     */
    @Test
    void aRunTheContainerWouldRunOnTheHandOverThreadIsRefused() throws Exception {
        for (boolean wrapsInAFuture : new boolean[] {false, true}) {
            ThreadPoolExecutor threads = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new SynchronousQueue<>(),
                    new ThreadPoolExecutor.CallerRunsPolicy());
            ExecutorService container = wrapsInAFuture
                    ? container(command -> threads.execute(new FutureTask<>(command, null))) : threads;
            CountDownLatch release = new CountDownLatch(1);
            try {
                // the container's one thread
                ManagedTaskExecutor executor = holdingARun(container, JDK_THREADS, release);
                AtomicReference<Thread> ranOn = new AtomicReference<>();
                assertThatThrownBy(() -> executor.execute(() -> ranOn.set(Thread.currentThread())))
                        .as("wrapped in a future: %s", wrapsInAFuture)
                        .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("/app");
                release.countDown();
                assertThat(executor.release(System.nanoTime() + TimeUnit.SECONDS.toNanos(5))).isTrue();
                assertThat(ranOn.get()).as("never run").isNull();
            } finally {
                release.countDown();
                threads.shutdownNow();
            }
        }
    }

    /**
     * A run still waiting in the container's queue at undeploy (its executor saturated by others) must not keep the
     * supervisor's task, which holds the process instance and whatever it holds, for as long as the queue does; when
     * its turn comes it does nothing.
     */
    @Test
    void aRunStillQueuedInTheContainerAtReleaseIsNoLongerHeldByItsTask() throws Exception {
        ThreadPoolExecutor container = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        CountDownLatch busy = new CountDownLatch(1);
        container.execute(() -> { // another application's long task holds the only thread
            try {
                busy.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            ManagedTaskExecutor executor = new ManagedTaskExecutor(container, JDK_THREADS, webapp, "/app");
            AtomicInteger ran = new AtomicInteger();
            WeakReference<Runnable> queued = handOverARun(executor, ran);
            assertThat(container.getQueue()).hasSize(1);
            assertThat(executor.release(System.nanoTime() + TimeUnit.SECONDS.toNanos(5))).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                System.gc();
                return queued.get() == null;
            });
            busy.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> container.getCompletedTaskCount() == 2);
            assertThat(ran.get()).as("not run after release").isZero();
        } finally {
            busy.countDown();
            container.shutdownNow();
        }
    }

    /** {@return the run handed over, weakly: nothing but the executor and the container holds it} */
    private static WeakReference<Runnable> handOverARun(ManagedTaskExecutor executor, AtomicInteger ran) {
        Runnable run = new Runnable() {
            @Override
            public void run() {
                ran.incrementAndGet();
            }
        };
        executor.execute(run);
        return new WeakReference<>(run);
    }
}
