package org.simplevisor.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.simplevisor.Supervisor;

/** A thread waiting in {@link Supervisor#awaitShutdownSignal(Runnable)}, counting the teardowns it runs. */
public final class ShutdownSignalWaiter {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final AtomicInteger teardowns = new AtomicInteger();
    private final Thread thread;

    private ShutdownSignalWaiter(Supervisor supervisor) {
        thread = new Thread(() -> supervisor.awaitShutdownSignal(teardowns::incrementAndGet), "waiter");
    }

    /** Starts a thread that waits for the supervisor's shutdown signal; {@return it, once it waits} */
    public static ShutdownSignalWaiter waitingFor(Supervisor supervisor) {
        ShutdownSignalWaiter waiter = new ShutdownSignalWaiter(supervisor);
        waiter.thread.start();
        Awaitility.await().atMost(WAIT).until(() -> waiter.thread.getState() == Thread.State.WAITING);
        return waiter;
    }

    /** {@return the waiting thread} */
    public Thread thread() {
        return thread;
    }

    /** {@return how many times the teardown has run} */
    public int teardowns() {
        return teardowns.get();
    }
}
