package org.simplevisor.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;

/**
 * Issue 6, measurement 5: how late the watchdog detects a hung process, relative to its timeout. One process never
 * calls {@code heartbeat()}; the watchdog declares it hung, it is cancelled, ends, and is restarted with zero delay
 * for the next sample. Two views of each detection, both minus the timeout:
 * <ul>
 * <li><b>detected</b>: the HUNG event's time minus the run's start time, both by the supervisor's clock
 *     (microsecond resolution);</li>
 * <li><b>seen</b>: from the process's first instruction to its {@code awaitCancellation()} returning, by
 *     {@code System.nanoTime()}: what the process experiences, the wake-up of its thread included.</li>
 * </ul>
 * With meters, MBeans and logging at the default level (the hang is logged at ERROR with a stack trace).
 */
public final class WatchdogBenchmark {

    /** Lateness samples of one timeout, in milliseconds. */
    record Result(long timeoutMs, double[] detectedMs, double[] seenMs) {

        String line() {
            return String.format(Locale.ROOT, "RESULT timeoutMs=%d samples=%d %s %s", timeoutMs, detectedMs.length,
                    stats("detected", detectedMs), stats("seen", seenMs));
        }

        private static String stats(String prefix, double[] samples) {
            double[] s = samples.clone();
            Arrays.sort(s);
            return String.format(Locale.ROOT, "%1$sMean=%2$.4f %1$sP50=%3$.4f %1$sP99=%4$.4f %1$sMax=%5$.4f", prefix,
                    Arrays.stream(s).average().orElse(Double.NaN), percentile(s, 0.50), percentile(s, 0.99),
                    s.length == 0 ? Double.NaN : s[s.length - 1]);
        }
    }

    private WatchdogBenchmark() {
    }

    /**
     * Prints one {@code RESULT} line per timeout.
     *
     * @param args pairs of timeout (ms) and samples, e.g. {@code 10 300 100 50 1000 10}
     */
    public static void main(String[] args) throws Exception {
        run(10, 5); // warm-up
        for (int i = 0; i + 1 < args.length; i += 2) {
            System.out.println(run(Long.parseLong(args[i]), Integer.parseInt(args[i + 1])).line());
        }
        System.exit(0);
    }

    /** Measures {@code samples} detections with the given watchdog timeout. */
    static Result run(long timeoutMs, int samples) throws Exception {
        Duration timeout = Duration.ofMillis(timeoutMs);
        long timeoutNs = timeout.toNanos();
        List<Double> detected = new ArrayList<>();
        List<Double> seen = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        Supervisor supervisor = Supervisor.builder().name(Observed.uniqueName("watchdog"))
                .shutdownTimeout(Duration.ofSeconds(10)).build();
        supervisor.register("hung", ctx -> {
            long start = System.nanoTime();
            ctx.awaitCancellation();
            long end = System.nanoTime();
            synchronized (seen) {
                if (seen.size() < samples && end - start > timeoutNs / 2) { // not the run shutdown cancels
                    seen.add((end - start - timeoutNs) / 1e6);
                }
            }
        }, ProcessOption.withWatchdog(timeout), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        Observed observed = new Observed(supervisor, Observed.Observers.ALL);
        supervisor.addListener(event -> {
            if (event.type() == SupervisorEvent.Type.HUNG) {
                Duration silence = Duration.between(event.snapshot().lastStartTime(), event.time());
                synchronized (detected) {
                    if (detected.size() < samples) {
                        detected.add((silence.toNanos() - timeoutNs) / 1e6);
                    }
                    if (detected.size() == samples) {
                        done.countDown();
                    }
                }
            }
        });
        supervisor.run();
        if (!done.await(timeoutMs * samples * 3 + 30_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("only " + detected.size() + " of " + samples + " hangs detected");
        }
        observed.close();
        synchronized (seen) {
            synchronized (detected) {
                return new Result(timeoutMs, toArray(detected), toArray(seen));
            }
        }
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
