package org.simplevisor;

/**
 * Reports a listener that had not returned from an event when the shutdown timeout ran out, so that the events
 * queued behind it were dropped. Its stack trace is the stack of the event thread at that moment: where the listener
 * is stuck.
 */
final class ListenerNotReturnedException extends Exception {

    private static final long serialVersionUID = 1L;

    ListenerNotReturnedException(SupervisorListener listener, SupervisorEvent event, Thread thread) {
        super("listener " + describe(listener) + " had not returned from event " + event.type()
                + (event.processName() == null ? "" : " of process \"" + event.processName() + "\"")
                + "; thread \"" + thread.getName() + "\" is at the stack trace below");
        setStackTrace(thread.getStackTrace());
    }

    /**
     * The listener's own {@code toString()}, or its class when that throws: a failure there must not keep the
     * shutdown from delivering the last event and stopping the event thread.
     */
    private static String describe(SupervisorListener listener) {
        try {
            return String.valueOf(listener);
        } catch (RuntimeException | LinkageError e) {
            return listener.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(listener))
                    + " (its toString() threw " + e.getClass().getName() + ")";
        }
    }
}
