package org.simplevisor;

import java.time.Duration;

/** The failure recorded for a run that the watchdog found without a heartbeat for longer than its timeout. */
public final class ProcessHungException extends Exception {

    private static final long serialVersionUID = 1L;

    ProcessHungException(String process, Duration silence, Duration timeout) {
        super("process \"" + process + "\" sent no heartbeat for " + silence + " (watchdog timeout " + timeout + ")");
    }
}
