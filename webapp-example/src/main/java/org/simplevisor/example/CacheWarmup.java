package org.simplevisor.example;

import java.time.Duration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;

/**
 * A one-shot start-up task: loads the product cache in a few batches and returns. Declared only in
 * {@code web.xml} with restart policy {@code never}: once it has completed its status is STOPPED for good.
 */
public class CacheWarmup implements SupervisedProcess {

    private static final Logger LOG = LogManager.getLogger(CacheWarmup.class);
    private static final int BATCHES = 5;
    private static final int ENTRIES_PER_BATCH = 200;
    private static final Duration BATCH_TIME = Duration.ofMillis(200);

    @Override
    public void run(ProcessContext ctx) throws InterruptedException {
        LOG.info("Warming the product cache: {} batches", BATCHES);
        for (int batch = 1; batch <= BATCHES; batch++) {
            if (ctx.awaitCancellation(BATCH_TIME)) { // stands for a database query
                LOG.info("Cancelled after {} of {} batches", batch - 1, BATCHES);
                return;
            }
            LOG.debug("Batch {}: {} entries", batch, ENTRIES_PER_BATCH);
        }
        LOG.info("Product cache warm: {} entries", BATCHES * ENTRIES_PER_BATCH);
    }
}
