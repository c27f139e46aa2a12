package org.simplevisor;

/**
 * A receiver of a supervisor's events. Listeners are called one event at a time, in the order the events happened, on
 * the supervisor's event thread: never on a process's thread and never while a lock is held, so a slow listener
 * delays later events, not a running process. One exception bounds the queue: while more than 1,000 events wait
 * for delivery, no <em>restart</em> begins (first starts and operator actions still do), so that a zero-delay
 * crash loop cannot outrun its listeners. A listener that throws is logged; the others still get the event. One
 * that returns with the event thread's interrupt status set (it caught an {@code InterruptedException} and set the
 * status again, say) passes it on to no other listener or event: the status is cleared after each call. At
 * shutdown, listeners get the queued events until the shutdown timeout (at least 200 ms); what is still queued
 * then is dropped with a warning that names the listener still running, the event it was given and the event
 * thread's stack trace.
 */
@FunctionalInterface
public interface SupervisorListener {

    /**
     * Handles one event.
     *
     * @param event what happened
     */
    void onEvent(SupervisorEvent event);
}
