package org.simplevisor.example;

import java.time.Duration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.simplevisor.ProcessContext;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;

/**
 * Runs until cancelled, beating every two seconds: the shape of every long-running background loop (a queue
 * consumer, a scheduler, a cache refresher). The watchdog declares it hung if a beat is ten seconds late.
 */
@Supervised(name = "heartbeat-ticker", restart = RestartPolicy.ALWAYS, maxRestarts = 5, restartDelay = "1s",
        watchdog = "10s")
public class HeartbeatTicker implements SupervisedProcess {

    private static final Logger LOG = LogManager.getLogger(HeartbeatTicker.class);
    private static final Duration PERIOD = Duration.ofSeconds(2);
    /** A beat at INFO every minute; the others at DEBUG. */
    private static final long BEATS_PER_INFO = 30;

    @Override
    public void run(ProcessContext ctx) throws InterruptedException {
        LOG.info("Ticking every {} s (restart count {})", PERIOD.toSeconds(), ctx.restartCount());
        long beats = 0;
        while (!ctx.awaitCancellation(PERIOD)) {
            ctx.heartbeat();
            beats++;
            if (beats % BEATS_PER_INFO == 0) {
                LOG.info("Still alive after {} beats", beats);
            } else {
                LOG.debug("Beat {}", beats);
            }
        }
        LOG.info("Cancelled after {} beats", beats);
    }
}
