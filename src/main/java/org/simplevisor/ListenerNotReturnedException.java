package org.simplevisor;

/**
 * Reports a listener that had not returned from an event when the shutdown timeout ran out, so that the events
 * queued behind it were dropped. Its stack trace is the stack of the event thread at that moment: where the listener
 * is stuck.
 */
final class ListenerNotReturnedException extends Exception {

    private static final long serialVersionUID = 1L;

    ListenerNotReturnedException(SupervisorListener listener, SupervisorEvent event, Thread thread) {
        super("listener " + Descriptions.of(listener) + " had not returned from event " + event.type()
                + (event.processName() == null ? "" : " of process \"" + event.processName() + "\"")
                + "; thread \"" + thread.getName() + "\" is at the stack trace below");
        setStackTrace(thread.getStackTrace());
    }
}
