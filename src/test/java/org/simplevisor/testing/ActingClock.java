package org.simplevisor.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

/**
 * The system clock, which runs an action once, the next time the thread that armed it reads it. A supervisor reads
 * its clock in every snapshot, just after taking it: so a test can change a process between two snapshots that one
 * call of its own takes.
 */
public final class ActingClock extends Clock {

    private final Clock time = Clock.systemUTC();
    private volatile Thread armedBy;
    private volatile Runnable action;

    /** Runs {@code next} at the calling thread's next read of this clock. */
    public void onNextRead(Runnable next) {
        action = next;
        armedBy = Thread.currentThread();
    }

    @Override
    public Instant instant() {
        if (armedBy == Thread.currentThread()) {
            armedBy = null;
            Instant now = time.instant(); // the time of what is being read, before the action changes it
            action.run();
            return now;
        }
        return time.instant();
    }

    @Override
    public ZoneId getZone() {
        return time.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
