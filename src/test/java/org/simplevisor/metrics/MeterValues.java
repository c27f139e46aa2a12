package org.simplevisor.metrics;

import static org.simplevisor.metrics.SupervisorMetrics.TAG_PROCESS_NAME;
import static org.simplevisor.metrics.SupervisorMetrics.TAG_REASON;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.MeterNotFoundException;
import io.micrometer.core.instrument.search.RequiredSearch;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.simplevisor.ExitReason;

/** Reads one process's meters from a registry; every read fails if the meter is missing. */
final class MeterValues {

    private final MeterRegistry registry;
    private final String process;
    private final String[] extraTags;

    /** @param extraTags common tags as key, value, ... (e.g. the context) to pick one supervisor's series */
    MeterValues(MeterRegistry registry, String process, String... extraTags) {
        this.registry = registry;
        this.process = process;
        this.extraTags = extraTags;
    }

    /**
     * Waits for meter values; a meter not there yet is waited for too, as meters are registered on the event thread
     * when it handles the REGISTERED event.
     */
    static ConditionFactory awaitMeters(Duration atMost) {
        return Awaitility.await().atMost(atMost).ignoreExceptionsInstanceOf(MeterNotFoundException.class);
    }

    private RequiredSearch search(String meter) {
        RequiredSearch search = registry.get(meter).tag(TAG_PROCESS_NAME, process);
        return extraTags.length == 0 ? search : search.tags(extraTags);
    }

    double gauge(String meter) {
        return search(meter).gauge().value();
    }

    double counter(String meter) {
        return search(meter).counter().count();
    }

    double status() {
        return gauge(SupervisorMetrics.PROCESS_STATUS);
    }

    double running() {
        return gauge(SupervisorMetrics.PROCESSES_RUNNING);
    }

    double restartCount() {
        return gauge(SupervisorMetrics.PROCESS_RESTART_COUNT);
    }

    double started() {
        return counter(SupervisorMetrics.PROCESS_STARTED);
    }

    double restarted() {
        return counter(SupervisorMetrics.PROCESS_RESTARTED);
    }

    double panics() {
        return counter(SupervisorMetrics.PROCESS_PANICS);
    }

    double limitExceeded() {
        return counter(SupervisorMetrics.RESTART_LIMIT_EXCEEDED);
    }

    double shutdownTimeouts() {
        return counter(SupervisorMetrics.SHUTDOWN_TIMEOUTS);
    }

    double stopped(ExitReason reason) {
        return search(SupervisorMetrics.PROCESS_STOPPED).tag(TAG_REASON, reason.tagValue()).counter().count();
    }

    /** Every reason a process that is not a singleton stops for: it has no {@code lease_lost} counter. */
    private static final Set<ExitReason> REASONS = EnumSet.complementOf(EnumSet.of(ExitReason.LEASE_LOST));

    /** @return the stopped counter of every reason */
    Map<ExitReason, Double> stopped() {
        Map<ExitReason, Double> all = new EnumMap<>(ExitReason.class);
        for (ExitReason reason : REASONS) {
            all.put(reason, stopped(reason));
        }
        return all;
    }

    /** @return a map with every reason at 0 except those given as reason, count, reason, count, ... */
    static Map<ExitReason, Double> stops(Object... reasonsAndCounts) {
        Map<ExitReason, Double> all = new EnumMap<>(ExitReason.class);
        for (ExitReason reason : REASONS) {
            all.put(reason, 0.0);
        }
        for (int i = 0; i < reasonsAndCounts.length; i += 2) {
            all.put((ExitReason) reasonsAndCounts[i], ((Number) reasonsAndCounts[i + 1]).doubleValue());
        }
        return all;
    }
}
