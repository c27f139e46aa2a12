package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.RecordingListener;

/** Review: crash loops whose lines are not folded. */
class LoggingRepeatsReviewTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private CapturedLogs logs;

    @BeforeEach
    void captureLogs() {
        logs = CapturedLogs.attach();
    }

    @AfterEach
    void detach() {
        logs.close();
    }

    private List<CapturedLogs.Line> linesOf(String process) {
        return logs.lines().stream().filter(l -> process.equals(l.process())).toList();
    }

    /**
     * README: "So a loop writes a few lines per window and process whatever its rate". In a one-for-all group whose
     * trigger crash-loops (the same failure each time), the trigger's lines are folded, but every member logs
     * "stopped (group)", "restarting with its group" and "started (restart n)" on every turn of the loop.
     */
    @Test
    void aGroupMemberOfACrashLoopingTriggerLogsAFewLinesPerWindow() {
        int loops = 200;
        ManualClock clock = new ManualClock(); // never advances: the whole loop is within one window
        RecordingListener events = new RecordingListener();
        Supervisor supervisor = Supervisor.builder().name("group-loop").clock(clock).listener(events)
                .group("pipeline", GroupStrategy.ONE_FOR_ALL).build();
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("reader", ctx -> {
            if (runs.incrementAndGet() <= loops) {
                throw new IllegalStateException("feed dropped");
            }
            ctx.awaitCancellation();
        }, ProcessOption.inGroup("pipeline"), ProcessOption.withPriority(1),
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        supervisor.register("processor", ProcessContext::awaitCancellation, ProcessOption.inGroup("pipeline"),
                ProcessOption.withPriority(2), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        try {
            supervisor.run();
            await().atMost(WAIT).until(() -> runs.get() > loops
                    && supervisor.status("reader") == ProcessStatus.RUNNING
                    && supervisor.status("processor") == ProcessStatus.RUNNING);
        } finally {
            supervisor.shutdown();
        }
        events.awaitTerminated();

        List<CapturedLogs.Line> reader = linesOf("reader");
        List<CapturedLogs.Line> processor = linesOf("processor").stream()
                .filter(l -> l.level().isMoreSpecificThan(org.apache.logging.log4j.Level.INFO)).toList();
        processor.stream().collect(java.util.stream.Collectors.groupingBy(
                l -> l.message().replaceAll("\\d+", "N"), java.util.TreeMap::new, java.util.stream.Collectors.counting()))
                .forEach((m, n) -> System.out.println("  processor INFO+: " + n + " x " + m));
        List<CapturedLogs.Line> supervisorLines = logs.lines().stream()
                .filter(l -> l.message().contains("Group \"pipeline\" restarting")).toList();
        System.out.printf("reader: %d lines, processor: %d lines, group lines: %d%n", reader.size(),
                processor.size(), supervisorLines.size());
        assertThat(reader).as("the trigger's lines").hasSizeLessThanOrEqualTo(10);
        assertThat(processor).as("the member's INFO lines over %d turns of one loop in one window", loops)
                .hasSizeLessThanOrEqualTo(10);
    }

    /**
     * The contract: repeats of the same failure within the window are counted, not logged. Once a process has
     * logged 64 different outcomes within the window, a failure that then repeats is logged in full every time
     * (until the window of the first ones passes), instead of being counted.
     */
    @Test
    void aFailureRepeatedAfter64DistinctOnesIsStillFolded() {
        int distinct = 64;
        int repeats = 100;
        ManualClock clock = new ManualClock();
        RecordingListener events = new RecordingListener();
        Supervisor supervisor = Supervisor.builder().name("many-outcomes").clock(clock).listener(events).build();
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("flaky", ctx -> {
            int run = runs.incrementAndGet();
            if (run <= distinct) {
                throw new IllegalStateException("timeout after " + (3000 + run) + " ms");
            }
            if (run <= distinct + repeats) {
                throw new IllegalStateException("connection refused");
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        try {
            supervisor.run();
            await().atMost(WAIT).until(() -> runs.get() > distinct + repeats
                    && supervisor.status("flaky") == ProcessStatus.RUNNING);
        } finally {
            supervisor.shutdown();
        }
        events.awaitTerminated();

        long refusedInFull = linesOf("flaky").stream()
                .filter(l -> l.thrown() != null && "connection refused".equals(l.thrown().getMessage())).count();
        assertThat(refusedInFull).as("full traces of one failure repeated %d times within one window", repeats)
                .isEqualTo(1);
    }
}
