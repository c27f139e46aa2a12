package org.simplevisor.testing;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for test and benchmark pools that must never keep a JVM (a fork, a test run) alive. */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** @return a factory of daemon threads named {@code prefix1}, {@code prefix2}, ... */
    public static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
