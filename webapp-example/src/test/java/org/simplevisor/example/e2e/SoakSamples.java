package org.simplevisor.example.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * The samples of a soak test and whether they stayed flat: the median of the first samples after the warm-up (the
 * baseline) against the median of the last ones. Medians, because one sample can catch Tomcat mid-way (a pool
 * thread being replaced, a log file rolling over); a leak moves every later sample.
 */
final class SoakSamples {

    /** One sample of Tomcat's JVM, taken between two deploy/undeploy cycles (the copy undeployed). */
    record Sample(Duration elapsed, long heapUsedBytes, long threads, long openFileDescriptors, int deployCycles,
                  long crashLoopRestarts, int restartLimitsExceeded) {
    }

    /** How far a figure may rise from the baseline to the end of the soak. */
    record Tolerance(String what, ToLongFunction<Sample> figure, long absolute, double relative) {
        long limit(long baseline) {
            return baseline + Math.max(absolute, Math.round(baseline * relative));
        }

        @Override
        public String toString() {
            return what + " " + absolute + (relative > 0 ? String.format(Locale.ROOT, " or %.0f %%", relative * 100) : "");
        }
    }

    static final long MIB = 1024 * 1024;
    /** Samples per median. */
    static final int WINDOW = 5;

    private final Duration warmUp;
    private final List<Sample> samples = new ArrayList<>();

    /** @param warmUp samples taken before this (JIT, pools and caches filling) are shown but not compared */
    SoakSamples(Duration warmUp) {
        this.warmUp = warmUp;
    }

    void add(Sample sample) {
        samples.add(sample);
    }

    List<Sample> all() {
        return List.copyOf(samples);
    }

    /** @return the samples compared: those after the warm-up */
    List<Sample> afterWarmUp() {
        return samples.stream().filter(s -> s.elapsed().compareTo(warmUp) >= 0).toList();
    }

    /** @return the first samples after the warm-up; as many as the last ones, never overlapping them */
    List<Sample> baseline() {
        List<Sample> compared = afterWarmUp();
        return compared.subList(0, windowSize(compared));
    }

    /** @return the last samples */
    List<Sample> last() {
        List<Sample> compared = afterWarmUp();
        return compared.subList(compared.size() - windowSize(compared), compared.size());
    }

    private static int windowSize(List<Sample> compared) {
        return Math.min(WINDOW, compared.size() / 2);
    }

    static long median(List<Sample> window, ToLongFunction<Sample> figure) {
        long[] values = window.stream().mapToLong(figure).sorted().toArray();
        if (values.length == 0) {
            throw new IllegalStateException("no samples to take a median of");
        }
        return values.length % 2 == 1 ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    /**
     * @return a line per figure that rose beyond its tolerance, empty when every one stayed flat
     * @throws IllegalStateException when there are too few samples after the warm-up to compare
     */
    List<String> violations(List<Tolerance> tolerances) {
        if (windowSize(afterWarmUp()) < 1) {
            throw new IllegalStateException("too few samples after the warm-up (" + afterWarmUp().size()
                    + "): run longer or sample more often");
        }
        List<String> violations = new ArrayList<>();
        for (Tolerance tolerance : tolerances) {
            long first = median(baseline(), tolerance.figure());
            long end = median(last(), tolerance.figure());
            if (end > tolerance.limit(first)) {
                violations.add(tolerance.what() + ": " + end + " at the end > " + tolerance.limit(first)
                        + " (baseline " + first + ")");
            }
        }
        return violations;
    }

    /** @return a Markdown table of every sample (heap in MiB) */
    String table() {
        StringBuilder table = new StringBuilder(
                "| time (s) | heap after GC (MiB) | threads | open fds | deploy cycles | crash-loop restarts"
                + " | restart limits exceeded |\n|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Sample s : samples) {
            table.append(String.format(Locale.ROOT, "| %d%s | %.1f | %d | %d | %d | %d | %d |%n",
                    s.elapsed().toSeconds(), s.elapsed().compareTo(warmUp) < 0 ? " (warm-up)" : "",
                    s.heapUsedBytes() / (double) MIB, s.threads(), s.openFileDescriptors(), s.deployCycles(),
                    s.crashLoopRestarts(), s.restartLimitsExceeded()));
        }
        return table.toString();
    }

    /** @return a line per figure: baseline median, end median, limit */
    String summary(List<Tolerance> tolerances) {
        StringBuilder summary = new StringBuilder();
        for (Tolerance tolerance : tolerances) {
            long first = median(baseline(), tolerance.figure());
            long end = median(last(), tolerance.figure());
            summary.append(String.format(Locale.ROOT, "- %s: baseline median %d, end median %d, limit %d%n",
                    tolerance.what(), first, end, tolerance.limit(first)));
        }
        return summary.toString();
    }
}
