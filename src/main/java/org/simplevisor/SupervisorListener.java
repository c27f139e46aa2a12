package org.simplevisor;

/**
 * Receives a supervisor's events. Listeners are called one event at a time, in the order the events happened, on
 * the supervisor's event thread: never on a process's thread and never while a lock is held, so a slow listener
 * delays only later events, never a process. A listener that throws is logged; the others still get the event.
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
