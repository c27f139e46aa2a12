package org.simplevisor;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The report of a run that did not end within the shutdown timeout, or within the time its group gave it: the
 * {@link SupervisorEvent#error() error} of its {@link SupervisorEvent.Type#SHUTDOWN_TIMEOUT} event. Its stack trace
 * is the stack of the process's thread at the moment the supervisor gave up on it: where it is stuck.
 */
public final class ProcessNotStoppedException extends Exception {

    private static final long serialVersionUID = 1L;

    ProcessNotStoppedException(String process, Duration sinceCancelled, @Nullable Thread thread) {
        super("process \"" + process + "\" did not stop " + sinceCancelled.toMillis()
                + " ms after it was cancelled" + (thread == null ? "" : "; thread \"" + thread.getName()
                + "\" is at the stack trace below"));
        setStackTrace(thread == null ? new StackTraceElement[0] : thread.getStackTrace());
    }
}
