package org.simplevisor;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The failure recorded for a run that the watchdog found without a heartbeat for longer than its timeout. Its stack
 * trace is the stack of the process's thread at that moment: where it is stuck.
 */
public final class ProcessHungException extends Exception {

    private static final long serialVersionUID = 1L;

    ProcessHungException(String process, Duration silence, Duration timeout, @Nullable Thread thread) {
        super("process \"" + process + "\" sent no heartbeat for " + silence + " (watchdog timeout " + timeout + ")"
                + (thread == null ? "" : "; thread \"" + thread.getName() + "\" is at the stack trace below"));
        setStackTrace(thread == null ? new StackTraceElement[0] : thread.getStackTrace());
    }
}
