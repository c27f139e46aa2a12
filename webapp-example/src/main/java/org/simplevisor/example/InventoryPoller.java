package org.simplevisor.example;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.simplevisor.ProcessContext;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;

/**
 * Polls an (imaginary) inventory service once a second, and now and then the service answers 503: the run
 * fails with a checked exception and the supervisor restarts it after a delay that doubles with each consecutive
 * failure (1 s, 2 s, 4 s, … up to 30 s), spread by ±30 % jitter so that many instances do not retry in step. A run
 * that lasts 15 s is healthy and resets the count and the backoff; at most 10 restarts count within 5 minutes.
 */
@Supervised(name = "inventory-poller", restart = RestartPolicy.ON_FAILURE, maxRestarts = 10,
        restartDelay = "1s", maxRestartDelay = "30s", jitter = 0.3, healthyDuration = "15s", restartWindow = "5m")
public class InventoryPoller implements SupervisedProcess {

    private static final Logger LOG = LogManager.getLogger(InventoryPoller.class);
    private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

    @Override
    public void run(ProcessContext ctx) throws IOException, InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        // Mostly long, healthy runs; sometimes the service fails again soon after a restart.
        int pollsUntilOutage = random.nextInt(10) < 7 ? random.nextInt(15, 26) : random.nextInt(3, 9);
        LOG.info("Polling the inventory service every {} ms (restart count {})", POLL_INTERVAL.toMillis(),
                ctx.restartCount());
        for (int poll = 1; poll <= pollsUntilOutage; poll++) {
            if (ctx.awaitCancellation(POLL_INTERVAL)) {
                LOG.info("Cancelled after {} polls", poll - 1);
                return;
            }
            LOG.debug("Poll {}: {} items changed", poll, random.nextInt(5));
        }
        throw new IOException("inventory service answered 503 Service Unavailable after " + pollsUntilOutage
                + " polls");
    }
}
