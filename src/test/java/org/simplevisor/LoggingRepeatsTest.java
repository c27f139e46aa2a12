package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.RecordingListener;

/** A restart loop's log: repeats counted instead of logged, bounded per window, nothing distinct lost. */
class LoggingRepeatsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration LOOP = Duration.ofSeconds(10);
    private static final Duration WINDOW = Duration.ofSeconds(1);
    private static final String REPEATED = "connection refused";
    /** "N more of the same failure (...)", with the restart lines counted with them. */
    private static final Pattern FOLDED = Pattern.compile("(\\d+) more of the same failure \\("
            + Pattern.quote(IllegalStateException.class.getName() + ": " + REPEATED)
            + "\\) from \\S+ to \\S+?(?:, with (\\d+) restart\\(s\\),)? were not logged");

    private CapturedLogs logs;

    @BeforeEach
    void captureLogs() {
        logs = CapturedLogs.attach();
    }

    @AfterEach
    void detach() {
        logs.close();
    }

    /** What a ten-second crash loop logged. */
    private record Loop(long runs, long crashes, List<CapturedLogs.Line> lines) {

        long foldedFailures() {
            return folded().mapToLong(m -> Long.parseLong(m.group(1))).sum();
        }

        long foldedRestarts() {
            return folded().mapToLong(m -> m.group(2) == null ? 0 : Long.parseLong(m.group(2))).sum();
        }

        private java.util.stream.Stream<Matcher> folded() {
            return lines.stream().map(l -> FOLDED.matcher(l.message())).filter(Matcher::find);
        }

        long logged(java.util.function.Predicate<CapturedLogs.Line> which) {
            return lines.stream().filter(which).count();
        }
    }

    /**
     * Runs a zero-delay crash loop for ten seconds of the supervisor's clock, each run taking {@code step} of it:
     * the same failure every time, except once a second (at the same clock times whatever the step) a failure of
     * its own. Then the process runs until the shutdown.
     */
    private Loop crashLoop(String name, Duration step) {
        ManualClock clock = new ManualClock();
        Instant start = clock.instant();
        RecordingListener events = new RecordingListener();
        Supervisor supervisor = Supervisor.builder().name(name).clock(clock).logRepeatWindow(WINDOW)
                .listener(events).build();
        AtomicLong runs = new AtomicLong();
        java.util.concurrent.CountDownLatch loopOver = new java.util.concurrent.CountDownLatch(1);
        supervisor.register(name, ctx -> {
            runs.incrementAndGet();
            long before = Duration.between(start, clock.instant()).toMillis();
            clock.advance(step);
            long now = Duration.between(start, clock.instant()).toMillis();
            if (now >= LOOP.toMillis()) {
                loopOver.countDown();
                ctx.awaitCancellation();
                return;
            }
            long second = now / 1000;
            if (before < second * 1000 + 500 && now >= second * 1000 + 500) {
                throw new IllegalStateException("distinct failure " + second);
            }
            throw new IllegalStateException(REPEATED);
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        try {
            supervisor.run();
            await().atMost(WAIT).until(() -> loopOver.getCount() == 0
                    && supervisor.status(name) == ProcessStatus.RUNNING);
        } finally {
            supervisor.shutdown();
        }
        events.awaitTerminated();
        List<CapturedLogs.Line> lines = logs.lines().stream().filter(l -> name.equals(l.process())).toList();
        return new Loop(runs.get(), supervisor.snapshot(name).totalCrashes(), lines);
    }

    @Test
    void aCrashLoopLogsABoundedNumberOfLinesPerWindowWhateverTheRestartRateAndLosesNothingDistinct() {
        Loop fast = crashLoop("fast-loop", Duration.ofMillis(1));
        Loop slow = crashLoop("slow-loop", Duration.ofMillis(10));

        assertThat(fast.runs()).isEqualTo(10_000);
        assertThat(slow.runs()).isEqualTo(1_000);
        long windows = LOOP.dividedBy(WINDOW);
        for (Loop loop : List.of(fast, slow)) {
            // per window at most: the repeated failure, a distinct one, each with its restart and start lines
            assertThat(loop.lines()).as("lines of %d runs", loop.runs()).hasSizeLessThanOrEqualTo((int) (7 * windows));

            // every distinct failure in full, once
            LongStream.range(0, windows).forEach(second -> assertThat(loop.logged(l -> l.thrown() != null
                    && l.thrown().getMessage().equals("distinct failure " + second))).as("distinct %d", second)
                    .isEqualTo(1));
            // every repeat either logged in full or counted in a line that says so
            long repeatedInFull = loop.logged(l -> l.thrown() != null && l.thrown().getMessage().equals(REPEATED));
            assertThat(repeatedInFull + loop.foldedFailures()).isEqualTo(loop.crashes() - windows);
            assertThat(repeatedInFull).as("once per window").isBetween(windows / 2, windows + 1);
            assertThat(loop.logged(l -> l.message().contains("Before this one"))).isPositive();
            // and every restart
            long restartLines = loop.logged(l -> l.message().contains("restarting in"));
            assertThat(restartLines + loop.foldedRestarts()).isEqualTo(loop.crashes());
        }
    }

    @Test
    void aZeroWindowLogsEveryRepeat() {
        RecordingListener events = new RecordingListener();
        Supervisor supervisor = Supervisor.builder().name("every").logRepeatWindow(Duration.ZERO).listener(events)
                .build();
        supervisor.register("every", ctx -> {
            throw new IllegalStateException(REPEATED);
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 5, Duration.ZERO));
        supervisor.run();
        events.await("every", SupervisorEvent.Type.RESTART_LIMIT_EXCEEDED);
        supervisor.shutdown();
        events.awaitTerminated();

        List<CapturedLogs.Line> lines = logs.lines().stream().filter(l -> "every".equals(l.process())).toList();
        assertThat(lines).filteredOn(l -> l.thrown() != null && REPEATED.equals(l.thrown().getMessage()))
                .hasSize(6);
        assertThat(lines).filteredOn(l -> l.message().contains("restarting in")).hasSize(5);
        assertThat(lines).noneMatch(l -> l.message().contains("not logged"));
    }

    @Test
    void theWindowMustNotBeNegative() {
        assertThatThrownBy(() -> Supervisor.builder().logRepeatWindow(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logRepeatWindow");
    }

    private List<CapturedLogs.Line> linesOf(String process) {
        return logs.lines().stream().filter(line -> process.equals(line.process())).toList();
    }

    /**
     * In a one-for-all group whose trigger crash-loops, the other members' lines of each group restart (stopped and
     * restarting with the group, started again) are folded with the trigger's loop, whose summary counts them.
     */
    @Test
    void theOtherMembersOfAGroupThatALoopRestartsLogAFewLinesPerWindow() {
        int loops = 200;
        ManualClock clock = new ManualClock(); // never advances: the whole loop is within one window
        RecordingListener events = new RecordingListener();
        Supervisor supervisor = Supervisor.builder().name("group-loop").clock(clock).listener(events)
                .group("pipeline", GroupStrategy.ONE_FOR_ALL).build();
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("reader", ctx -> {
            if (runs.incrementAndGet() <= loops) {
                throw new IllegalStateException(REPEATED);
            }
            ctx.awaitCancellation();
        }, ProcessOption.inGroup("pipeline"), ProcessOption.withPriority(1),
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        supervisor.register("processor", ProcessContext::awaitCancellation, ProcessOption.inGroup("pipeline"),
                ProcessOption.withPriority(2), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        try {
            supervisor.run();
            await().atMost(WAIT).until(() -> runs.get() > loops && supervisor.isRunning("reader")
                    && supervisor.isRunning("processor"));
        } finally {
            supervisor.shutdown();
        }
        events.awaitTerminated();

        long groupRestarts = events.events().stream()
                .filter(e -> e.type() == SupervisorEvent.Type.GROUP_RESTARTING).count();
        assertThat(groupRestarts).isEqualTo(loops);
        assertThat(linesOf("processor")).filteredOn(l -> l.level().isMoreSpecificThan(Level.INFO))
                .as("the member's lines at INFO and above over %d group restarts in one window", loops)
                .hasSizeLessThanOrEqualTo(6);
        assertThat(linesOf("reader")).as("the trigger's lines").hasSizeLessThanOrEqualTo(10)
                .extracting(CapturedLogs.Line::message)
                .anyMatch(m -> m.endsWith(" restart(s) and " + (loops - 1) + " restart(s) of group \"pipeline\" (its"
                        + " members' lines included), were not logged"));
        assertThat(logs.lines()).extracting(CapturedLogs.Line::message)
                .filteredOn(m -> m.startsWith("Group \"pipeline\" restarting")).hasSize(1);
    }

    /** A process that has logged more different outcomes in a window than are tracked still folds a repeat. */
    @Test
    void aFailureRepeatedAfterManyDifferentOnesIsStillFolded() {
        int different = 100;
        int repeats = 100;
        ManualClock clock = new ManualClock();
        RecordingListener events = new RecordingListener();
        Supervisor supervisor = Supervisor.builder().name("many-outcomes").clock(clock).listener(events).build();
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("flaky", ctx -> {
            int run = runs.incrementAndGet();
            if (run <= different) {
                throw new IllegalStateException("timeout after " + (3000 + run) + " ms");
            }
            if (run <= different + repeats) {
                throw new IllegalStateException(REPEATED);
            }
            ctx.awaitCancellation();
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        try {
            supervisor.run();
            await().atMost(WAIT).until(() -> runs.get() > different + repeats && supervisor.isRunning("flaky"));
        } finally {
            supervisor.shutdown();
        }
        events.awaitTerminated();

        List<CapturedLogs.Line> lines = linesOf("flaky");
        assertThat(lines).filteredOn(l -> l.thrown() != null && REPEATED.equals(l.thrown().getMessage()))
                .as("full traces of one failure repeated %d times within one window", repeats).hasSize(1);
        assertThat(lines).filteredOn(l -> l.thrown() != null && l.thrown().getMessage().startsWith("timeout after"))
                .as("every different failure in full").hasSize(different);
        assertThat(lines).extracting(CapturedLogs.Line::message)
                .anyMatch(m -> m.contains((repeats - 1) + " more of the same failure (java.lang.IllegalStateException: "
                        + REPEATED + ")"));
    }

    /**
     * A failure that wraps another is told apart by its cause: the same wrapper thrown at the same place with another
     * cause within the window is a different failure, logged in full, not counted as the same.
     */
    @Test
    void theSameWrapperWithAnotherCauseIsADifferentFailure() {
        ManualClock clock = new ManualClock(); // never advances: everything within one window
        RecordingListener events = new RecordingListener();
        Supervisor supervisor = Supervisor.builder().name("wrapped").clock(clock).listener(events).build();
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("client", ctx -> {
            int run = runs.incrementAndGet();
            if (run > 4) {
                ctx.awaitCancellation();
                return;
            }
            throw new IllegalStateException("call failed", run % 2 == 1 ? new java.net.ConnectException(REPEATED)
                    : new SecurityException("HTTP 401"));
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        try {
            supervisor.run();
            await().atMost(WAIT).until(() -> runs.get() > 4 && supervisor.isRunning("client"));
        } finally {
            supervisor.shutdown();
        }
        events.awaitTerminated();

        List<CapturedLogs.Line> lines = linesOf("client");
        assertThat(lines).filteredOn(l -> l.thrown() != null && l.thrown().getCause() instanceof SecurityException)
                .as("the failure caused by an HTTP 401, in full once").hasSize(1);
        assertThat(lines).filteredOn(l -> l.thrown() != null
                && l.thrown().getCause() instanceof java.net.ConnectException)
                .as("the failure caused by a refused connection, in full once").hasSize(1);
        assertThat(lines).extracting(CapturedLogs.Line::message).as("each told apart by its root cause")
                .anyMatch(m -> m.contains("1 more of the same failure (java.lang.IllegalStateException: call failed,"
                        + " caused by java.net.ConnectException: " + REPEATED + ")"))
                .anyMatch(m -> m.contains("1 more of the same failure (java.lang.IllegalStateException: call failed,"
                        + " caused by java.lang.SecurityException: HTTP 401)"));
    }

    /** Turns of the loop the two tests below run before a group restart that is not the loop's. */
    private static final int OTHER_LOOPS = 20;

    private long stoppedLines(String process) {
        return logs.lines().stream().filter(l -> process.equals(l.process()))
                .filter(l -> l.message().startsWith("Process \"" + process + "\" stopped")).count();
    }

    /**
     * Waits until the listeners have had the STARTED event of every run begun so far. The runs are RUNNING before
     * their events (and the lines the logger, the first listener, writes of them) have been delivered: counted
     * earlier, a late event of the loop would be taken for one of what the test does next.
     */
    private static void awaitEveryStartDelivered(Supervisor supervisor, RecordingListener events) {
        await().atMost(WAIT).until(() -> supervisor.processNames().stream().allMatch(process ->
                events.count(process, SupervisorEvent.Type.STARTED) >= supervisor.snapshot(process).totalStarts()));
    }

    private Supervisor loopingGroup(ManualClock clock, RecordingListener events, AtomicInteger runs) {
        Supervisor supervisor = Supervisor.builder().name("fold-others").clock(clock).listener(events)
                .group("pipeline", GroupStrategy.ONE_FOR_ALL).build();
        supervisor.register("reader", ctx -> {
            if (runs.incrementAndGet() <= OTHER_LOOPS) {
                throw new IllegalStateException(REPEATED);
            }
            ctx.awaitCancellation();
        }, ProcessOption.inGroup("pipeline"), ProcessOption.withPriority(1),
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        return supervisor;
    }

    /** An operator's restartGroup while the loop's window lasts (the clock never advances) is no part of the loop. */
    @Test
    void anOperatorsGroupRestartWithinTheLoopsWindowLogsTheMembersStop() {
        ManualClock clock = new ManualClock();
        RecordingListener events = new RecordingListener();
        AtomicInteger runs = new AtomicInteger();
        Supervisor supervisor = loopingGroup(clock, events, runs);
        supervisor.register("processor", ProcessContext::awaitCancellation, ProcessOption.inGroup("pipeline"),
                ProcessOption.withPriority(2), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        try {
            supervisor.run();
            await().atMost(WAIT).until(() -> runs.get() > OTHER_LOOPS && supervisor.isRunning("reader")
                    && supervisor.isRunning("processor"));
            awaitEveryStartDelivered(supervisor, events); // the loop's last events and lines, before counting them
            long startsBefore = events.count("processor", SupervisorEvent.Type.STARTED);
            long stoppedBefore = stoppedLines("processor");
            supervisor.restartGroup("pipeline");
            await().atMost(WAIT).until(() -> events.count("processor", SupervisorEvent.Type.STARTED) > startsBefore
                    && supervisor.isRunning("processor"));
            assertThat(events.events()).filteredOn(e -> "processor".equals(e.processName())
                    && e.type() == SupervisorEvent.Type.STOPPED && e.reason() == ExitReason.GROUP).isNotEmpty();
            assertThat(stoppedLines("processor")).as("processor's 'stopped (group)' line of the operator's"
                    + " restartGroup").isEqualTo(stoppedBefore + 1);
        } finally {
            supervisor.shutdown();
        }
    }

    /** Another member's own failure triggers a group restart while the loop's window lasts: not the loop's. */
    @Test
    void anotherTriggersGroupRestartWithinTheLoopsWindowLogsTheMembersLines() throws Exception {
        ManualClock clock = new ManualClock();
        RecordingListener events = new RecordingListener();
        AtomicInteger runs = new AtomicInteger();
        Supervisor supervisor = loopingGroup(clock, events, runs);
        CountDownLatch breakNow = new CountDownLatch(1);
        AtomicBoolean broke = new AtomicBoolean();
        supervisor.register("processor", ctx -> {
            breakNow.await();
            if (broke.compareAndSet(false, true)) {
                throw new Exception("processor broke");
            }
            ctx.awaitCancellation();
        }, ProcessOption.inGroup("pipeline"), ProcessOption.withPriority(2),
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        supervisor.register("writer", ProcessContext::awaitCancellation, ProcessOption.inGroup("pipeline"),
                ProcessOption.withPriority(3), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        try {
            supervisor.run();
            await().atMost(WAIT).until(() -> runs.get() > OTHER_LOOPS && supervisor.isRunning("reader")
                    && supervisor.isRunning("processor") && supervisor.isRunning("writer"));
            awaitEveryStartDelivered(supervisor, events); // the loop's last events and lines, before counting them
            long writerStopsBefore = stoppedLines("writer");
            long writerStartsBefore = events.count("writer", SupervisorEvent.Type.STARTED);
            breakNow.countDown();
            await().atMost(WAIT).until(() -> broke.get() && supervisor.isRunning("processor")
                    && events.count("writer", SupervisorEvent.Type.STARTED) > writerStartsBefore
                    && supervisor.isRunning("writer"));
            assertThat(logs.lines()).extracting(CapturedLogs.Line::message)
                    .anyMatch(m -> m.startsWith("Group \"pipeline\" restarting") && m.contains("\"processor\""));
            assertThat(stoppedLines("writer")).as("writer's 'stopped (group)' line of the group restart"
                    + " processor's own failure triggered").isEqualTo(writerStopsBefore + 1);
        } finally {
            supervisor.shutdown();
        }
    }
}
