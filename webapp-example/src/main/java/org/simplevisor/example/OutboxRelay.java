package org.simplevisor.example;

import java.time.Duration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;

/**
 * The cluster singleton of the example: relays the outbox every half second, on one node of those sharing the
 * lease table; the others keep it {@code STANDBY}. Every relay transaction carries the run's fencing token
 * ({@link ProcessContext#fencingToken()}) through the fence, so a run whose lease has passed to another node (its
 * node paused past its lease) cannot relay a row again: its write is rejected and it ends.
 *
 * <p>Declared in {@code web.xml} as a singleton and left out there; the cluster's context descriptor
 * ({@code webapp-example/cluster/}) turns it on together with the {@code DataSource} its lease needs.
 */
public class OutboxRelay implements SupervisedProcess {

    private static final Logger LOG = LogManager.getLogger(OutboxRelay.class);
    private static final Duration PERIOD = Duration.ofMillis(500);
    private static final int BATCH = 100;
    /** A summary at INFO every ten seconds; each batch at DEBUG. */
    private static final long PERIODS_PER_INFO = 20;

    private final Outbox outbox = Outbox.lookUp();

    @Override
    public void run(ProcessContext ctx) throws Exception {
        long token = ctx.fencingToken();
        outbox.createTablesIfMissing();
        LOG.info("Relaying the outbox with fencing token {}", token);
        long relayed = 0;
        for (long period = 1; !ctx.awaitCancellation(PERIOD); period++) {
            int rows = outbox.relay(token, BATCH);
            if (rows < 0) {
                throw new IllegalStateException("fenced out: a run with a newer token than " + token
                        + " has relayed, so this one must not");
            }
            relayed += rows;
            LOG.debug("Relayed {} rows", rows);
            if (period % PERIODS_PER_INFO == 0) {
                LOG.info("Relayed {} rows so far with fencing token {}", relayed, token);
            }
        }
        LOG.info("Cancelled after relaying {} rows with fencing token {}", relayed, token);
    }
}
