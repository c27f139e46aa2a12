package org.simplevisor.example;

import java.time.Duration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;

/**
 * Stands for the orders the application takes on every node: each adds a row to the outbox, every half second.
 * Runs on every node (not a singleton); the {@link OutboxRelay} relays the rows from one node. Declared in
 * {@code web.xml} and left out there; the cluster's context descriptor turns it on.
 */
public class OutboxWriter implements SupervisedProcess {

    private static final Logger LOG = LogManager.getLogger(OutboxWriter.class);
    private static final Duration PERIOD = Duration.ofMillis(500);

    private final Outbox outbox = Outbox.lookUp();

    @Override
    public void run(ProcessContext ctx) throws Exception {
        outbox.createTablesIfMissing();
        LOG.info("Adding an order to the outbox every {} ms", PERIOD.toMillis());
        long orders = 0;
        while (!ctx.awaitCancellation(PERIOD)) {
            outbox.add("order " + ++orders);
        }
        LOG.info("Cancelled after {} orders", orders);
    }
}
