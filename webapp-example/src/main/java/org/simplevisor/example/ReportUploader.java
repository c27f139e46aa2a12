package org.simplevisor.example;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;

/**
 * Uploads a report every second to an (imaginary) partner server that sometimes stops answering mid-transfer:
 * the process then hangs, beating no more. Declared only in {@code web.xml} with a watchdog of 3 s: the watchdog
 * declares it hung ({@code simplevisor.process.hung}), interrupts it, and it is restarted on failure. The first
 * run always hangs after two uploads, so the watchdog can be seen at work right after deployment; later runs hang
 * with a chance of 1 in 100 per upload.
 */
public class ReportUploader implements SupervisedProcess {

    private static final Logger LOG = LogManager.getLogger(ReportUploader.class);
    private static final Duration UPLOAD_TIME = Duration.ofSeconds(1);
    private static final int UPLOADS_BEFORE_FIRST_HANG = 2;

    private final AtomicLong runs = new AtomicLong();

    @Override
    public void run(ProcessContext ctx) throws InterruptedException {
        long run = runs.incrementAndGet();
        LOG.info("Uploading reports (run {}, restart count {})", run, ctx.restartCount());
        for (int upload = 1; ; upload++) {
            boolean stuck = run == 1 ? upload > UPLOADS_BEFORE_FIRST_HANG
                    : ThreadLocalRandom.current().nextInt(100) == 0;
            if (stuck) {
                LOG.warn("Upload {}: the partner server stopped answering; waiting for its reply", upload);
                // Stands for a blocking read that never returns: no heartbeat from here on. The watchdog's
                // interrupt ends the wait with an InterruptedException.
                new CountDownLatch(1).await();
            }
            if (ctx.awaitCancellation(UPLOAD_TIME)) {
                LOG.info("Cancelled after {} uploads", upload - 1);
                return;
            }
            ctx.heartbeat();
            LOG.debug("Upload {} done", upload);
        }
    }
}
