package org.simplevisor;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jspecify.annotations.Nullable;

/**
 * Logs the life of every process: starts and stops at INFO, failures at WARN and crashes at ERROR with their
 * stack traces, the restart limit at ERROR, a singleton's lease acquired or released at INFO and lost at WARN. Each
 * line carries the process name in the ThreadContext, whichever thread delivers the event.
 *
 * <p>A loop stays readable: when a process ends the same way again (the same completion, or a failure of the same
 * type, message and top frames, with causes of the same type, message and top frames) within the repeat window of
 * the first one logged, the repeat and the restart lines that follow it are counted, not logged; so are the group
 * restarts it triggers, and the other members' lines of them (but for a member they stop for good). What was
 * folded is told once per window: by the next full line of that outcome after the window ("Before this one, N more
 * ..."), or by a summary line when the process comes to rest or is started afresh (an operator's start or restart:
 * its next repeat is logged in full), a different outcome's window ends, {@value #TRACKED_OUTCOMES} other outcomes
 * of the process have come since, or the supervisor terminates. Every different outcome, the restart limit, a hang
 * and a shutdown timeout are always logged in full. Events arrive one at a time, in order, on the event thread.
 */
final class LoggingListener implements SupervisorListener {

    private static final Logger LOG = LogManager.getLogger(Supervisor.class);
    /** Frames that, with its type and message, tell one failure (and each of its causes) from another. */
    private static final int SIGNATURE_FRAMES = 5;
    /** Links of a failure's cause chain, itself first, that tell it from another. */
    private static final int SIGNATURE_CAUSES = 16;
    /** Outcomes of one process tracked at once; a new one beyond them ends the window of the oldest. */
    private static final int TRACKED_OUTCOMES = 64;

    private final Duration repeatWindow;
    /** The groups whose members a member's restart takes along (not ONE_FOR_ONE): only there is a loop a trigger. */
    private final Set<String> groupsRestartingTogether;
    private final Map<String, ProcessRepeats> processes = new HashMap<>();
    /** By group, the member whose repeat was counted last: while it loops, it triggers the group's restarts. */
    private final Map<String, ProcessRepeats> loopingByGroup = new HashMap<>();

    /**
     * @param repeatWindow how long repeats of a logged outcome are counted instead of logged; zero logs all
     * @param groups       the declared groups and their strategies
     */
    LoggingListener(Duration repeatWindow, Map<String, GroupStrategy> groups) {
        this.repeatWindow = repeatWindow;
        Set<String> together = new HashSet<>();
        groups.forEach((group, strategy) -> {
            if (strategy != GroupStrategy.ONE_FOR_ONE) {
                together.add(group);
            }
        });
        this.groupsRestartingTogether = Set.copyOf(together);
    }

    /** {@return FATAL for a {@link VirtualMachineError}, which must never pass quietly; ERROR for the rest} */
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
            processes.forEach(this::summarizeAll); // TERMINATED: nothing counted stays untold
            processes.clear();
            loopingByGroup.clear();
            return;
        }
        String name = event.processName();
        try (ProcessLogContext context = ProcessLogContext.open(name)) {
            if (event.type() == SupervisorEvent.Type.STARTED && !event.restart()) {
                forget(name); // started afresh (an operator's start or restart): its loop, if any, is over
            }
            log(event, event.snapshot(), processes.get(name));
            if (event.snapshot().status().isAtRest()) {
                forget(name); // at rest: its loop, if any, is over
            }
        }
    }

    /** Tells what was counted of the process, and forgets it. */
    private void forget(String name) {
        ProcessRepeats repeats = processes.remove(name);
        if (repeats != null) {
            summarizeAll(name, repeats);
        }
    }

    /** Logs a group restart, unless it repeats within the trigger's folded loop, whose summary tells it. */
    private void logGroupRestarting(SupervisorEvent event) {
        ProcessRepeats repeats = event.trigger() == null ? null : processes.get(event.trigger());
        if (repeats != null && repeats.looping != null) {
            repeats.looping.countGroupRestart(event.group());
            return;
        }
        if (event.trigger() == null) {
            LOG.info("Group \"{}\" restarting at an operator's request: {}", event.group(), event.members());
        } else {
            LOG.info("Group \"{}\" restarting in {} ms because \"{}\" {}: {}", event.group(), event.delay().toMillis(),
                    event.trigger(), event.reason().tagValue(), event.members());
        }
    }

    private void log(SupervisorEvent event, ProcessSnapshot process, @Nullable ProcessRepeats repeats) {
        if (foldedIntoGroupLoop(event, process, repeats)) {
            return;
        }
        String name = event.processName();
        Fold looping = repeats == null ? null : repeats.looping;
        switch (event.type()) {
            case REGISTERED:
                LOG.debug("Process \"{}\" registered (restart {}, max restarts {}, priority {})", name,
                        process.restartPolicy(), process.maxRestarts(), process.priority());
                break;
            case STARTED:
                if (!(event.restart() && looping != null)) {
                    LOG.info("Process \"{}\" started{}", name, howStarted(event, process));
                }
                break;
            case COMPLETED:
                logOutcome(event, Level.INFO, "completed", Outcome.completion());
                break;
            case FAILED:
                logOutcome(event, Level.WARN, "failed", Outcome.failure(event.error()));
                break;
            case CRASHED:
                logOutcome(event, severityOf(event.error()), "crashed", Outcome.failure(event.error()));
                break;
            case STOPPED:
                if (event.reason() == ExitReason.CANCELLED && process.status().isAtRest()) {
                    LOG.warn("Process \"{}\" stopped ({}): interrupted by something other than its supervisor (a"
                            + " container's hung-task check, say); it is {} and will not run again until an operator"
                            + " starts it", name, event.reason().tagValue(), process.status());
                } else {
                    LOG.info("Process \"{}\" stopped ({})", name, event.reason().tagValue());
                }
                break;
            case RESTARTING:
                if (looping != null) {
                    looping.restarts++;
                } else if (event.reason() == ExitReason.GROUP) {
                    LOG.info("Process \"{}\" restarting with its group \"{}\"", name, process.group());
                } else {
                    LOG.info("Process \"{}\" restarting in {} ms (restart {} of {})", name, event.delay().toMillis(),
                            process.restartCount() + 1,
                            process.maxRestarts() > 0 ? process.maxRestarts() : "unlimited");
                }
                break;
            case RESTART_LIMIT_EXCEEDED:
                LOG.error("Process \"{}\" exceeded its restart limit: {} restart(s) of {} allowed; it is FAILED and "
                        + "will not run again on its own. {}", name, process.restartCount(), process.maxRestarts(),
                        lastRunOf(event, process));
                break;
            case HUNG:
                LOG.error("Process \"{}\" is hung; cancelling it", name, event.error());
                break;
            case SHUTDOWN_TIMEOUT:
                LOG.error("Process \"{}\" did not stop within {}; abandoning it", name,
                        event.reason() == ExitReason.GROUP ? "the time its group gave it" : "the shutdown timeout",
                        event.error());
                break;
            case LEASE_ACQUIRED:
                LOG.info("Process \"{}\" acquired its lease (fencing token {}); starting", name,
                        process.lease().fencingToken());
                break;
            case LEASE_LOST:
                logLeaseLost(event, name, process);
                break;
            case STATUS_CHANGED:
                if (event.error() != null) { // its run could not be handed to the executor
                    LOG.log(severityOf(event.error()), "Process \"{}\" is now {}", name, process.status(),
                            event.error());
                } else {
                    LOG.debug("Process \"{}\" is now {}", name, process.status());
                }
                break;
            default:
                break;
        }
        if (repeats != null && event.type() != SupervisorEvent.Type.RESTARTING
                && event.type() != SupervisorEvent.Type.STARTED && !isOutcome(event.type())) {
            repeats.looping = null;
        }
    }

    /** {@return what the line of a start adds: nothing for a first start, else whose restart it is} */
    private static String howStarted(SupervisorEvent event, ProcessSnapshot process) {
        if (!event.restart()) {
            return "";
        }
        return process.lastExitReason() == ExitReason.GROUP ? " with its group \"" + process.group() + "\""
                : " (restart " + process.restartCount() + ")";
    }

    /**
     * {@return how the run that exceeded the restart limit ended} Under {@code ALWAYS} it may have completed, with no
     * error of its own: the last failure before it, if any, is told instead.
     */
    private static String lastRunOf(SupervisorEvent event, ProcessSnapshot process) {
        if (event.error() != null) {
            return "Last error: " + event.errorDescription();
        }
        String ended = "Last run " + event.reason().tagValue();
        return process.lastFailure() == null ? ended + "."
                : ended + "; last error: " + process.lastFailureDescription();
    }

    private static void logLeaseLost(SupervisorEvent event, String name, ProcessSnapshot process) {
        LeaseLoss loss = process.lease().lastLoss();
        if (loss == LeaseLoss.RELEASED) {
            LOG.info("Process \"{}\" released its lease", name);
        } else if (event.reason() == ExitReason.SHUTDOWN) { // never given back under a run that may still work
            LOG.warn("Process \"{}\" leaves its lease to expire: its run may still be working", name);
        } else if (process.status().isAtRest()) {
            LOG.warn("Process \"{}\" lost its lease ({}) while the run its group abandoned may still be working;"
                    + " another node may start it", name, loss.tagValue());
        } else {
            LOG.warn("Process \"{}\" lost its lease ({}); its run is stopped", name, loss.tagValue());
        }
    }

    /**
     * {@return whether the event is a member's line of a group restart that another member's folded loop triggered
     * (stopped and restarting with the group, then started again): the loop's summary tells them} The member's lines
     * come before the group restart's own event, when the trigger's repeat has just been counted.
     */
    private boolean foldedIntoGroupLoop(SupervisorEvent event, ProcessSnapshot process,
            @Nullable ProcessRepeats repeats) {
        // Not a member the group stops for good (policy NEVER, or given up on): it comes to rest, no part of the loop.
        boolean groupLine = (event.type() == SupervisorEvent.Type.STOPPED
                || event.type() == SupervisorEvent.Type.RESTARTING) && event.reason() == ExitReason.GROUP
                && !process.status().isAtRest();
        if (!groupLine) {
            boolean restartedWithTheLoop = repeats != null && repeats.inGroupLoop
                    && event.type() == SupervisorEvent.Type.STARTED && event.restart();
            if (repeats != null && event.type() != SupervisorEvent.Type.STATUS_CHANGED) {
                repeats.inGroupLoop = false; // its part in the group restart is over
            }
            if (repeats != null && event.type() == SupervisorEvent.Type.STARTED) {
                repeats.awaitingGroupStart = false; // running again: a later group restart is not its loop's
            }
            return restartedWithTheLoop;
        }
        ProcessRepeats trigger = process.group() == null ? null : loopingByGroup.get(process.group());
        if (trigger == null || trigger == repeats || trigger.looping == null || !trigger.awaitingGroupStart
                || !trigger.looping.windowEnd.isAfter(event.time())) { // a loop long over is no trigger now
            return false;
        }
        processes.computeIfAbsent(event.processName(), name -> new ProcessRepeats()).inGroupLoop = true;
        return true;
    }

    private static boolean isOutcome(SupervisorEvent.Type type) {
        return type == SupervisorEvent.Type.COMPLETED || type == SupervisorEvent.Type.FAILED
                || type == SupervisorEvent.Type.CRASHED;
    }

    /**
     * Logs how a run ended, or counts it as a repeat of the same outcome logged within the window. Only an outcome
     * starts counting a process's repeats: one whose runs never end keeps nothing here.
     */
    private void logOutcome(SupervisorEvent event, Level level, String verb, Outcome outcome) {
        ProcessRepeats repeats = processes.computeIfAbsent(event.processName(), process -> new ProcessRepeats());
        Instant now = event.time();
        Fold sameBefore = null;
        for (Iterator<Fold> folds = repeats.folds.values().iterator(); folds.hasNext(); ) {
            Fold fold = folds.next();
            if (fold.windowEnd.isAfter(now)) {
                continue;
            }
            folds.remove(); // its window has passed: told by this line if it is the same outcome, else on its own
            if (fold.outcome.equals(outcome)) {
                sameBefore = fold;
            } else {
                summarize(event.processName(), fold);
            }
        }
        Fold current = repeats.folds.get(outcome);
        if (current != null) {
            current.count(now);
            repeats.looping = current;
            String group = event.snapshot().group();
            if (group != null && groupsRestartingTogether.contains(group)) { // a ONE_FOR_ONE loop restarts alone
                loopingByGroup.put(group, repeats);
                repeats.awaitingGroupStart = true; // until it starts again, its group's restart is its loop's
            }
            return;
        }
        repeats.looping = null;
        String status = event.snapshot().status().toString();
        // A hang's trace, where the run was stuck, is on the HUNG line just before
        boolean hung = event.error() instanceof ProcessHungException;
        String said = hung ? verb + ": hung (stack trace above)" : verb;
        Throwable thrown = hung ? null : event.error();
        if (sameBefore != null && sameBefore.times > 0) {
            LOG.log(level, "Process \"{}\" {}; now {}. Before this one, {}", event.processName(), said, status,
                    sameBefore.describe(), thrown);
        } else {
            LOG.log(level, "Process \"{}\" {}; now {}", event.processName(), said, status, thrown);
        }
        if (!repeatWindow.isZero()) {
            if (repeats.folds.size() == TRACKED_OUTCOMES) { // the oldest goes first: its window ends first
                Iterator<Fold> oldest = repeats.folds.values().iterator();
                summarize(event.processName(), oldest.next());
                oldest.remove();
            }
            repeats.folds.put(outcome, new Fold(outcome, level, now.plus(repeatWindow)));
        }
    }

    private void summarizeAll(String process, ProcessRepeats repeats) {
        repeats.folds.values().forEach(fold -> summarize(process, fold));
        repeats.folds.clear();
        repeats.looping = null;
    }

    @SuppressWarnings("try") // the resource only scopes the ThreadContext entry
    private static void summarize(String process, Fold fold) {
        if (fold.times == 0) {
            return;
        }
        try (ProcessLogContext context = ProcessLogContext.open(process)) {
            LOG.log(fold.level, "Process \"{}\": {}", process, fold.describe());
        }
    }

    // ---------------------------------------------------------------- what is counted

    /** The outcomes of one process being counted, and the one its current loop repeats. */
    private static final class ProcessRepeats {
        final Map<Outcome, Fold> folds = new LinkedHashMap<>();
        /** The outcome the last run repeated, while its restart lines are counted too; else {@code null}. */
        @Nullable Fold looping;
        /** Whether its lines of a group restart that another member's folded loop triggered are being left out. */
        boolean inGroupLoop;
        /** Its repeat was just counted and it has not started since: the group restart under way is its loop's. */
        boolean awaitingGroupStart;
    }

    /**
     * How one run ended, as far as telling repeats apart goes. A class, not a record: on JDK 17 a record's
     * generated {@code equals} leaves its class in a JDK-wide method handle cache, which would keep an undeployed
     * web application's class loader alive.
     */
    private static final class Outcome {
        private final @Nullable String description; // null for a completion
        /** Of the failure and each of its causes in turn: its type and message, then its top frames. */
        private final List<Object> signature;

        private Outcome(@Nullable String description, List<Object> signature) {
            this.description = description;
            this.signature = signature;
        }

        static Outcome completion() {
            return new Outcome(null, List.of());
        }

        /**
         * The failure with its causes: the same wrapper thrown at the same place around another cause (a refused
         * connection, then a refused password) is another failure. The root cause is named in the summary lines.
         */
        static Outcome failure(Throwable error) {
            List<Object> signature = new ArrayList<>();
            Throwable root = error;
            int links = 0;
            // Bounded, not tracked: a chain may loop, and this runs for every failure of a crash loop.
            for (Throwable link = error; link != null && links < SIGNATURE_CAUSES; link = link.getCause(), links++) {
                StackTraceElement[] frames = link.getStackTrace();
                signature.add(link.toString());
                signature.addAll(Arrays.asList(frames).subList(0, Math.min(SIGNATURE_FRAMES, frames.length)));
                root = link;
            }
            return new Outcome(root == error ? error.toString() : error + ", caused by " + root,
                    List.copyOf(signature));
        }

        String what() {
            return description == null ? "completion" : "failure (" + description + ")";
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Outcome that && Objects.equals(description, that.description)
                    && signature.equals(that.signature);
        }

        @Override
        public int hashCode() {
            return Objects.hash(description, signature);
        }
    }

    /** The repeats of one outcome within its window. */
    private static final class Fold {
        final Outcome outcome;
        final Level level;
        final Instant windowEnd;
        long times;
        long restarts;
        long groupRestarts;
        @Nullable String group;
        @Nullable Instant first; // set by the first count(), before describe() is called
        @Nullable Instant last;

        Fold(Outcome outcome, Level level, Instant windowEnd) {
            this.outcome = outcome;
            this.level = level;
            this.windowEnd = windowEnd;
        }

        void count(Instant at) {
            if (times++ == 0) {
                first = at;
            }
            last = at;
        }

        void countGroupRestart(@Nullable String restartedGroup) {
            groupRestarts++;
            group = restartedGroup;
        }

        String describe() {
            String with = restarts > 0 ? ", with " + restarts + " restart(s)" : "";
            if (groupRestarts > 0) {
                with += (with.isEmpty() ? ", with " : " and ") + groupRestarts + " restart(s) of group \"" + group
                        + "\" (its members' lines included)";
            }
            return times + " more of the same " + outcome.what() + " from " + first.truncatedTo(ChronoUnit.MILLIS)
                    + " to " + last.truncatedTo(ChronoUnit.MILLIS) + (with.isEmpty() ? "" : with + ",")
                    + " were not logged";
        }
    }
}
