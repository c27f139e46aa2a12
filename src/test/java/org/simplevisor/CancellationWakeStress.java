package org.simplevisor;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZZ_Result;

/**
 * A run leaving a short timed {@code awaitCancellation} by its timeout just as it is cancelled: the cancellation either
 * wakes the wait (which then returns true, with no interrupt) or interrupts the thread, never neither. Here in the
 * core's package, as it drives one run the way its owning process does: begin, wait, leave, each under the owner's
 * lock, with the cancellation under the same lock.
 */
@JCStressTest
@Description("A timed awaitCancellation racing the cancellation: woken without an interrupt, or interrupted.")
@Outcome(id = "true, false, true", expect = ACCEPTABLE_INTERESTING, desc = "woken in the wait, no interrupt")
@Outcome(id = "true, true, true", expect = ACCEPTABLE,
        desc = "cancelled before the wait began: interrupted, and the wait returned at once")
@Outcome(id = "false, true, true", expect = ACCEPTABLE_INTERESTING,
        desc = "the wait timed out just before the cancellation, which interrupted the thread")
@Outcome(id = "true, false, false", expect = ACCEPTABLE, desc = "cancelled before the run began: nothing to wake")
@Outcome(id = "false, false, false", expect = ACCEPTABLE, desc = "cancelled after the run had left its thread")
@Outcome(expect = FORBIDDEN,
        desc = "a cancellation that reached the run's thread was missed, or an interrupt without one")
@State
public class CancellationWakeStress {

    /**
     * About the time a cancellation takes to reach the waiting thread, so that the two often cross (a platform
     * thread's wait, on a monitor, rounds it up to a millisecond; the crossings still occur).
     */
    private static final Duration WAIT = Duration.ofNanos(20_000);

    private final Object ownerLock = new Object();
    private final ProcessRun run = new ProcessRun("waiter", System::nanoTime, false);

    @Actor
    public void run(ZZZ_Result r) {
        synchronized (ownerLock) {
            run.began(Thread.currentThread(), 0);
        }
        ProcessRun.setCurrent(run);
        try {
            r.r1 = run.awaitCancellation(WAIT);
        } catch (InterruptedException e) {
            r.r1 = false; // only the cancellation interrupts here, and the wait must count it: forbidden below
        } finally {
            synchronized (ownerLock) {
                run.left(); // after this the cancellation finds no thread: what it sent before has arrived
            }
            r.r2 = Thread.interrupted();
            ProcessRun.setCurrent(null);
        }
    }

    @Actor
    public void cancel(ZZZ_Result r) {
        synchronized (ownerLock) {
            r.r3 = run.thread != null;
            run.cancel(ProcessRun.CancelCause.MANUAL);
        }
    }
}
