package org.simplevisor.example;

import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.simplevisor.ProcessContext;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;

/**
 * Processes the orders {@link OrderFeedReader} hands over. It never fails on its own; it restarts with the reader,
 * as a member of the {@code order-pipeline} group: each restart shows in its totals (TotalRestarts), not against its
 * own restart limit (RestartCount stays 0), and its runs end with the reason {@code group}.
 */
@Supervised(name = "order-processor", group = "order-pipeline", restart = RestartPolicy.ALWAYS, restartDelay = "1s")
public class OrderProcessor implements SupervisedProcess {

    private static final Logger LOG = LogManager.getLogger(OrderProcessor.class);

    @Override
    public void run(ProcessContext ctx) throws InterruptedException {
        LOG.info("Processing orders (restarts so far: {})", ctx.restartCount());
        long processed = 0;
        while (!ctx.isCancelled()) {
            String order = OrderQueue.ORDERS.poll(500, TimeUnit.MILLISECONDS); // a cancellation interrupts the wait
            if (order != null) {
                processed++;
                LOG.debug("Processed {}", order);
            }
        }
        LOG.info("Stopped after {} orders", processed);
    }
}
