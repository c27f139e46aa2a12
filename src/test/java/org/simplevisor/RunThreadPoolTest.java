package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The platform threads of the supervisor's runs: reused while idle, ended after the keep-alive or at shutdown. */
class RunThreadPoolTest {

    private final OwnedThreads threads = new OwnedThreads("run-thread-pool-test-", true);

    @Test
    void aTaskSubmittedWhileAThreadIsIdleRunsOnThatThread() throws Exception {
        RunThreadPool pool = new RunThreadPool(threads, 1, TimeUnit.HOURS);
        BlockingQueue<Thread> ranOn = new ArrayBlockingQueue<>(2);
        pool.execute(() -> ranOn.add(Thread.currentThread()));
        Thread first = ranOn.take();
        await().until(() -> first.getState() == Thread.State.TIMED_WAITING); // idle

        pool.execute(() -> ranOn.add(Thread.currentThread()));

        assertThat(ranOn.take()).isSameAs(first);
        assertThat(threads.alive()).containsExactly(first);
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anIdleThreadEndsAfterTheKeepAliveTime() throws Exception {
        RunThreadPool pool = new RunThreadPool(threads, 20, TimeUnit.MILLISECONDS);
        BlockingQueue<Thread> ranOn = new ArrayBlockingQueue<>(2);
        pool.execute(() -> ranOn.add(Thread.currentThread()));
        Thread first = ranOn.take();

        first.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(first.isAlive()).isFalse();
        assertThat(pool.isShutdown()).isFalse();
        pool.execute(() -> ranOn.add(Thread.currentThread())); // a new thread for the next task
        assertThat(ranOn.take()).isNotSameAs(first);
    }

    @Test
    void shutdownRejectsNewTasksEndsIdleThreadsAndLetsBusyOnesFinishTheirTask() throws Exception {
        RunThreadPool pool = new RunThreadPool(threads, 1, TimeUnit.HOURS);
        CountDownLatch idleRan = new CountDownLatch(1);
        CountDownLatch busyStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        pool.execute(idleRan::countDown);
        idleRan.await();
        pool.execute(() -> { // reuses the idle thread, and keeps it busy
            busyStarted.countDown();
            awaitQuietly(release);
            finished.incrementAndGet();
        });
        busyStarted.await();
        CountDownLatch secondIdle = new CountDownLatch(1);
        pool.execute(secondIdle::countDown); // on a second thread, idle afterwards
        secondIdle.await();

        pool.shutdown();

        assertThat(pool.isShutdown()).isTrue();
        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        await().until(() -> threads.alive().size() == 1); // the idle one has ended, the busy one has not
        assertThat(pool.isTerminated()).isFalse();
        release.countDown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.isTerminated()).isTrue();
        assertThat(finished).hasValue(1);
    }

    @Test
    void anInterruptLeftByATaskIsNotSeenByTheNextTaskOnTheSameThread() throws Exception {
        RunThreadPool pool = new RunThreadPool(threads, 1, TimeUnit.HOURS);
        BlockingQueue<Thread> ranOn = new ArrayBlockingQueue<>(2);
        BlockingQueue<Boolean> interrupted = new ArrayBlockingQueue<>(1);
        pool.execute(() -> {
            ranOn.add(Thread.currentThread());
            Thread.currentThread().interrupt();
        });
        Thread first = ranOn.take();
        await().until(() -> first.getState() == Thread.State.TIMED_WAITING);

        pool.execute(() -> {
            ranOn.add(Thread.currentThread());
            interrupted.add(Thread.currentThread().isInterrupted());
        });

        assertThat(ranOn.take()).isSameAs(first);
        assertThat(interrupted.take()).isFalse();
        pool.shutdown();
    }

    @Test
    void shutdownNowInterruptsTheTasksStillRunning() throws Exception {
        RunThreadPool pool = new RunThreadPool(threads, 1, TimeUnit.HOURS);
        CountDownLatch started = new CountDownLatch(1);
        BlockingQueue<Boolean> interrupted = new ArrayBlockingQueue<>(1);
        pool.execute(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
                interrupted.add(false);
            } catch (InterruptedException e) {
                interrupted.add(true);
            }
        });
        started.await();

        assertThat(pool.shutdownNow()).isEmpty();

        assertThat(interrupted.take()).isTrue();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * Workers retire as fast as they can (a zero keep-alive) while four threads submit: a task handed to a worker
     * that retires at the same moment must go to another thread, never be lost or run twice.
     */
    @Test
    void everyTaskRunsExactlyOnceWhileIdleThreadsRetireConcurrently() throws Exception {
        RunThreadPool pool = new RunThreadPool(threads, 0, TimeUnit.NANOSECONDS);
        int submitters = 4;
        int perSubmitter = 1_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(submitters * perSubmitter);
        CountDownLatch allRan = new CountDownLatch(submitters * perSubmitter);
        List<Thread> submitting = new ArrayList<>();
        for (int s = 0; s < submitters; s++) {
            int first = s * perSubmitter;
            Thread submitter = new Thread(() -> {
                for (int i = first; i < first + perSubmitter; i++) {
                    int task = i;
                    pool.execute(() -> {
                        runs.incrementAndGet(task);
                        allRan.countDown();
                    });
                }
            });
            submitter.start();
            submitting.add(submitter);
        }
        for (Thread submitter : submitting) {
            submitter.join();
        }

        assertThat(allRan.await(60, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < runs.length(); i++) {
            assertThat(runs.get(i)).as("runs of task %d", i).isEqualTo(1);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
