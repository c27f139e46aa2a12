package org.simplevisor.example;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.simplevisor.ProcessContext;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;

/**
 * A client of a payment gateway whose credentials are wrong: every run crashes at once. It is restarted on
 * failure every second until it exceeds its restart limit, a few seconds after deployment; then it is FAILED and
 * the {@code simplevisor.process.restart-limit-exceeded} notification goes out: the alert an operator wires to
 * their monitoring. {@code web.xml} lowers the limit of 5 given here to 3 (the deployment descriptor overrides the
 * annotation). After fixing the cause an operator runs it again with the MBean's {@code restart()} operation.
 */
@Supervised(name = "payment-gateway", restart = RestartPolicy.ON_FAILURE, maxRestarts = 5, restartDelay = "1s")
public class PaymentGatewayClient implements SupervisedProcess {

    private static final Logger LOG = LogManager.getLogger(PaymentGatewayClient.class);

    @Override
    public void run(ProcessContext ctx) {
        LOG.info("Connecting to the payment gateway (restart count {})", ctx.restartCount());
        throw new IllegalStateException("payment gateway rejected the API key: HTTP 401 Unauthorized");
    }
}
