package org.simplevisor;

import org.apache.logging.log4j.ThreadContext;
import org.jspecify.annotations.Nullable;

/**
 * A process's name in Log4j's ThreadContext for as long as this is open, then the thread's entry as it was. Lighter
 * than {@code CloseableThreadContext}, which builds a map of the values it replaced at each use: the event thread
 * opens one per event, and a shutdown delivers thousands of events at once.
 */
final class ProcessLogContext implements AutoCloseable {

    /**
     * The key of the process name in Log4j's ThreadContext: on a run's thread while it runs, and around every line
     * logged about a process.
     */
    static final String KEY = "process";

    private final @Nullable String previous;

    private ProcessLogContext(@Nullable String previous) {
        this.previous = previous;
    }

    /** {@return the open entry: puts {@code processName} in the calling thread's context until closed} */
    static ProcessLogContext open(String processName) {
        String previous = ThreadContext.get(KEY);
        ThreadContext.put(KEY, processName);
        return new ProcessLogContext(previous);
    }

    /** Puts back what the calling thread had before {@link #open}; call it on the thread that opened it. */
    @Override
    public void close() {
        if (previous == null) {
            ThreadContext.remove(KEY);
        } else {
            ThreadContext.put(KEY, previous);
        }
    }
}
