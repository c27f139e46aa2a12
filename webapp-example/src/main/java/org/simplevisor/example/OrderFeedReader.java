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
 * Reads orders from an (imaginary) order feed and hands them to {@link OrderProcessor} over {@link OrderQueue}.
 * The feed's connection drops every ten to twenty seconds: the run fails, and as the reader and the processor are
 * one {@code ONE_FOR_ALL} group ({@code order-pipeline}, strategy in {@code web.xml}), the processor is cancelled
 * too and both start again, in start order, two seconds later: no order half handed over survives a reconnect.
 */
@Supervised(name = "order-feed-reader", group = "order-pipeline", restart = RestartPolicy.ON_FAILURE,
        maxRestarts = 5, restartDelay = "2s", healthyDuration = "10s")
public class OrderFeedReader implements SupervisedProcess {

    private static final Logger LOG = LogManager.getLogger(OrderFeedReader.class);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    @Override
    public void run(ProcessContext ctx) throws IOException, InterruptedException {
        OrderQueue.ORDERS.clear(); // a fresh pipeline: the processor that took from it was restarted too
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int pollsUntilDisconnect = random.nextInt(20, 41);
        LOG.info("Connected to the order feed (restart count {})", ctx.restartCount());
        for (int poll = 1; poll <= pollsUntilDisconnect; poll++) {
            if (ctx.awaitCancellation(POLL_INTERVAL)) {
                LOG.info("Disconnecting from the order feed");
                return;
            }
            OrderQueue.ORDERS.offer("order-" + random.nextInt(100_000));
        }
        throw new IOException("order feed connection reset after " + pollsUntilDisconnect + " polls");
    }
}
