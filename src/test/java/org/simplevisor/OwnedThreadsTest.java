package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The thread factory that remembers its threads (and those it is given to track): bounded memory of dead ones, and
 * a join of the live ones, until a deadline that even the longest timeout does not wrap around.
 */
class OwnedThreadsTest {

    @Test
    void theDeadlineOfTheLongestTimeoutIsAfterEveryShorterOne() {
        long longest = OwnedThreads.deadlineAfter(ProcessOption.LONGEST.toNanos());
        long grace = OwnedThreads.deadlineAfter(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(Math.max(longest, grace)).isEqualTo(longest);
        assertThat(longest - System.nanoTime()).isPositive();
        assertThat(OwnedThreads.deadlineAfter(-1) - System.nanoTime()).isNegative();
    }

    @Test
    void deadThreadsAreForgottenSoTheSetStaysProportionalToTheLiveOnes() throws InterruptedException {
        OwnedThreads factory = new OwnedThreads("owned-threads-test-", true);
        for (int i = 0; i < 1_000; i++) {
            Thread thread = factory.newThread(() -> { });
            thread.start();
            thread.join();
        }
        // Pruned at each doubling from 64 on, none alive: never more than 64 remembered.
        assertThat(factory.remembered()).isLessThanOrEqualTo(64);
    }

    @Test
    void joinAllWaitsForEveryLiveThreadAmongManyDeadOnes() throws InterruptedException {
        OwnedThreads factory = new OwnedThreads("owned-threads-test-", true);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> live = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            boolean stays = i % 3 == 0;
            Thread thread = factory.newThread(() -> {
                if (stays) {
                    awaitQuietly(release);
                }
            });
            thread.start();
            if (stays) {
                live.add(thread);
            } else {
                thread.join();
            }
        }
        assertThat(factory.joinAll(System.nanoTime())).as("live threads remain").isFalse();
        assertThat(live).allSatisfy(thread -> assertThat(factory.isOwn(thread)).isTrue());

        release.countDown();
        assertThat(factory.joinAll(System.nanoTime() + TimeUnit.SECONDS.toNanos(10))).isTrue();
        assertThat(live).noneMatch(Thread::isAlive);
        assertThat(factory.remembered()).isZero();
    }

    @Test
    void aThreadAnotherFactoryMadeIsJoinedOnceTracked() throws InterruptedException {
        OwnedThreads threads = new OwnedThreads("owned-threads-test-", true);
        CountDownLatch release = new CountDownLatch(1);
        Thread foreign = new Thread(() -> awaitQuietly(release), "made-elsewhere");
        assertThat(threads.track(foreign)).isSameAs(foreign);
        foreign.start();
        assertThat(threads.isOwn(foreign)).isTrue();
        assertThat(threads.joinAll(System.nanoTime())).isFalse();
        assertThat(threads.alive()).containsExactly(foreign);

        release.countDown();
        assertThat(threads.joinAll(System.nanoTime() + TimeUnit.SECONDS.toNanos(10))).isTrue();
        assertThat(foreign.isAlive()).isFalse();
        assertThat(threads.alive()).isEmpty();
    }

    @Test
    void aThreadMadeButNotYetStartedWhenAnotherIsMadeIsNotForgottenAndIsJoined() throws InterruptedException {
        OwnedThreads factory = new OwnedThreads("owned-threads-test-", true);
        CountDownLatch release = new CountDownLatch(1);
        // An executor starts the thread its factory made only after the factory has returned it (a virtual-thread
        // executor, ThreadPoolExecutor): threads other submissions make meanwhile may prune the set.
        Thread madeNotStarted = factory.newThread(() -> awaitQuietly(release));
        for (int i = 0; i < 64; i++) {
            Thread other = factory.newThread(() -> { });
            other.start();
            other.join();
        }
        madeNotStarted.start();

        assertThat(factory.isOwn(madeNotStarted)).as("remembered").isTrue();
        assertThat(factory.joinAll(System.nanoTime())).as("a live thread remains").isFalse();
        release.countDown();
        assertThat(factory.joinAll(System.nanoTime() + TimeUnit.SECONDS.toNanos(10))).isTrue();
        assertThat(madeNotStarted.isAlive()).isFalse();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
