package org.simplevisor;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.jspecify.annotations.Nullable;
import org.openjdk.jcstress.infra.results.JJZ_Result;
import org.simplevisor.testing.DaemonThreads;
import org.simplevisor.testing.RecordingListener;

/**
 * A run on the supervisor's own platform thread ending just as the shutdown deadline passes: its thread hands its end
 * over to the priority level being stopped, or finds the level closed and accounts for the end itself, or the run is
 * abandoned. Whichever side wins, the process reports one STOPPED, last, is STOPPED with as many exits as starts when
 * shutdown returns, and is unchanged once its thread has ended. The deadline is a tenth of a millisecond after the
 * wake-up, about the time the woken thread takes to come back, so the hand-over and the level's close cross.
 *
 * <p>The events get at least the supervisor's drain grace after the deadline. When the event thread has not delivered
 * them by then (a long pause of the JVM, or the actors' spinning starving it on a small machine), shutdown gives up on
 * it, as documented: the queued events are dropped and the last one, {@code TERMINATED}, is delivered on the
 * shutting-down thread. The outcome then tells only the accounting, which must hold all the same.
 */
@JCStressTest
@Description("A run's end handed over to shutdown racing the shutdown deadline: accounted for exactly once.")
@Outcome(id = "1, 0, true", expect = ACCEPTABLE, desc = "ended before the deadline")
@Outcome(id = "1, 1, true", expect = ACCEPTABLE_INTERESTING, desc = "outlived the deadline: reported and abandoned")
@Outcome(id = "-1, -1, true", expect = ACCEPTABLE_INTERESTING,
        desc = "the event thread held up past the drain grace: its queued events dropped; accounted for once")
@Outcome(expect = FORBIDDEN, desc = "an end accounted for twice or not at all, or changed after shutdown returned")
@State
public class ShutdownHandOverStress {

    /** The process's name; the jcstress logging configuration leaves out what it logs, abandoned by design. */
    static final String PROCESS = "hand-over-stress";
    private static final Duration DEADLINE = Duration.ofNanos(100_000);
    private static final long JOIN_MILLIS = 10_000;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("hand-over-stress-timer-"));

    private final RecordingListener events = new RecordingListener();
    // Two, since the one the event thread may be held up in gets the last event from the event thread all the same.
    private final TerminatedOn terminatedOn = new TerminatedOn();
    private final TerminatedOn terminatedOnToo = new TerminatedOn();
    private volatile @Nullable Thread shuttingDown;
    private final CountDownLatch cleanupDone = new CountDownLatch(1);
    private final CompletableFuture<Thread> runThread = new CompletableFuture<>();
    private final Supervisor supervisor = Supervisor.builder().name(PROCESS).shutdownTimeout(DEADLINE)
            .scheduler(TIMER).listener(events).listener(terminatedOn).listener(terminatedOnToo)
            .build(); // its own platform threads: only those hand their ends over

    public ShutdownHandOverStress() {
        supervisor.register(PROCESS, ctx -> {
            runThread.complete(Thread.currentThread());
            ctx.awaitCancellation();
            cleanupDone.await(); // a cleanup that lasts until the other actor ends it; abandoned, it is interrupted
        });
        supervisor.run();
        Thread thread = runThread.orTimeout(JOIN_MILLIS, TimeUnit.MILLISECONDS).join();
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_MILLIS);
        // Until parked in awaitCancellation: the cancellation then wakes it without an interrupt.
        while (thread.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > giveUp) {
                throw new IllegalStateException("the run never parked in awaitCancellation: " + thread.getState());
            }
            Thread.yield();
        }
    }

    @Actor
    public void shutdown() {
        shuttingDown = Thread.currentThread();
        supervisor.shutdown();
    }

    @Actor
    public void endTheCleanup() {
        cleanupDone.countDown();
    }

    @Arbiter
    public void arbiter(JJZ_Result r) {
        ProcessSnapshot atReturn = supervisor.snapshot(PROCESS);
        List<SupervisorEvent.Type> types = events.types(PROCESS);
        Thread thread = runThread.join();
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the thread still alive fails the outcome below
        }
        ProcessSnapshot afterThreadEnded = supervisor.snapshot(PROCESS);
        boolean accountedOnce = !thread.isAlive() && types.equals(events.types(PROCESS))
                && types.stream().filter(type -> type == SupervisorEvent.Type.STOPPED).count() <= 1
                && atReturn.status() == ProcessStatus.STOPPED && atReturn.totalStarts() == atReturn.totalExits()
                && afterThreadEnded.status() == atReturn.status()
                && afterThreadEnded.totalExits() == atReturn.totalExits()
                && afterThreadEnded.lastExitReason() == atReturn.lastExitReason();
        // The closing thread delivered the last event: shutdown gave up on the event thread and dropped the queued
        boolean eventsDropped = terminatedOn.thread == shuttingDown || terminatedOnToo.thread == shuttingDown;
        if (eventsDropped) {
            r.r1 = -1;
            r.r2 = -1;
            r.r3 = accountedOnce;
            return;
        }
        r.r1 = events.count(PROCESS, SupervisorEvent.Type.STOPPED);
        r.r2 = events.count(PROCESS, SupervisorEvent.Type.SHUTDOWN_TIMEOUT);
        r.r3 = accountedOnce && !types.isEmpty() && types.get(types.size() - 1) == SupervisorEvent.Type.STOPPED;
    }

    /** Notes the thread that delivers the last event: the shutting-down one only if shutdown gave up on the events. */
    private static final class TerminatedOn implements SupervisorListener {
        volatile @Nullable Thread thread;

        @Override
        public void onEvent(SupervisorEvent event) {
            if (event.type() == SupervisorEvent.Type.TERMINATED) {
                thread = Thread.currentThread();
            }
        }
    }
}
