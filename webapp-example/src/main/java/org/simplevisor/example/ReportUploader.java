package org.simplevisor.example;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.naming.InitialContext;
import javax.naming.NamingException;
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
 *
 * <p>Its {@code @PostConstruct} method looks the partner server up in the application's environment (the
 * {@code env-entry} {@code report-uploader/partner} in {@code web.xml}), and so does its {@code @PreDestroy} method,
 * which signs off from the server after the last run: a clean-up that needs a resource of the container (a
 * {@code DataSource}, a connection factory) looks it up in {@code java:comp} just so.
 */
public class ReportUploader implements SupervisedProcess {

    /** Where the partner server's address is bound: an {@code env-entry} of {@code web.xml}. */
    static final String PARTNER = "java:comp/env/report-uploader/partner";

    private static final Logger LOG = LogManager.getLogger(ReportUploader.class);
    private static final Duration UPLOAD_TIME = Duration.ofSeconds(1);
    private static final int UPLOADS_BEFORE_FIRST_HANG = 2;

    private final AtomicLong runs = new AtomicLong();

    /** Looks the partner server up, before the first run. */
    @PostConstruct
    void connect() {
        LOG.info("Uploading to {}", partner());
    }

    /** Signs off from the partner server, after the last run; a failure is logged, the undeploy goes on. */
    @PreDestroy
    void signOff() {
        try {
            LOG.info("Signed off from {}", partner());
        } catch (IllegalStateException e) {
            LOG.error("Could not sign off: {}", e.getMessage());
        }
    }

    /**
     * {@return the partner server's address}
     *
     * @throws IllegalStateException if it cannot be looked up
     */
    private static String partner() {
        try {
            return InitialContext.doLookup(PARTNER);
        } catch (NamingException e) {
            throw new IllegalStateException(PARTNER + " cannot be looked up on thread \""
                    + Thread.currentThread().getName() + "\": " + e, e);
        }
    }

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
