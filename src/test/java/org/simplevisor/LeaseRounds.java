package org.simplevisor;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import org.simplevisor.testing.ManualScheduler;

/** For tests that drive the lease keepers of supervisors with a {@link ManualScheduler}. */
final class LeaseRounds {

    private LeaseRounds() {
    }

    /**
     * Waits until every supervisor's lease round has finished, and runs what the rounds scheduled for now meanwhile
     * (a deadline check a round moved to now, say), until nothing is left to run at this time.
     */
    static void awaitDone(ManualScheduler scheduler, Supervisor... supervisors) {
        do {
            await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> Arrays.stream(supervisors).allMatch(s -> s.leaseKeeper().isIdle()));
        } while (scheduler.runDue());
    }
}
