package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.enterprise.concurrent.ManageableThread;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OwnedExecutorTest {

    @Test
    void runsEachTaskOnAManagedThreadAndJoinsThemAllOnShutdown() throws InterruptedException {
        OwnedExecutor owned = new OwnedExecutor("simplevisor-test-executor");
        List<Thread> threads = new CopyOnWriteArrayList<>();
        CountDownLatch running = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            owned.executor().execute(() -> {
                threads.add(Thread.currentThread());
                running.countDown();
                try {
                    new CountDownLatch(1).await(); // a long run, until interrupted
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(threads).hasSize(3).allSatisfy(thread -> {
            assertThat(thread).isInstanceOf(ManageableThread.class);
            assertThat(thread.getName()).startsWith("simplevisor-test-executor-Thread-");
        });
        assertThat(owned.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(5))).isTrue();
        assertThat(threads).noneMatch(Thread::isAlive);
        assertThat(owned.executor().isShutdown()).isTrue();
    }

    @Test
    void reportsAThreadThatDoesNotEnd() throws InterruptedException {
        OwnedExecutor owned = new OwnedExecutor("simplevisor-stubborn-executor");
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        owned.executor().execute(() -> {
            running.countDown();
            while (true) {
                try {
                    release.await();
                    return;
                } catch (InterruptedException ignored) {
                    // a process that will not stop
                }
            }
        });
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(owned.shutdown(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100))).isFalse();
        release.countDown();
        assertThat(owned.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(5))).isTrue();
    }
}
