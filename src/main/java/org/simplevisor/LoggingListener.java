package org.simplevisor;

import org.apache.logging.log4j.CloseableThreadContext;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Logs the life of every process: starts and stops at INFO, failures at WARN and crashes at ERROR with their
 * stack traces, the restart limit at ERROR. Each line carries the process name in the ThreadContext, whichever
 * thread delivers the event.
 */
final class LoggingListener implements SupervisorListener {

    private static final Logger LOG = LogManager.getLogger(Supervisor.class);

    /** @return FATAL for a {@link VirtualMachineError}, which must never pass quietly; ERROR for the rest */
    static Level severityOf(Throwable thrown) {
        return thrown instanceof VirtualMachineError ? Level.FATAL : Level.ERROR;
    }

    @Override
    @SuppressWarnings("try") // the resource only scopes the ThreadContext entry
    public void onEvent(SupervisorEvent event) {
        if (event.type() == SupervisorEvent.Type.GROUP_RESTARTING) {
            logGroupRestarting(event);
            return;
        }
        if (event.processName() == null) {
            return;
        }
        try (CloseableThreadContext.Instance ctx =
                     CloseableThreadContext.put(ManagedProcess.THREAD_CONTEXT_KEY, event.processName())) {
            log(event, event.snapshot());
        }
    }

    private static void logGroupRestarting(SupervisorEvent event) {
        if (event.trigger() == null) {
            LOG.info("Group \"{}\" restarting at an operator's request: {}", event.group(), event.members());
        } else {
            LOG.info("Group \"{}\" restarting in {} ms because \"{}\" {}: {}", event.group(), event.delay().toMillis(),
                    event.trigger(), event.reason().tagValue(), event.members());
        }
    }

    private static void log(SupervisorEvent event, ProcessSnapshot process) {
        String name = event.processName();
        switch (event.type()) {
            case REGISTERED:
                LOG.debug("Process \"{}\" registered (restart {}, max restarts {}, priority {})", name,
                        process.restartPolicy(), process.maxRestarts(), process.priority());
                break;
            case STARTED:
                LOG.info("Process \"{}\" started{}", name,
                        event.restart() ? " (restart " + process.restartCount() + ")" : "");
                break;
            case COMPLETED:
                LOG.info("Process \"{}\" completed; now {}", name, process.status());
                break;
            case FAILED:
                LOG.warn("Process \"{}\" failed; now {}", name, process.status(), event.error());
                break;
            case CRASHED:
                LOG.log(severityOf(event.error()), "Process \"{}\" crashed; now {}", name, process.status(),
                        event.error());
                break;
            case STOPPED:
                LOG.info("Process \"{}\" stopped ({})", name, event.reason().tagValue());
                break;
            case RESTARTING:
                if (event.reason() == ExitReason.GROUP) {
                    LOG.info("Process \"{}\" restarting with its group \"{}\"", name, process.group());
                    break;
                }
                LOG.info("Process \"{}\" restarting in {} ms (restart {} of {})", name, event.delay().toMillis(),
                        process.restartCount() + 1, process.maxRestarts() > 0 ? process.maxRestarts() : "unlimited");
                break;
            case RESTART_LIMIT_EXCEEDED:
                LOG.error("Process \"{}\" exceeded its restart limit: {} restart(s) of {} allowed; it is FAILED and "
                        + "will not run again on its own. Last error: {}", name, process.restartCount(),
                        process.maxRestarts(), event.error());
                break;
            case HUNG:
                LOG.error("Process \"{}\" is hung; cancelling it", name, event.error());
                break;
            case SHUTDOWN_TIMEOUT:
                LOG.error("Process \"{}\" did not stop within the shutdown timeout; abandoning it", name,
                        event.error());
                break;
            case STATUS_CHANGED:
                if (event.error() != null) {
                    LOG.error("Process \"{}\" is now {}", name, process.status(), event.error());
                } else {
                    LOG.debug("Process \"{}\" is now {}", name, process.status());
                }
                break;
            default:
                break;
        }
    }
}
