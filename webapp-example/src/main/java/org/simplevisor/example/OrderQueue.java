package org.simplevisor.example;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The hand-over between the two members of the order pipeline: {@link OrderFeedReader} puts the orders it reads,
 * {@link OrderProcessor} takes them. Whatever is left in it belongs to the pipeline's last life: the reader clears
 * it when the group starts again.
 */
final class OrderQueue {

    /** One queue per web application (this class is loaded by its class loader). */
    static final BlockingQueue<String> ORDERS = new LinkedBlockingQueue<>(1_000);

    private OrderQueue() {
    }
}
