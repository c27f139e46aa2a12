package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.ProcessOption.noRestartOn;
import static org.simplevisor.ProcessOption.withBackoff;
import static org.simplevisor.ProcessOption.withHealthyDuration;
import static org.simplevisor.ProcessOption.withPriority;
import static org.simplevisor.ProcessOption.withRestart;
import static org.simplevisor.ProcessOption.withRestartWindow;
import static org.simplevisor.ProcessOption.withWatchdog;
import static org.simplevisor.SupervisorEvent.Type.COMPLETED;
import static org.simplevisor.SupervisorEvent.Type.CRASHED;
import static org.simplevisor.SupervisorEvent.Type.FAILED;
import static org.simplevisor.SupervisorEvent.Type.HUNG;
import static org.simplevisor.SupervisorEvent.Type.REGISTERED;
import static org.simplevisor.SupervisorEvent.Type.RESTARTING;
import static org.simplevisor.SupervisorEvent.Type.RESTART_LIMIT_EXCEEDED;
import static org.simplevisor.SupervisorEvent.Type.STARTED;
import static org.simplevisor.SupervisorEvent.Type.STATUS_CHANGED;
import static org.simplevisor.SupervisorEvent.Type.STOPPED;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.DeafProcess;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.Parked;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ScriptedProcess;
import org.simplevisor.testing.ShutDownAfterEach;
import org.simplevisor.testing.SubmissionOrderExecutor;
import org.simplevisor.testing.ThreadBackedExecutor;

/**
 * The restart model (docs/contract.md, "Restart model"; defects 2, 3, 4, 8 and 10 of docs/go-port.md): backoff,
 * healthy duration, restart window, exception classification, watchdog, priority, dynamic registration and the
 * control of one process while others run.
 *
 * <p>Supervisors here run on a {@link ManualClock} and a {@link ManualScheduler}: restart delays and watchdog checks
 * happen only when a test advances virtual time, on the test's thread. Runs still execute on real threads, so tests
 * wait for them with {@link RecordingListener} and Awaitility, never with sleeps.
 */
class RestartModelTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Set<SupervisorEvent.Type> RUN_ENDS = EnumSet.of(COMPLETED, FAILED, CRASHED, STOPPED);

    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final RecordingListener events = new RecordingListener();
    @RegisterExtension
    final ShutDownAfterEach shutDown = new ShutDownAfterEach();

    @BeforeAll
    static void pollQuickly() {
        Awaitility.setDefaultPollInterval(Duration.ofMillis(5));
        Awaitility.setDefaultPollDelay(Duration.ZERO);
        Awaitility.setDefaultTimeout(WAIT);
    }

    @AfterAll
    static void restoreAwaitility() {
        Awaitility.reset();
    }

    /** A supervisor on virtual time: delays and watchdog checks wait for {@link ManualScheduler#advance}. */
    private Supervisor supervisor() {
        return track(Supervisor.builder().name("restart-model").clock(clock).scheduler(scheduler)
                .shutdownTimeout(WAIT).listener(events).build());
    }

    private Supervisor track(Supervisor supervisor) {
        return shutDown.supervisor(supervisor);
    }

    /**
     * Waits until the {@code nth} RESTARTING event of a process has arrived and its restart timer is on the
     * scheduler (the event may be delivered a moment before the timer is scheduled).
     *
     * @return the announced delay, which is also the delay of the pending timer
     */
    private Duration awaitRestartScheduled(String process, int nth) {
        SupervisorEvent restarting = events.awaitCount(process, RESTARTING, nth).get(nth - 1);
        Duration delay = restarting.delay();
        await().until(() -> delay.equals(scheduler.nextDelay()));
        return delay;
    }

    /** Shuts down and waits for the last event, so that every event of every process has been delivered. */
    private void shutDownAndDrain(Supervisor supervisor) {
        supervisor.shutdown();
        events.awaitTerminated();
    }

    private List<SupervisorEvent> eventsOf(String process) {
        return events.events().stream().filter(e -> process.equals(e.processName())).collect(Collectors.toList());
    }

    /** The run starts and ends of a process, without the events in between. */
    private List<SupervisorEvent.Type> runBoundaries(String process) {
        return events.types(process).stream().filter(t -> t == STARTED || RUN_ENDS.contains(t))
                .collect(Collectors.toList());
    }

    // ============================================================ 1. backoff arithmetic and validation

    @Test
    void backoffDoublesTheRestartDelayUpToTheCap() {
        ProcessSpec spec = ProcessSpec.of(withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ofMillis(100)),
                withBackoff(Duration.ofSeconds(1), 0));
        long[] expectedMillis = {100, 200, 400, 800, 1000, 1000};
        for (int n = 0; n < expectedMillis.length; n++) {
            assertThat(spec.restartDelay(n, 0.5)).as("delay after %d consecutive restarts", n)
                    .isEqualTo(Duration.ofMillis(expectedMillis[n]));
            assertThat(spec.restartDelay(n, 0.0)).as("no jitter: the random number is ignored")
                    .isEqualTo(spec.restartDelay(n, 0.99));
        }
    }

    @Test
    void backoffDoesNotOverflowAfterManyRestarts() {
        ProcessSpec spec = ProcessSpec.of(withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ofMillis(100)),
                withBackoff(Duration.ofSeconds(1), 0));
        assertThat(spec.restartDelay(1000, 0.5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(spec.restartDelay(Integer.MAX_VALUE, 0.5)).isEqualTo(Duration.ofSeconds(1));

        // 100 ms * 2^n overflows a long of nanoseconds from n = 37 on; a cap of 100 years is still reachable
        Duration century = Duration.ofDays(36_500);
        ProcessSpec longCap = ProcessSpec.of(withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ofMillis(100)),
                withBackoff(century, 0));
        assertThat(longCap.restartDelay(30, 0.5)).isEqualTo(Duration.ofMillis(100).multipliedBy(1L << 30));
        for (int n : new int[] {37, 40, 62, 63, 64, 1000, Integer.MAX_VALUE}) {
            assertThat(longCap.restartDelay(n, 0.5)).as("n=%d", n).isEqualTo(century);
        }
    }

    @Test
    void aZeroDelayWithBackoffStaysZeroAfterManyRestarts() {
        ProcessSpec spec = ProcessSpec.of(withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO),
                withBackoff(Duration.ofSeconds(1), 0.5));
        for (int n : new int[] {0, 1, 1000, Integer.MAX_VALUE}) {
            assertThat(spec.restartDelay(n, 0.9)).as("n=%d", n).isZero();
        }
    }

    @Test
    void withoutBackoffTheDelayStaysTheRestartDelay() {
        ProcessSpec spec = ProcessSpec.of(withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ofMillis(100)));
        assertThat(spec.maxRestartDelay).isEqualTo(Duration.ofMillis(100));
        for (int n : new int[] {0, 1, 5, 1000}) {
            assertThat(spec.restartDelay(n, 0.7)).isEqualTo(Duration.ofMillis(100));
        }
        ProcessSpec immediate = ProcessSpec.of(withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO),
                withBackoff(Duration.ofSeconds(1), 0.5));
        assertThat(immediate.restartDelay(3, 0.9)).as("a zero delay stays zero, even with backoff and jitter")
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void jitterSpreadsTheDelayBetween80And120PercentAt02() {
        ProcessSpec spec = ProcessSpec.of(withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ofSeconds(1)),
                withBackoff(Duration.ofSeconds(1), 0.2));
        assertThat(spec.restartDelay(0, 0.0)).isEqualTo(Duration.ofMillis(800));
        assertThat(spec.restartDelay(0, 0.5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(spec.restartDelay(0, 0.999_999)).isLessThan(Duration.ofMillis(1200))
                .isGreaterThan(Duration.ofMillis(1199));
        assertThat(spec.restartDelay(0, Math.nextDown(1.0))).isLessThanOrEqualTo(Duration.ofMillis(1200))
                .isGreaterThan(Duration.ofMillis(1199));
    }

    @Test
    void jitteredBackoffDelaysStayWithinTheirBounds() {
        ProcessSpec spec = ProcessSpec.of(withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ofMillis(100)),
                withBackoff(Duration.ofSeconds(1), 0.2));
        long[] backoffMillis = {100, 200, 400, 800, 1000, 1000, 1000};
        Random random = new Random(20260101L);
        double lowest = Double.MAX_VALUE;
        double highest = 0;
        for (int i = 0; i < 10_000; i++) {
            int n = random.nextInt(backoffMillis.length);
            Duration base = Duration.ofMillis(backoffMillis[n]);
            Duration delay = spec.restartDelay(n, random.nextDouble());
            assertThat(delay).as("n=%d", n).isBetween(base.multipliedBy(8).dividedBy(10),
                    base.multipliedBy(12).dividedBy(10));
            double ratio = (double) delay.toNanos() / base.toNanos();
            lowest = Math.min(lowest, ratio);
            highest = Math.max(highest, ratio);
        }
        assertThat(lowest).as("the random number is used: some delays are near 80%").isLessThan(0.81);
        assertThat(highest).as("the random number is used: some delays are near 120%").isGreaterThan(1.19);
    }

    @ParameterizedTest(name = "jitter {0}")
    @ValueSource(doubles = {-0.1, 1.1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void withBackoffRejectsAJitterOutside0To1(double jitter) {
        assertThatThrownBy(() -> withBackoff(Duration.ofSeconds(1), jitter))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jitter")
                .hasMessageContaining(String.valueOf(jitter));
    }

    @Test
    void withBackoffAcceptsTheJitterBounds() {
        assertThatCode(() -> withBackoff(Duration.ofSeconds(1), 0)).doesNotThrowAnyException();
        assertThatCode(() -> withBackoff(Duration.ofSeconds(1), 1)).doesNotThrowAnyException();
        assertThatCode(() -> withBackoff(Duration.ZERO, 0.5)).doesNotThrowAnyException();
    }

    @Test
    void withBackoffRejectsANegativeMaxDelayNamingTheProperty() {
        assertThatThrownBy(() -> withBackoff(Duration.ofSeconds(-1), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxRestartDelay must not be negative, was PT-1S");
        assertThatThrownBy(() -> withBackoff(null, 0)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("maxRestartDelay");
    }

    @Test
    void registerRejectsAMaxRestartDelayShorterThanTheRestartDelay() {
        Supervisor supervisor = supervisor();
        assertThatThrownBy(() -> supervisor.register("p", ctx -> { },
                withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofSeconds(2)),
                withBackoff(Duration.ofSeconds(1), 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRestartDelay").hasMessageContaining("restartDelay");
        assertThatThrownBy(() -> supervisor.register("p", ctx -> { }, withBackoff(Duration.ofMillis(500), 0)))
                .as("also against the default restart delay of 1 s, whatever the order of the options")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRestartDelay");
        assertThatThrownBy(() -> supervisor.register("p", ctx -> { }, withBackoff(Duration.ofSeconds(1), 0),
                withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofSeconds(2))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRestartDelay");
        assertThat(supervisor.processCount()).as("a rejected registration takes no name").isZero();

        supervisor.register("p", ctx -> { }, withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofSeconds(2)),
                withBackoff(Duration.ofSeconds(2), 0));
        assertThat(supervisor.processNames()).containsExactly("p");
    }

    @Test
    void validateChecksOptionsTogetherAsRegisterDoesWithoutRegistering() {
        assertThatThrownBy(() -> ProcessOption.validate(withRestart(RestartPolicy.ON_FAILURE, 3,
                Duration.ofSeconds(2)), withBackoff(Duration.ofSeconds(1), 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxRestartDelay (PT1S) must not be shorter than restartDelay (PT2S)");
        assertThatThrownBy(() -> ProcessOption.validate(withBackoff(Duration.ofMillis(500), 0)))
                .as("against the default restart delay").hasMessageContaining("restartDelay (PT1S)");
        assertThatCode(() -> ProcessOption.validate(withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofSeconds(2)),
                withBackoff(Duration.ofSeconds(2), 0))).doesNotThrowAnyException();
        assertThatCode(ProcessOption::validate).as("no option: the defaults").doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"restartDelay", "maxRestartDelay", "restartWindow", "watchdog"})
    void aDurationBeyondTheRangeOfNanosecondsIsRejectedOrWorks(String property) {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        Duration delay = property.equals("restartDelay") ? forever : Duration.ofMillis(100);
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess().fail();
        try {
            List<ProcessOption> options = new ArrayList<>(List.of(withRestart(RestartPolicy.ON_FAILURE, 2, delay)));
            switch (property) {
                case "maxRestartDelay":
                    options.add(withBackoff(forever, 0));
                    break;
                case "restartWindow":
                    options.add(withRestartWindow(forever));
                    break;
                case "watchdog":
                    options.add(withWatchdog(forever));
                    break;
                default:
                    break;
            }
            supervisor.register("p", process, options.toArray(ProcessOption[]::new));
        } catch (IllegalArgumentException rejected) {
            assertThat(rejected).hasMessageContaining(property); // rejecting it, naming it, is a valid fix
            return;
        }
        supervisor.run();
        process.awaitRun(1);
        SupervisorEvent failed = events.await("p", FAILED);
        assertThat(failed.snapshot().status()).isEqualTo(ProcessStatus.RESTARTING);
        assertThat(events.await("p", RESTARTING).delay()).isPositive();
        shutDownAndDrain(supervisor);
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STOPPED);
    }

    // ============================================================ 2. backoff through a supervisor

    @Test
    void restartingEventsAnnounceTheGrowingDelayAndNothingRestartsBeforeIt() {
        Supervisor supervisor = supervisor();
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("flaky", ctx -> {
            runs.incrementAndGet();
            throw new Exception("always fails");
        }, withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ofMillis(100)), withBackoff(Duration.ofSeconds(1), 0));
        supervisor.run();

        long[] expectedMillis = {100, 200, 400, 800, 1000, 1000};
        for (int restart = 0; restart < expectedMillis.length; restart++) {
            int i = restart;
            Duration delay = awaitRestartScheduled("flaky", i + 1);
            assertThat(delay).as("delay of restart %d", i + 1).isEqualTo(Duration.ofMillis(expectedMillis[i]));
            assertThat(runs).hasValue(i + 1);

            scheduler.advance(delay.minusMillis(1));
            ProcessSnapshot waiting = supervisor.snapshot("flaky");
            assertThat(waiting.status()).isEqualTo(ProcessStatus.RESTARTING);
            assertThat(waiting.totalRestarts()).as("no restart before the delay").isEqualTo(i);
            assertThat(waiting.totalStarts()).isEqualTo(i + 1);
            assertThat(runs).hasValue(i + 1);
            assertThat(scheduler.nextDelay()).isEqualTo(Duration.ofMillis(1));

            scheduler.advance(Duration.ofMillis(1));
            await("the restart happens once the timer has fired and the new run begins")
                    .until(() -> supervisor.snapshot("flaky").totalRestarts() == i + 1);
            SupervisorEvent started = events.awaitCount("flaky", STARTED, i + 2).get(i + 1);
            assertThat(started.restart()).isTrue();
            assertThat(started.time()).as("the run begins at the due time")
                    .isEqualTo(events.awaitCount("flaky", RESTARTING, i + 1).get(i).time().plus(delay));
            await().until(() -> runs.get() == i + 2);
        }
        List<SupervisorEvent> restarting = events.awaitCount("flaky", RESTARTING, expectedMillis.length);
        assertThat(restarting.subList(0, 4)).extracting(SupervisorEvent::delay).containsExactly(
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
    }

    @Test
    void aJitteredDelayAnnouncedByTheEventIsTheOneScheduled() {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess().fail().fail().fail();
        supervisor.register("jittery", process, withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ofMillis(100)),
                withBackoff(Duration.ofSeconds(1), 0.2));
        supervisor.run();
        long[] backoffMillis = {100, 200, 400};
        for (int i = 0; i < backoffMillis.length; i++) {
            Duration delay = awaitRestartScheduled("jittery", i + 1); // also checks the timer has this delay
            assertThat(delay).isBetween(Duration.ofMillis(backoffMillis[i] * 8 / 10),
                    Duration.ofMillis(backoffMillis[i] * 12 / 10));
            scheduler.advance(delay);
            process.awaitRun(i + 2);
        }
    }

    // ============================================================ 3. healthy duration

    /**
     * Two quick failures raise the restart count to 2 and the backoff to 400 ms; the third run lasts
     * {@code runLength} of virtual time before it fails.
     */
    @ParameterizedTest(name = "healthy after {0}, run of {1}: reset={2}")
    @CsvSource({
        "default, PT30S,     true",
        "default, PT29.999S, false",
        "default, PT1H,      true",
        "PT5S,    PT5S,      true",
        "PT5S,    PT4.999S,  false",
        "PT0.5S,  PT0.5S,    true"})
    void aRunLastingTheHealthyDurationResetsTheRestartCountAndTheBackoff(String healthy, Duration runLength,
            boolean reset) {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess().fail().fail();
        List<ProcessOption> options = new ArrayList<>(List.of(
                withRestart(RestartPolicy.ON_FAILURE, 10, Duration.ofMillis(100)),
                withBackoff(Duration.ofSeconds(10), 0)));
        if (!healthy.equals("default")) {
            options.add(withHealthyDuration(Duration.parse(healthy)));
        }
        supervisor.register("p", process, options.toArray(ProcessOption[]::new));
        supervisor.run();

        scheduler.advance(awaitRestartScheduled("p", 1));
        scheduler.advance(awaitRestartScheduled("p", 2));
        ProcessContext third = process.awaitRun(3);
        assertThat(third.restartCount()).isEqualTo(2);
        assertThat(supervisor.snapshot("p").restartCount()).isEqualTo(2);

        clock.advance(runLength);
        assertThat(supervisor.snapshot("p").uptime()).isEqualTo(runLength);
        process.fail();

        SupervisorEvent restarting = events.awaitCount("p", RESTARTING, 3).get(2);
        assertThat(restarting.snapshot().restartCount()).isEqualTo(reset ? 0 : 2);
        assertThat(awaitRestartScheduled("p", 3)).as("backoff").isEqualTo(Duration.ofMillis(reset ? 100 : 400));
        scheduler.advance(restarting.delay());
        assertThat(process.awaitRun(4).restartCount()).isEqualTo(reset ? 1 : 3);
        assertThat(supervisor.snapshot("p").totalRestarts()).as("the total is never reset").isEqualTo(3);
    }

    @Test
    void aHealthyRunSavesAProcessThatWouldOtherwiseExceedItsLimit() {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess().fail().fail();
        supervisor.register("p", process, withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ofMillis(100)),
                withHealthyDuration(Duration.ofMinutes(1)));
        supervisor.run();
        scheduler.advance(awaitRestartScheduled("p", 1));
        scheduler.advance(awaitRestartScheduled("p", 2));
        process.awaitRun(3);
        clock.advance(Duration.ofMinutes(1));
        process.fail();
        awaitRestartScheduled("p", 3);
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.RESTARTING);
        assertThat(events.count("p", RESTART_LIMIT_EXCEEDED)).isZero();
    }

    @Test
    void withHealthyDurationRejectsANonPositiveDuration() {
        assertThatThrownBy(() -> withHealthyDuration(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("healthyDuration");
        assertThatThrownBy(() -> withHealthyDuration(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("healthyDuration");
        assertThat(ProcessSpec.of(withHealthyDuration(Duration.ofSeconds(7))).healthyDuration)
                .isEqualTo(Duration.ofSeconds(7));
    }

    // ============================================================ 4. restart window

    /** Restarts at t=1 s and t=2 s; the third run fails just after t=12 s, when both are out of a 10 s window. */
    @ParameterizedTest(name = "window {0}")
    @ValueSource(strings = {"PT10S", "none"})
    void restartsOlderThanTheWindowNoLongerCount(String window) {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess().fail().fail();
        List<ProcessOption> options = new ArrayList<>(List.of(
                withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ofSeconds(1))));
        if (!window.equals("none")) {
            options.add(withRestartWindow(Duration.parse(window)));
        }
        supervisor.register("windowed", process, options.toArray(ProcessOption[]::new));
        supervisor.run();

        scheduler.advance(awaitRestartScheduled("windowed", 1));
        scheduler.advance(awaitRestartScheduled("windowed", 2));
        assertThat(process.awaitRun(3).restartCount()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(10).plusNanos(1)); // shorter than the healthy duration of 30 s
        process.fail();

        if (window.equals("none")) {
            SupervisorEvent limit = events.await("windowed", RESTART_LIMIT_EXCEEDED);
            assertThat(limit.snapshot().status()).isEqualTo(ProcessStatus.FAILED);
            assertThat(limit.snapshot().restartCount()).isEqualTo(2);
            assertThat(supervisor.status("windowed")).isEqualTo(ProcessStatus.FAILED);
        } else {
            SupervisorEvent restarting = events.awaitCount("windowed", RESTARTING, 3).get(2);
            assertThat(restarting.snapshot().restartCount()).as("no restart within the window").isZero();
            assertThat(supervisor.status("windowed")).isEqualTo(ProcessStatus.RESTARTING);
            scheduler.advance(awaitRestartScheduled("windowed", 3));
            assertThat(process.awaitRun(4).restartCount()).isEqualTo(1);
            shutDownAndDrain(supervisor);
            assertThat(events.count("windowed", RESTART_LIMIT_EXCEEDED)).isZero();
        }
    }

    /**
     * Registers {@code windowed} (at most 2 restarts in a 10 s window, 1 s apart) on {@code supervisor}, whose first
     * two runs fail. {@return the process, its third run begun at t=2 s, after restarts at t=1 s and t=2 s}
     */
    private ScriptedProcess restartedAtOneAndTwoSeconds(Supervisor supervisor) {
        ScriptedProcess process = new ScriptedProcess().fail().fail();
        supervisor.register("windowed", process, withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ofSeconds(1)),
                withRestartWindow(Duration.ofSeconds(10)));
        supervisor.run();
        scheduler.advance(awaitRestartScheduled("windowed", 1)); // restart at t=1 s
        scheduler.advance(awaitRestartScheduled("windowed", 2)); // restart at t=2 s
        process.awaitRun(3);
        return process;
    }

    /** As Erlang counts (a restart at {@code Now - Period} is within the period): the window includes its start. */
    @Test
    void aRestartExactlyTheWindowOldStillCounts() {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = restartedAtOneAndTwoSeconds(supervisor);
        clock.advance(Duration.ofSeconds(9)); // t=11 s: the restart at 1 s is exactly 10 s old
        process.fail();

        SupervisorEvent limit = events.await("windowed", RESTART_LIMIT_EXCEEDED);
        assertThat(limit.snapshot().restartCount()).isEqualTo(2);
        assertThat(supervisor.status("windowed")).isEqualTo(ProcessStatus.FAILED);
    }

    @Test
    void onlyTheRestartsThatLeftTheWindowStopCounting() {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = restartedAtOneAndTwoSeconds(supervisor);
        clock.advance(Duration.ofMillis(9_500)); // t=11.5 s: the restart at 1 s has left the window, not the one at 2 s
        process.fail();
        SupervisorEvent restarting = events.awaitCount("windowed", RESTARTING, 3).get(2);
        assertThat(restarting.snapshot().restartCount()).isEqualTo(1);

        scheduler.advance(awaitRestartScheduled("windowed", 3)); // restart at t=12.5 s
        // the restart at 2 s left the window as this one was counted: within it, only the one at 12.5 s
        assertThat(process.awaitRun(4).restartCount()).isEqualTo(1);
        assertThat(events.awaitCount("windowed", STARTED, 4).get(3).snapshot().restartCount()).isEqualTo(1);
        process.fail(); // t=12.5 s: the restart at 2 s has left the window, the one at 12.5 s counts
        SupervisorEvent fourth = events.awaitCount("windowed", RESTARTING, 4).get(3);
        assertThat(fourth.snapshot().restartCount()).isEqualTo(1);
        scheduler.advance(awaitRestartScheduled("windowed", 4)); // restart at t=13.5 s
        process.awaitRun(5);
        process.fail(); // t=13.5 s: restarts at 12.5 s and 13.5 s are both inside
        SupervisorEvent limit = events.await("windowed", RESTART_LIMIT_EXCEEDED);
        assertThat(limit.snapshot().restartCount()).isEqualTo(2);
        assertThat(supervisor.status("windowed")).isEqualTo(ProcessStatus.FAILED);
    }

    /**
     * The wall clock is set back an hour between two restarts (a clock step): the window is measured on monotonic
     * time, so the restart made before the step leaves the window as time passes, instead of staying in it for the
     * hour the step added.
     */
    @Test
    void theRestartWindowIsMeasuredOnMonotonicTimeNotOnTheWallClock() {
        ManualClock monotonic = new ManualClock();
        Supervisor supervisor = track(Supervisor.builder().name("restart-model").clock(clock).scheduler(scheduler)
                .ticker(() -> Duration.between(Instant.EPOCH, monotonic.instant()).toNanos())
                .shutdownTimeout(WAIT).listener(events).build());
        ScriptedProcess process = new ScriptedProcess();
        supervisor.register("windowed", process, withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ZERO),
                withRestartWindow(Duration.ofSeconds(10)), withHealthyDuration(Duration.ofHours(1)));
        supervisor.run();
        process.awaitRun(1);
        for (int failure = 1; failure <= 3; failure++) {
            monotonic.advance(Duration.ofSeconds(20)); // each restart leaves the window before the next failure
            clock.advance(failure == 2 ? Duration.ofSeconds(20).minus(Duration.ofHours(1)) : Duration.ofSeconds(20));
            process.fail();
            process.awaitRun(failure + 1);
        }

        assertThat(events.awaitCount("windowed", RESTARTING, 3)).extracting(e -> e.snapshot().restartCount())
                .as("the restart before has left the window each time").containsOnly(0);
        assertThat(events.count("windowed", RESTART_LIMIT_EXCEEDED)).isZero();
    }

    /**
     * How long a run went on after its cancellation is told on monotonic time, as the stop timeout is measured: the
     * wall clock stepped an hour forward meanwhile does not make the report say the run had an hour and ten seconds.
     */
    @Test
    void theTimeARunDidNotStopWithinIsMeasuredOnMonotonicTime() {
        ManualClock monotonic = new ManualClock();
        Supervisor supervisor = track(Supervisor.builder().name("restart-model").clock(clock).scheduler(scheduler)
                .ticker(() -> Duration.between(Instant.EPOCH, monotonic.instant()).toNanos())
                .shutdownTimeout(Duration.ofSeconds(10)).group("g", GroupStrategy.ONE_FOR_ALL).listener(events)
                .build());
        ScriptedProcess trigger = new ScriptedProcess();
        CountDownLatch release = new CountDownLatch(1);
        supervisor.register("trigger", trigger, ProcessOption.inGroup("g"),
                withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofSeconds(1)));
        supervisor.register("stuck", ctx -> DeafProcess.awaitIgnoringInterrupts(release), ProcessOption.inGroup("g"));
        supervisor.run();
        trigger.awaitRun(1);
        events.await("stuck", STARTED);
        trigger.fail(); // the group cancels stuck, which does not stop, and checks its end after the stop timeout
        await().atMost(WAIT).until(() -> scheduler.pendingTasks() == 1);

        monotonic.advance(Duration.ofSeconds(10));
        clock.advance(Duration.ofHours(1)); // a step of the wall clock
        scheduler.advance(Duration.ofSeconds(10));

        SupervisorEvent report = events.await("stuck", SupervisorEvent.Type.SHUTDOWN_TIMEOUT);
        assertThat(report.error()).isInstanceOf(ProcessNotStoppedException.class)
                .hasMessageContaining("10000 ms").hasMessageNotContaining("3610000 ms");
        release.countDown();
    }

    /**
     * Without a restart limit the window counts nothing, and a crash loop must not keep the time of every restart it
     * ever made: the restarts that left the window are forgotten.
     */
    @Test
    void anUnlimitedProcessWithAWindowKeepsOnlyTheRestartsWithinIt() throws ReflectiveOperationException {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess();
        supervisor.register("looping", process, withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO),
                withRestartWindow(Duration.ofSeconds(10)));
        supervisor.run();
        for (int run = 1; run <= 50; run++) {
            process.awaitRun(run);
            clock.advance(Duration.ofSeconds(1));
            process.fail();
        }
        process.awaitRun(51);

        Field processes = Supervisor.class.getDeclaredField("processes");
        processes.setAccessible(true);
        Object looping = ((Map<?, ?>) processes.get(supervisor)).get("looping");
        Field restartTimes = ManagedProcess.class.getDeclaredField("restartTimes");
        restartTimes.setAccessible(true);
        synchronized (lockOf(looping)) {
            assertThat((Collection<?>) restartTimes.get(looping)).as("restart times kept").hasSizeLessThanOrEqualTo(11);
        }
    }

    /**
     * An unlimited crash loop counts its restarts for ever, two billion of them in a day at 25,000 a second. At
     * {@code Integer.MAX_VALUE} the count stays there instead of wrapping to a negative number in the runs' contexts,
     * the snapshots, the logs, JMX and the metrics; and the backoff, grown with the same count, stays at its cap.
     */
    @Test
    void theRestartCountOfAnEndlessLoopStopsAtTheLargestIntInsteadOfOverflowing()
            throws ReflectiveOperationException {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess();
        supervisor.register("looping", process, withRestart(RestartPolicy.ALWAYS, 0, Duration.ofMillis(100)),
                withBackoff(Duration.ofSeconds(1), 0));
        supervisor.run();
        process.awaitRun(1);
        Field processes = Supervisor.class.getDeclaredField("processes");
        processes.setAccessible(true);
        Object looping = ((Map<?, ?>) processes.get(supervisor)).get("looping");
        synchronized (lockOf(looping)) { // as if the loop had restarted all but once as often as an int can count
            for (String count : List.of("restartCount", "consecutiveRestarts")) {
                Field field = ManagedProcess.class.getDeclaredField(count);
                field.setAccessible(true);
                field.setInt(looping, Integer.MAX_VALUE - 1);
            }
        }

        for (int restart = 1; restart <= 3; restart++) {
            process.fail();
            Duration delay = awaitRestartScheduled("looping", restart);
            assertThat(delay).as("delay of restart %d", restart).isEqualTo(Duration.ofSeconds(1));
            scheduler.advance(delay);
            assertThat(process.awaitRun(restart + 1).restartCount()).as("count of restart %d", restart)
                    .isEqualTo(Integer.MAX_VALUE);
        }
        assertThat(supervisor.snapshot("looping").restartCount()).isEqualTo(Integer.MAX_VALUE);
    }

    private static Object lockOf(Object managedProcess) throws ReflectiveOperationException {
        Field lock = ManagedProcess.class.getDeclaredField("lock");
        lock.setAccessible(true);
        return lock.get(managedProcess);
    }

    @Test
    void restartsInsideTheWindowExceedTheLimit() {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess().fail().fail().fail();
        supervisor.register("windowed", process, withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ofSeconds(1)),
                withRestartWindow(Duration.ofSeconds(10)));
        supervisor.run();
        scheduler.advance(awaitRestartScheduled("windowed", 1));
        scheduler.advance(awaitRestartScheduled("windowed", 2));

        SupervisorEvent limit = events.await("windowed", RESTART_LIMIT_EXCEEDED);
        assertThat(limit.reason()).isEqualTo(ExitReason.FAILED);
        assertThat(limit.error()).hasMessage("scripted failure");
        assertThat(limit.snapshot().status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(limit.snapshot().restartCount()).isEqualTo(2);
        assertThat(supervisor.status("windowed")).isEqualTo(ProcessStatus.FAILED);
        assertThat(process.runs()).isEqualTo(3);
        assertThat(scheduler.pendingTasks()).as("no restart pending").isZero();

        scheduler.advance(Duration.ofMinutes(5));
        assertThat(supervisor.status("windowed")).as("FAILED is at rest, even once the window has passed")
                .isEqualTo(ProcessStatus.FAILED);
        assertThat(supervisor.snapshot("windowed").totalStarts()).isEqualTo(3);
    }

    @Test
    void withRestartWindowRejectsANonPositiveWindow() {
        assertThatThrownBy(() -> withRestartWindow(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("restartWindow");
        assertThatThrownBy(() -> withRestartWindow(Duration.ofSeconds(-10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("restartWindow");
    }

    // ============================================================ 5. noRestartOn

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"listed", "subtype", "listed-crash", "hung"})
    void aListedFailureIsNeverRestartedEvenUnderAlways(String kind) {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess();
        SupervisorEvent.Type endEvent = FAILED;
        switch (kind) {
            case "listed":
                process.fail(new IOException("listed"));
                break;
            case "subtype":
                process.fail(new FileNotFoundException("a subtype of a listed type"));
                break;
            case "listed-crash":
                process.fail(new UnsupportedOperationException("a crash of a listed type"));
                endEvent = CRASHED;
                break;
            default: // never beats: the watchdog's ProcessHungException is the failure
                break;
        }
        supervisor.register("classified", process, withRestart(RestartPolicy.ALWAYS, 0, Duration.ofSeconds(1)),
                withWatchdog(Duration.ofSeconds(5)),
                noRestartOn(IOException.class, UnsupportedOperationException.class, ProcessHungException.class));
        supervisor.run();
        process.awaitRun(1);
        if (kind.equals("hung")) {
            scheduler.advance(Duration.ofSeconds(5));
        }

        SupervisorEvent end = events.await("classified", endEvent);
        assertThat(end.snapshot().status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(supervisor.status("classified")).isEqualTo(ProcessStatus.FAILED);
        assertThat(scheduler.pendingTasks()).isZero();
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(process.runs()).isEqualTo(1);

        shutDownAndDrain(supervisor);
        assertThat(events.count("classified", RESTARTING)).isZero();
        assertThat(events.count("classified", STARTED)).isEqualTo(1);
        assertThat(supervisor.status("classified")).as("FAILED survives the shutdown")
                .isEqualTo(ProcessStatus.FAILED);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unlisted-failure", "unlisted-crash", "completion"})
    void anUnlistedOutcomeIsRestarted(String kind) {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess();
        switch (kind) {
            case "unlisted-failure":
                process.fail(new Exception("not an IOException"));
                break;
            case "unlisted-crash":
                process.fail(new IllegalStateException("not an UnsupportedOperationException"));
                break;
            default:
                process.complete();
                break;
        }
        supervisor.register("classified", process, withRestart(RestartPolicy.ALWAYS, 0, Duration.ofSeconds(1)),
                noRestartOn(IOException.class, UnsupportedOperationException.class));
        supervisor.run();
        scheduler.advance(awaitRestartScheduled("classified", 1));
        assertThat(process.awaitRun(2).restartCount()).isEqualTo(1);
        await().until(() -> supervisor.status("classified") == ProcessStatus.RUNNING);
    }

    // ============================================================ 6. watchdog

    /** A process that never beats: it blocks in a plain JDK wait, which only an interrupt ends. */
    private static final class Silent implements SupervisedProcess {
        final List<ProcessContext> runs = new CopyOnWriteArrayList<>();
        final List<ProcessContext> interrupted = new CopyOnWriteArrayList<>();
        private final CountDownLatch never = new CountDownLatch(1);

        @Override
        public void run(ProcessContext ctx) throws Exception {
            runs.add(ctx);
            try {
                never.await();
            } catch (InterruptedException e) {
                interrupted.add(ctx);
                throw e;
            }
        }

        ProcessContext awaitRun(int n) {
            await().until(() -> runs.size() >= n);
            return runs.get(n - 1);
        }
    }

    @Test
    void aProcessWithoutHeartbeatIsHungCancelledFailedAndRestartedOnFailure() {
        Supervisor supervisor = supervisor();
        Silent process = new Silent();
        supervisor.register("silent", process, withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofSeconds(1)),
                withWatchdog(Duration.ofSeconds(5)));
        supervisor.run();
        ProcessContext first = process.awaitRun(1);

        scheduler.advance(Duration.ofMillis(4_999));
        assertThat(first.isCancelled()).as("not hung before the timeout").isFalse();
        assertThat(supervisor.status("silent")).isEqualTo(ProcessStatus.RUNNING);

        scheduler.advance(Duration.ofMillis(1));
        assertThat(first.isCancelled()).as("the watchdog cancels the run at once").isTrue();
        SupervisorEvent hung = events.await("silent", HUNG);
        assertThat(hung.error()).isInstanceOf(ProcessHungException.class).hasMessageContaining("silent")
                .hasMessageContaining("sent no heartbeat for PT5S");

        SupervisorEvent failed = events.await("silent", FAILED);
        assertThat(failed.reason()).isEqualTo(ExitReason.FAILED);
        assertThat(failed.error()).as("the run's end carries the hang").isSameAs(hung.error());
        await().until(() -> process.interrupted.contains(first));
        ProcessSnapshot afterHang = failed.snapshot();
        assertThat(afterHang.status()).isEqualTo(ProcessStatus.RESTARTING);
        assertThat(afterHang.totalFailures()).isEqualTo(1);
        assertThat(afterHang.lastFailure()).isSameAs(hung.error());
        assertThat(afterHang.lastExitReason()).isEqualTo(ExitReason.FAILED);

        scheduler.advance(awaitRestartScheduled("silent", 1));
        ProcessContext second = process.awaitRun(2);
        assertThat(second.isCancelled()).isFalse();
        assertThat(second.restartCount()).isEqualTo(1);
        assertThat(events.awaitCount("silent", STARTED, 2).get(1).restart()).isTrue();

        scheduler.advance(Duration.ofSeconds(5));
        assertThat(second.isCancelled()).as("the new run is watched too").isTrue();
        events.awaitCount("silent", HUNG, 2);
    }

    @Test
    void aHungProcessUnderNeverEndsFailed() {
        Supervisor supervisor = supervisor();
        Silent process = new Silent();
        supervisor.register("silent", process, withWatchdog(Duration.ofSeconds(5)));
        supervisor.run();
        ProcessContext run = process.awaitRun(1);
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(run.isCancelled()).isTrue();

        SupervisorEvent hung = events.await("silent", HUNG);
        SupervisorEvent failed = events.await("silent", FAILED);
        assertThat(failed.error()).isInstanceOf(ProcessHungException.class).isSameAs(hung.error());
        assertThat(failed.snapshot().status()).isEqualTo(ProcessStatus.FAILED);
        await().until(() -> process.interrupted.contains(run));
        assertThat(supervisor.status("silent")).isEqualTo(ProcessStatus.FAILED);
        assertThat(scheduler.pendingTasks()).as("no watchdog check and no restart left").isZero();

        shutDownAndDrain(supervisor);
        assertThat(runBoundaries("silent")).containsExactly(STARTED, FAILED);
        assertThat(events.count("silent", RESTARTING)).isZero();
    }

    @Test
    void aProcessThatBeatsRegularlyIsNeverHung() throws InterruptedException {
        Supervisor supervisor = supervisor();
        BlockingQueue<Boolean> beat = new LinkedBlockingQueue<>();
        BlockingQueue<Instant> beaten = new LinkedBlockingQueue<>();
        List<ProcessContext> runs = new CopyOnWriteArrayList<>();
        supervisor.register("beating", ctx -> {
            runs.add(ctx);
            while (true) {
                beat.take();
                ctx.heartbeat();
                beaten.add(clock.instant());
            }
        }, withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofSeconds(1)), withWatchdog(Duration.ofSeconds(5)));
        supervisor.run();
        await().until(() -> runs.size() == 1);
        ProcessContext run = runs.get(0);

        Instant lastBeat = null;
        for (int i = 0; i < 10; i++) { // 40 s of virtual time, 8 times the timeout
            scheduler.advance(Duration.ofSeconds(4));
            assertThat(run.isCancelled()).as("beat %d", i).isFalse();
            beat.add(Boolean.TRUE);
            lastBeat = beaten.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(lastBeat).isNotNull();
        }
        assertThat(supervisor.status("beating")).isEqualTo(ProcessStatus.RUNNING);
        assertThat(scheduler.pendingTasks()).as("the watchdog is still watching").isEqualTo(1);

        scheduler.advance(Duration.ofMillis(4_999));
        assertThat(run.isCancelled()).isFalse();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(run.isCancelled()).as("once the beats stop, the watchdog fires").isTrue();
        SupervisorEvent hung = events.await("beating", HUNG);
        assertThat(hung.error()).as("silence measured from the last beat, at %s", lastBeat)
                .hasMessageContaining("sent no heartbeat for PT5S");
        assertThat(clock.instant()).isEqualTo(lastBeat.plusSeconds(5));
        assertThat(events.count("beating", HUNG)).isEqualTo(1);
    }

    @Test
    void theHungEventIsStampedWhenTheHangIsFound() {
        Supervisor supervisor = supervisor();
        Silent process = new Silent();
        supervisor.register("silent", process, withWatchdog(Duration.ofSeconds(5)));
        supervisor.run();
        process.awaitRun(1);
        Instant start = clock.instant();
        scheduler.advance(Duration.ofSeconds(5));
        SupervisorEvent hung = events.await("silent", HUNG);
        assertThat(hung.error()).hasMessageContaining("sent no heartbeat for PT5S");
        assertThat(hung.time()).as("time of the HUNG event").isEqualTo(start.plusSeconds(5));
        assertThat(hung.snapshot().takenAt()).isEqualTo(start.plusSeconds(5));
    }

    /**
     * The wall clock jumps an hour forward (a clock step, a virtual machine resumed) just after a heartbeat: the
     * watchdog measures the silence on monotonic time, so the run is not declared hung for the hour the step added.
     */
    @Test
    void aWallClockSetForwardDeclaresNoRunHung() throws Exception {
        ManualClock monotonic = new ManualClock();
        ManualScheduler timer = new ManualScheduler(monotonic);
        Supervisor supervisor = track(Supervisor.builder().clock(clock).scheduler(timer)
                .ticker(() -> Duration.between(Instant.EPOCH, monotonic.instant()).toNanos())
                .shutdownTimeout(WAIT).listener(events).build());
        CountDownLatch beat = new CountDownLatch(1);
        CountDownLatch beaten = new CountDownLatch(1);
        List<ProcessContext> runs = new CopyOnWriteArrayList<>();
        supervisor.register("beating", ctx -> {
            runs.add(ctx);
            beat.await();
            ctx.heartbeat();
            beaten.countDown();
            ctx.awaitCancellation();
        }, withWatchdog(Duration.ofSeconds(5)));
        supervisor.run();
        await().until(() -> runs.size() == 1 && supervisor.isRunning("beating"));
        timer.advance(Duration.ofSeconds(4));
        beat.countDown();
        assertThat(beaten.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        clock.advance(Duration.ofHours(1));

        timer.advance(Duration.ofSeconds(1)); // the watchdog's check: 1 s since the heartbeat
        assertThat(runs.get(0).isCancelled()).as("hung for the hour the wall clock jumped").isFalse();
        timer.advance(Duration.ofSeconds(4));
        assertThat(runs.get(0).isCancelled()).as("5 s without a heartbeat").isTrue();
        assertThat(events.await("beating", HUNG).error()).hasMessageContaining("sent no heartbeat for PT5S");
    }

    /** A platform thread that counts the calls of its {@link #interrupt()} by other threads. */
    private static final class CountingThread extends Thread {
        static final AtomicInteger INTERRUPTS = new AtomicInteger();

        CountingThread(Runnable task) {
            super(task, "counting");
        }

        @Override
        public void interrupt() {
            if (Thread.currentThread() != this) {
                INTERRUPTS.incrementAndGet();
            }
            super.interrupt();
        }
    }

    @Test
    void theWatchdogWakesARunWaitingForItsCancellationWithoutAnInterrupt() throws Exception {
        ExecutorService threads = shutDown.executor(Executors.newCachedThreadPool(CountingThread::new));
        Supervisor supervisor = track(Supervisor.builder().clock(clock).scheduler(scheduler).executor(threads)
                .listener(events).build());
        CountDownLatch returned = new CountDownLatch(1);
        AtomicBoolean interruptedOnReturn = new AtomicBoolean(true);
        List<ProcessContext> runs = new CopyOnWriteArrayList<>();
        CompletableFuture<Thread> runThread = new CompletableFuture<>();
        supervisor.register("watched", ctx -> {
            runs.add(ctx);
            runThread.complete(Thread.currentThread());
            ctx.awaitCancellation();
            interruptedOnReturn.set(Thread.currentThread().isInterrupted());
            returned.countDown();
        }, withWatchdog(Duration.ofSeconds(5)));
        supervisor.run();
        await().until(() -> runs.size() == 1 && supervisor.isRunning("watched"));
        Parked.await(runThread);
        int interruptsBefore = CountingThread.INTERRUPTS.get();

        scheduler.advance(Duration.ofSeconds(5));

        assertThat(returned.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(runs.get(0).isCancelled()).isTrue();
        assertThat(interruptedOnReturn).as("interrupt status when awaitCancellation() returned").isFalse();
        assertThat(CountingThread.INTERRUPTS.get() - interruptsBefore).as("interrupt() calls").isZero();
        events.await("watched", SupervisorEvent.Type.HUNG);
    }

    /**
     * Shutdown stops the priority levels one at a time; a run of a lower level may go quiet while a higher one is
     * still stopping (what it worked with is gone). That is no hang to alert anyone about: the shutdown stops it
     * next, and its timeout reports a run that does not end.
     */
    @Test
    void theWatchdogDeclaresNoHangOnceShutdownHasBegun() throws Exception {
        Supervisor supervisor = supervisor();
        CountDownLatch release = new CountDownLatch(1);
        shutDown.closeable(release::countDown);
        CompletableFuture<ProcessContext> first = new CompletableFuture<>();
        supervisor.register("first", ctx -> {
            first.complete(ctx);
            DeafProcess.awaitIgnoringInterrupts(release);
        }, withPriority(10));
        supervisor.register("quiet", ProcessContext::awaitCancellation, withWatchdog(Duration.ofSeconds(5)));
        supervisor.run();
        ProcessContext firstRun = first.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        await().until(() -> supervisor.isRunning("quiet") && scheduler.pendingTasks() == 1);

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(supervisor::shutdown);
        await("the first level is being stopped").until(firstRun::isCancelled);
        scheduler.advance(Duration.ofSeconds(5)); // the watchdog's check falls due while "first" holds the shutdown
        release.countDown();
        shutdown.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        events.awaitTerminated();

        assertThat(events.types("quiet")).doesNotContain(HUNG);
        assertThat(events.await("quiet", STOPPED).reason()).isEqualTo(ExitReason.SHUTDOWN);
    }

    /**
     * Shutdown gives up on a watched run that will not end. The supervisor never shuts down a scheduler the user
     * passed in, so the watchdog's check of that run must leave it: else it stays there, holding the process, until
     * it falls due (up to the watchdog's timeout), long after the supervisor terminated.
     */
    @Test
    void shutdownLeavesNoWatchdogCheckOfARunItGaveUpOn() {
        Supervisor supervisor = track(Supervisor.builder().name("restart-model").clock(clock).scheduler(scheduler)
                .shutdownTimeout(Duration.ofMillis(100)).listener(events).build());
        CountDownLatch release = new CountDownLatch(1);
        shutDown.closeable(release::countDown); // the abandoned run's thread ends after the test
        supervisor.register("deaf", DeafProcess.until(release), withWatchdog(Duration.ofHours(1)));
        supervisor.run();
        await("the watchdog watches the run").until(() -> scheduler.pendingTasks() == 1);

        shutDownAndDrain(supervisor);
        assertThat(events.await("deaf", SupervisorEvent.Type.SHUTDOWN_TIMEOUT).snapshot().status())
                .isEqualTo(ProcessStatus.STOPPED);
        assertThat(scheduler.pendingTasks()).as("timers left on the user's scheduler").isZero();
    }

    /**
     * A heartbeat races the watchdog's deadline and loses: the run's thread is inside {@code heartbeat()} when the
     * watchdog declares the hang, and reads the time only after it. That heartbeat is no health: the hung run lasted
     * until its last heartbeat before the hang (here none), so it does not reset the restart count, and the process
     * exceeds its limit.
     */
    @Test
    void aHeartbeatThatLosesTheRaceWithTheWatchdogIsNoHealth() throws InterruptedException {
        ThreadLocal<Boolean> beating = ThreadLocal.withInitial(() -> false);
        CountDownLatch readingTheTime = new CountDownLatch(1);
        CountDownLatch hangDeclared = new CountDownLatch(1);
        Supervisor supervisor = track(Supervisor.builder().name("restart-model").clock(clock).scheduler(scheduler)
                .ticker(() -> {
                    if (beating.get()) { // the heartbeat's read of the time waits until the hang is declared
                        readingTheTime.countDown();
                        DeafProcess.awaitIgnoringInterrupts(hangDeclared);
                    }
                    return Duration.between(Instant.EPOCH, clock.instant()).toNanos();
                }).shutdownTimeout(WAIT).listener(events).build());
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("racing", ctx -> {
            if (runs.incrementAndGet() == 1) {
                throw new Exception("the first run fails: one restart counted");
            }
            beating.set(true);
            ctx.heartbeat();
            beating.set(false);
            ctx.awaitCancellation();
        }, withRestart(RestartPolicy.ON_FAILURE, 1, Duration.ofSeconds(1)), withWatchdog(Duration.ofSeconds(5)),
                withHealthyDuration(Duration.ofSeconds(5)));
        supervisor.run();
        scheduler.advance(awaitRestartScheduled("racing", 1)); // the second run begins at t=1 s
        assertThat(readingTheTime.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        scheduler.advance(Duration.ofSeconds(5)); // t=6 s: no heartbeat since the run began, 5 s ago
        events.await("racing", HUNG);
        hangDeclared.countDown();

        SupervisorEvent end = events.awaitCount("racing", FAILED, 2).get(1);
        assertThat(end.error()).isInstanceOf(ProcessHungException.class);
        assertThat(end.snapshot().status()).as("status after the hung run").isEqualTo(ProcessStatus.FAILED);
        assertThat(events.await("racing", RESTART_LIMIT_EXCEEDED).snapshot().restartCount()).isEqualTo(1);
    }

    @Test
    void withWatchdogRejectsANonPositiveTimeout() {
        assertThatThrownBy(() -> withWatchdog(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("watchdog");
        assertThatThrownBy(() -> withWatchdog(Duration.ofSeconds(-5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("watchdog");
    }

    // ============================================================ 7. priority

    @Test
    void processesStartInAscendingPriorityAndStopInDescendingPriority() {
        SubmissionOrderExecutor executor = shutDown.executor(new SubmissionOrderExecutor());
        Supervisor supervisor = track(Supervisor.builder().clock(clock).scheduler(scheduler).executor(executor)
                .listener(events).build());

        Map<Integer, String> submissionOrder = new ConcurrentSkipListMap<>();
        Map<String, ProcessContext> contexts = new ConcurrentHashMap<>();
        List<String> log = new CopyOnWriteArrayList<>();
        Map<String, Set<String>> cancelledWhenEnding = new ConcurrentHashMap<>();
        SupervisedProcess process = ctx -> {
            submissionOrder.put(SubmissionOrderExecutor.indexOfCurrentTask(), ctx.name());
            contexts.put(ctx.name(), ctx);
            ctx.awaitCancellation();
            log.add("cancelled " + ctx.name());
            cancelledWhenEnding.put(ctx.name(), contexts.entrySet().stream()
                    .filter(e -> e.getValue().isCancelled()).map(Map.Entry::getKey).collect(Collectors.toSet()));
            log.add("ended " + ctx.name());
        };
        supervisor.register("ten", process, withPriority(10));
        supervisor.register("minus5", process, withPriority(-5));
        supervisor.register("zeta", process, withPriority(0));
        supervisor.register("alpha", process); // default priority 0, registered after zeta
        assertThat(executor.submitted()).as("nothing is submitted before run()").isZero();

        supervisor.run();
        assertThat(executor.submitted()).isEqualTo(4);
        await().until(() -> contexts.size() == 4);
        List.of("ten", "minus5", "zeta", "alpha").forEach(name -> events.await(name, STARTED));
        assertThat(submissionOrder.values()).containsExactly("minus5", "zeta", "alpha", "ten");
        assertThat(events.events().stream().filter(e -> e.type() == STATUS_CHANGED)
                .map(SupervisorEvent::processName)).as("start requests, in order")
                .containsExactly("minus5", "zeta", "alpha", "ten");
        assertThat(supervisor.snapshot("alpha").priority()).isZero();
        assertThat(supervisor.snapshot("minus5").priority()).isEqualTo(-5);

        supervisor.shutdown();
        assertThat(cancelledWhenEnding.get("ten")).as("the highest priority stops first, alone")
                .containsExactly("ten");
        assertThat(cancelledWhenEnding.get("zeta")).contains("ten", "zeta").doesNotContain("minus5");
        assertThat(cancelledWhenEnding.get("alpha")).contains("ten", "alpha").doesNotContain("minus5");
        assertThat(cancelledWhenEnding.get("minus5")).containsExactlyInAnyOrder("ten", "zeta", "alpha", "minus5");
        assertThat(log.indexOf("ended ten")).isLessThan(log.indexOf("cancelled zeta"))
                .isLessThan(log.indexOf("cancelled alpha"));
        assertThat(log.indexOf("cancelled minus5")).isGreaterThan(log.indexOf("ended zeta"))
                .isGreaterThan(log.indexOf("ended alpha"));
        assertThat(log.get(log.size() - 1)).isEqualTo("ended minus5");
        for (String name : List.of("ten", "minus5", "zeta", "alpha")) {
            assertThat(supervisor.status(name)).isEqualTo(ProcessStatus.STOPPED);
        }
    }

    // ============================================================ 8. dynamic registration, run and shutdown

    @Test
    void registeringAfterRunStartsTheProcessAtOnce() {
        Supervisor supervisor = supervisor();
        ScriptedProcess early = new ScriptedProcess();
        supervisor.register("early", early);
        supervisor.run();
        early.awaitRun(1);

        ScriptedProcess late = new ScriptedProcess();
        supervisor.register("late", late);
        late.awaitRun(1);
        assertThat(supervisor.status("late")).isEqualTo(ProcessStatus.RUNNING);
        assertThat(supervisor.processNames()).containsExactly("early", "late");
        assertThat(events.await("late", STARTED).restart()).isFalse();
        assertThat(events.types("late")).containsExactly(REGISTERED, STATUS_CHANGED, STARTED);
    }

    @Test
    void aProcessRegisteredAsRunBeginsRunsOnce() {
        Supervisor supervisor = supervisor();
        supervisor.register("early", new ScriptedProcess());
        AtomicInteger runs = new AtomicInteger();
        // Registered on run()'s thread just after run() has begun (its first log line): the supervisor is running,
        // so the registration starts the process, whose one run completes before run() goes on.
        CapturedLogs logs = shutDown.closeable(CapturedLogs.attach());
        logs.onFirst("\"restart-model\" starting", () -> {
            supervisor.register("once", ctx -> runs.incrementAndGet());
            events.await("once", COMPLETED);
        });
        supervisor.run();
        events.await("early", STARTED);
        shutDownAndDrain(supervisor);

        assertThat(runs).as("runs of a process registered once, with policy NEVER").hasValue(1);
        assertThat(runBoundaries("once")).containsExactly(STARTED, COMPLETED);
    }

    @ParameterizedTest(name = "in a group: {0}")
    @ValueSource(booleans = {false, true})
    void aProcessAnOperatorStartsAsRunBeginsRunsOnce(boolean inAGroup) {
        Supervisor supervisor = track(Supervisor.builder().name("restart-model").clock(clock).scheduler(scheduler)
                .shutdownTimeout(WAIT).listener(events).group("g", GroupStrategy.ONE_FOR_ALL).build());
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("once", ctx -> runs.incrementAndGet(),
                inAGroup ? ProcessOption.inGroup("g") : withPriority(0));
        // Started by an operator on run()'s thread just after run() has taken its processes (its first log line): the
        // one run completes before run() reaches the process.
        CapturedLogs logs = shutDown.closeable(CapturedLogs.attach());
        logs.onFirst("\"restart-model\" starting", () -> {
            supervisor.start("once");
            events.await("once", COMPLETED);
        });
        supervisor.run();
        shutDownAndDrain(supervisor);

        assertThat(runs).as("runs of a process started once, with policy NEVER").hasValue(1);
        assertThat(runBoundaries("once")).containsExactly(STARTED, COMPLETED);
    }

    @Test
    void theUptimeIsZeroRatherThanNegativeWhileTheClockIsSetBackPastTheStart() {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess();
        supervisor.register("p", process);
        supervisor.run();
        process.awaitRun(1);
        events.await("p", STARTED);

        clock.advance(Duration.ofMinutes(-5));
        assertThat(supervisor.snapshot("p").uptime()).isEqualTo(Duration.ZERO);
        clock.advance(Duration.ofMinutes(6));
        assertThat(supervisor.snapshot("p").uptime()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void registeringBeforeRunDoesNotStartTheProcess() {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess();
        supervisor.register("waiting", process);
        events.await("waiting", REGISTERED);
        assertThat(supervisor.status("waiting")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(process.runs()).isZero();
        assertThat(supervisor.isStarted()).isFalse();
        supervisor.run();
        process.awaitRun(1);
    }

    @Test
    void registeringAfterShutdownIsRejected() {
        Supervisor supervisor = supervisor();
        supervisor.register("p", new ScriptedProcess());
        supervisor.run();
        supervisor.shutdown();
        assertThatThrownBy(() -> supervisor.register("late", new ScriptedProcess()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("shut down");
        assertThat(supervisor.processNames()).containsExactly("p");

        Supervisor neverRun = supervisor();
        neverRun.shutdown();
        assertThatThrownBy(() -> neverRun.register("late", new ScriptedProcess()))
                .as("also when run() was never called").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void runAfterShutdownIsRejected() {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess();
        supervisor.register("p", process);
        supervisor.shutdown();
        assertThatThrownBy(supervisor::run).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shut down");
        assertThat(process.runs()).isZero();
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STOPPED);

        Supervisor ran = supervisor();
        ran.run();
        ran.shutdown();
        assertThatThrownBy(ran::run).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void runTwiceIsHarmless() {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess();
        supervisor.register("once", process);
        supervisor.run();
        supervisor.run();
        process.awaitRun(1);
        supervisor.run();
        assertThat(supervisor.isStarted()).isTrue();
        assertThat(supervisor.status("once")).isEqualTo(ProcessStatus.RUNNING);
        shutDownAndDrain(supervisor);
        assertThat(process.runs()).isEqualTo(1);
        assertThat(events.types("once")).containsExactly(REGISTERED, STATUS_CHANGED, STARTED, STOPPED);
        assertThat(supervisor.snapshot("once").totalStarts()).isEqualTo(1);
    }

    // ============================================================ 9. control of one process while others run

    private Supervisor threeBlocking(ScriptedProcess a, ScriptedProcess b, ScriptedProcess c) {
        Supervisor supervisor = supervisor();
        supervisor.register("a", a, withRestart(RestartPolicy.ALWAYS, 3, Duration.ofSeconds(1)));
        supervisor.register("b", b, withRestart(RestartPolicy.ALWAYS, 3, Duration.ofSeconds(1)));
        supervisor.register("c", c, withRestart(RestartPolicy.ALWAYS, 3, Duration.ofSeconds(1)));
        supervisor.run();
        a.awaitRun(1);
        b.awaitRun(1);
        c.awaitRun(1);
        return supervisor;
    }

    @Test
    void stopOneProcessLeavesTheOthersRunning() {
        ScriptedProcess a = new ScriptedProcess();
        ScriptedProcess b = new ScriptedProcess();
        ScriptedProcess c = new ScriptedProcess();
        Supervisor supervisor = threeBlocking(a, b, c);

        supervisor.stop("b");
        SupervisorEvent stopped = events.await("b", STOPPED);
        assertThat(stopped.reason()).isEqualTo(ExitReason.MANUAL);
        assertThat(stopped.snapshot().status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(stopped.previousStatus()).isEqualTo(ProcessStatus.RUNNING);
        assertThat(b.run(1).isCancelled()).isTrue();
        assertThat(supervisor.status("b")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(supervisor.status("a")).isEqualTo(ProcessStatus.RUNNING);
        assertThat(supervisor.status("c")).isEqualTo(ProcessStatus.RUNNING);
        assertThat(a.run(1).isCancelled()).isFalse();
        assertThat(c.run(1).isCancelled()).isFalse();

        scheduler.advance(Duration.ofMinutes(1));
        assertThat(supervisor.status("b")).as("a manual stop is not restarted, even under ALWAYS")
                .isEqualTo(ProcessStatus.STOPPED);
        assertThat(b.runs()).isEqualTo(1);
        assertThat(events.count("b", RESTARTING)).isZero();
    }

    @Test
    void startRunsAStoppedProcessAgain() {
        ScriptedProcess a = new ScriptedProcess();
        ScriptedProcess b = new ScriptedProcess();
        ScriptedProcess c = new ScriptedProcess();
        Supervisor supervisor = threeBlocking(a, b, c);
        supervisor.stop("b");
        events.await("b", STOPPED);

        supervisor.start("b");
        ProcessContext second = b.awaitRun(2);
        assertThat(second.isCancelled()).isFalse();
        assertThat(second.restartCount()).isZero();
        SupervisorEvent started = events.awaitCount("b", STARTED, 2).get(1);
        assertThat(started.restart()).as("an operator's start is not a policy restart").isFalse();
        await().until(() -> supervisor.status("b") == ProcessStatus.RUNNING);
        assertThat(a.runs()).isEqualTo(1);
        assertThat(c.runs()).isEqualTo(1);

        supervisor.start("b");
        assertThat(supervisor.status("b")).as("start of a running process does nothing")
                .isEqualTo(ProcessStatus.RUNNING);
        assertThat(second.isCancelled()).isFalse();
    }

    @Test
    void restartMakesANewRunOfOneProcessOnly() {
        ScriptedProcess a = new ScriptedProcess();
        ScriptedProcess b = new ScriptedProcess();
        ScriptedProcess c = new ScriptedProcess();
        Supervisor supervisor = threeBlocking(a, b, c);
        ProcessContext firstOfA = a.run(1);

        supervisor.restart("a");
        ProcessContext secondOfA = a.awaitRun(2);
        assertThat(firstOfA.isCancelled()).isTrue();
        assertThat(secondOfA.isCancelled()).isFalse();
        List<SupervisorEvent> started = events.awaitCount("a", STARTED, 2);
        assertThat(started).hasSize(2);
        assertThat(started.get(1).restart()).isFalse();
        assertThat(events.await("a", STOPPED).reason()).isEqualTo(ExitReason.MANUAL);
        await().until(() -> supervisor.status("a") == ProcessStatus.RUNNING);
        assertThat(supervisor.snapshot("a").totalStarts()).isEqualTo(2);
        assertThat(supervisor.snapshot("a").totalRestarts()).as("an operator's restart is not a policy restart")
                .isZero();

        assertThat(c.runs()).isEqualTo(1);
        assertThat(c.run(1).isCancelled()).isFalse();
        assertThat(supervisor.status("c")).isEqualTo(ProcessStatus.RUNNING);
        assertThat(supervisor.snapshot("c").totalStarts()).isEqualTo(1);
        assertThat(events.types("c")).containsExactly(REGISTERED, STATUS_CHANGED, STARTED);
        assertThat(b.run(1).isCancelled()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"start", "restart"})
    void aFailedProcessRunsAgainWithAFreshRestartBudget(String operation) {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess().fail().fail();
        supervisor.register("f", process, withRestart(RestartPolicy.ON_FAILURE, 1, Duration.ZERO));
        supervisor.run();
        SupervisorEvent limit = events.await("f", RESTART_LIMIT_EXCEEDED);
        assertThat(limit.snapshot().restartCount()).isEqualTo(1);
        assertThat(supervisor.status("f")).isEqualTo(ProcessStatus.FAILED);
        assertThat(process.runs()).isEqualTo(2);

        BiConsumer<Supervisor, String> control = operation.equals("start") ? Supervisor::start : Supervisor::restart;
        control.accept(supervisor, "f");
        ProcessContext third = process.awaitRun(3);
        assertThat(third.restartCount()).isZero();
        SupervisorEvent started = events.awaitCount("f", STARTED, 3).get(2);
        assertThat(started.snapshot().restartCount()).isZero();
        assertThat(started.previousStatus()).isEqualTo(ProcessStatus.STARTING);
        await().until(() -> supervisor.status("f") == ProcessStatus.RUNNING);
        assertThat(supervisor.snapshot("f").restartCount()).isZero();

        process.fail(); // the fresh budget allows one restart again
        assertThat(process.awaitRun(4).restartCount()).isEqualTo(1);
        process.fail();
        events.awaitCount("f", RESTART_LIMIT_EXCEEDED, 2);
        await().until(() -> supervisor.status("f") == ProcessStatus.FAILED);
        assertThat(process.runs()).isEqualTo(4);
    }

    @Test
    void resetRestartCountZeroesTheCountAndTheBackoff() {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess().fail().fail();
        supervisor.register("p", process, withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ofMillis(100)),
                withBackoff(Duration.ofSeconds(1), 0));
        supervisor.run();
        scheduler.advance(awaitRestartScheduled("p", 1));
        assertThat(awaitRestartScheduled("p", 2)).isEqualTo(Duration.ofMillis(200));
        scheduler.advance(Duration.ofMillis(200));
        process.awaitRun(3);
        assertThat(supervisor.snapshot("p").restartCount()).isEqualTo(2);

        supervisor.resetRestartCount("p");
        assertThat(supervisor.snapshot("p").restartCount()).isZero();
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.RUNNING);
        assertThat(supervisor.snapshot("p").totalRestarts()).isEqualTo(2);

        process.fail(); // with 2 restarts counted this would exceed the limit of 2
        SupervisorEvent restarting = events.awaitCount("p", RESTARTING, 3).get(2);
        assertThat(restarting.snapshot().restartCount()).isZero();
        assertThat(awaitRestartScheduled("p", 3)).as("the backoff starts again").isEqualTo(Duration.ofMillis(100));
        assertThat(events.count("p", RESTART_LIMIT_EXCEEDED)).isZero();
    }

    @Test
    void stopOfARestartingProcessCancelsThePendingRestart() {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess().fail();
        supervisor.register("p", process, withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofHours(1)));
        supervisor.run();
        assertThat(awaitRestartScheduled("p", 1)).isEqualTo(Duration.ofHours(1));
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.RESTARTING);

        supervisor.stop("p");
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(scheduler.pendingTasks()).as("the restart timer is cancelled").isZero();
        scheduler.advance(Duration.ofHours(2));
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(process.runs()).isEqualTo(1);
        assertThat(supervisor.snapshot("p").totalRestarts()).isZero();

        shutDownAndDrain(supervisor);
        List<SupervisorEvent> mine = eventsOf("p");
        SupervisorEvent last = mine.get(mine.size() - 1);
        assertThat(last.type()).isEqualTo(STATUS_CHANGED);
        assertThat(last.previousStatus()).isEqualTo(ProcessStatus.RESTARTING);
        assertThat(last.snapshot().status()).isEqualTo(ProcessStatus.STOPPED);
        assertThat(events.count("p", STARTED)).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"start", "restart"})
    void startOrRestartOfARestartingProcessRunsItAtOnceWithAFreshCount(String operation) {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess().fail();
        supervisor.register("p", process, withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ofHours(1)));
        supervisor.run();
        awaitRestartScheduled("p", 1);

        BiConsumer<Supervisor, String> control = operation.equals("start") ? Supervisor::start : Supervisor::restart;
        control.accept(supervisor, "p");
        assertThat(scheduler.pendingTasks()).as("the pending restart is dropped").isZero();
        ProcessContext second = process.awaitRun(2);
        assertThat(second.restartCount()).isZero();
        await().until(() -> supervisor.status("p") == ProcessStatus.RUNNING);
        assertThat(supervisor.snapshot("p").totalRestarts()).as("not a policy restart").isZero();

        scheduler.advance(Duration.ofHours(2));
        assertThat(process.runs()).as("the dropped timer starts nothing").isEqualTo(2);
        assertThat(second.isCancelled()).isFalse();
        assertThat(supervisor.snapshot("p").totalStarts()).isEqualTo(2);
    }

    /** An executor that holds every task until the test releases it, then runs it on a thread of its own. */
    private static final class HoldingExecutor extends ThreadBackedExecutor {
        private final BlockingQueue<Runnable> held = new LinkedBlockingQueue<>();

        @Override
        public void execute(Runnable task) {
            held.add(task);
        }

        int held() {
            return held.size();
        }

        /** Hands the held tasks to threads; @return one future per task, done when the task has returned */
        List<Future<?>> releaseAll() {
            List<Runnable> tasks = new ArrayList<>();
            held.drainTo(tasks);
            return tasks.stream().map(threads::submit).collect(Collectors.toList());
        }
    }

    /** Runs a supervisor of process "p" on {@code executor}: p is STARTING, its one run held by the executor. */
    private Supervisor startHeld(HoldingExecutor executor, ScriptedProcess process) {
        shutDown.executor(executor);
        Supervisor supervisor = track(Supervisor.builder().clock(clock).scheduler(scheduler).executor(executor)
                .listener(events).build());
        supervisor.register("p", process);
        supervisor.run();
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STARTING);
        assertThat(executor.held()).isEqualTo(1);
        return supervisor;
    }

    @Test
    void restartOfAStartingProcessLeavesItsRunToBeginOnce() throws Exception {
        HoldingExecutor executor = new HoldingExecutor();
        ScriptedProcess process = new ScriptedProcess();
        Supervisor supervisor = startHeld(executor, process);

        supervisor.restart("p");
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STARTING);
        assertThat(executor.held()).as("no second run submitted").isEqualTo(1);
        executor.releaseAll();
        ProcessContext run = process.awaitRun(1);
        await().until(() -> supervisor.status("p") == ProcessStatus.RUNNING);
        assertThat(run.isCancelled()).isFalse();
        assertThat(supervisor.snapshot("p").totalStarts()).isEqualTo(1);
        shutDownAndDrain(supervisor);
        assertThat(runBoundaries("p")).containsExactly(STARTED, STOPPED);
    }

    @Test
    void stopOfAStartingProcessMeansItsRunNeverBegins() throws Exception {
        HoldingExecutor executor = new HoldingExecutor();
        ScriptedProcess process = new ScriptedProcess();
        Supervisor supervisor = startHeld(executor, process);

        supervisor.stop("p");
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STOPPED);
        List<Future<?>> stale = executor.releaseAll(); // the task reaches a thread only after the stop
        assertThat(stale).hasSize(1);
        stale.get(0).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(process.runs()).isZero();
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(supervisor.snapshot("p").totalStarts()).isZero();

        supervisor.start("p");
        executor.releaseAll();
        process.awaitRun(1);
        shutDownAndDrain(supervisor);
        assertThat(runBoundaries("p")).containsExactly(STARTED, STOPPED);
    }

    @Test
    void shutdownDropsAPendingRestart() {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess().fail();
        supervisor.register("p", process, withRestart(RestartPolicy.ALWAYS, 0, Duration.ofSeconds(30)));
        supervisor.run();
        awaitRestartScheduled("p", 1);

        shutDownAndDrain(supervisor);
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(scheduler.pendingTasks()).isZero();
        scheduler.advance(Duration.ofMinutes(1));
        assertThat(process.runs()).isEqualTo(1);
        assertThat(supervisor.snapshot("p").totalRestarts()).isZero();
        assertThat(runBoundaries("p")).containsExactly(STARTED, FAILED);
    }

    @Test
    void startAndRestartBeforeRunOrAfterShutdownAreRejected() {
        Supervisor supervisor = supervisor();
        ScriptedProcess process = new ScriptedProcess();
        supervisor.register("p", process);
        assertThatThrownBy(() -> supervisor.start("p")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("run()");
        assertThatThrownBy(() -> supervisor.restart("p")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("run()");
        assertThat(supervisor.status("p")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(process.runs()).isZero();

        supervisor.run();
        process.awaitRun(1);
        supervisor.shutdown();
        assertThatThrownBy(() -> supervisor.start("p")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> supervisor.restart("p")).isInstanceOf(IllegalStateException.class);
        assertThat(process.runs()).isEqualTo(1);
    }

    // ============================================================ 10. event invariants

    @Test
    void everyRunHasOneStartAndOneEndAndThePreviousStatusChainHolds() {
        Supervisor supervisor = supervisor();
        ScriptedProcess mixed = new ScriptedProcess().fail().crash().complete();
        ScriptedProcess completer = new ScriptedProcess().complete();
        ScriptedProcess crasher = new ScriptedProcess().crash();
        supervisor.register("mixed", mixed, withRestart(RestartPolicy.ALWAYS, 0, Duration.ofMillis(100)),
                withBackoff(Duration.ofSeconds(1), 0));
        supervisor.register("completer", completer);
        supervisor.register("crasher", crasher, withRestart(RestartPolicy.NEVER, 3, Duration.ZERO));
        supervisor.run();

        for (int i = 1; i <= 3; i++) { // fail, crash, complete: each restarted under ALWAYS
            scheduler.advance(awaitRestartScheduled("mixed", i));
        }
        mixed.awaitRun(4);
        supervisor.stop("mixed");
        events.awaitCount("mixed", STOPPED, 1);
        supervisor.start("mixed");
        mixed.awaitRun(5);
        supervisor.restart("mixed");
        mixed.awaitRun(6);

        Silent silent = new Silent(); // added while running; hung twice, then over its limit
        supervisor.register("silent", silent, withRestart(RestartPolicy.ON_FAILURE, 1, Duration.ofSeconds(1)),
                withWatchdog(Duration.ofSeconds(5)));
        silent.awaitRun(1);
        scheduler.advance(Duration.ofSeconds(5));
        scheduler.advance(awaitRestartScheduled("silent", 1));
        silent.awaitRun(2);
        scheduler.advance(Duration.ofSeconds(5));
        events.await("silent", RESTART_LIMIT_EXCEEDED);
        events.await("completer", COMPLETED);
        events.await("crasher", CRASHED);

        shutDownAndDrain(supervisor);

        assertThat(runBoundaries("mixed")).containsExactly(STARTED, FAILED, STARTED, CRASHED, STARTED, COMPLETED,
                STARTED, STOPPED, STARTED, STOPPED, STARTED, STOPPED);
        assertThat(runBoundaries("completer")).containsExactly(STARTED, COMPLETED);
        assertThat(runBoundaries("crasher")).containsExactly(STARTED, CRASHED);
        assertThat(runBoundaries("silent")).containsExactly(STARTED, FAILED, STARTED, FAILED);
        assertThat(eventsOf("mixed").stream().filter(e -> e.type() == STOPPED).map(SupervisorEvent::reason))
                .containsExactly(ExitReason.MANUAL, ExitReason.MANUAL, ExitReason.SHUTDOWN);

        for (String name : supervisor.processNames()) {
            List<SupervisorEvent> mine = eventsOf(name);
            assertThat(mine.get(0).type()).isEqualTo(REGISTERED);
            assertThat(mine.get(0).previousStatus()).isEqualTo(ProcessStatus.STOPPED);
            for (int i = 1; i < mine.size(); i++) {
                assertThat(mine.get(i).previousStatus())
                        .as("%s: previous status of event %d (%s) after %s", name, i, mine.get(i).type(),
                                mine.get(i - 1).type())
                        .isEqualTo(mine.get(i - 1).snapshot().status());
            }
            int starts = 0;
            int ends = 0;
            boolean inRun = false;
            for (SupervisorEvent event : mine) {
                if (event.type() == STARTED) {
                    assertThat(inRun).as("%s: a run starts while another is in progress", name).isFalse();
                    inRun = true;
                    starts++;
                    assertThat(event.snapshot().status()).isEqualTo(ProcessStatus.RUNNING);
                } else if (RUN_ENDS.contains(event.type())) {
                    assertThat(inRun).as("%s: %s without a run", name, event.type()).isTrue();
                    assertThat(event.reason()).as("%s: the end event has a reason", name).isNotNull();
                    inRun = false;
                    ends++;
                }
            }
            assertThat(inRun).as("%s: every run ended", name).isFalse();
            ProcessSnapshot last = supervisor.snapshot(name);
            assertThat(starts).as("%s: STARTED events", name).isEqualTo(last.totalStarts());
            assertThat(ends).as("%s: end events", name).isEqualTo(last.totalExits());
            assertThat(mine.get(mine.size() - 1).snapshot().status()).as("%s: the last event tells the status", name)
                    .isEqualTo(last.status());
        }
        assertThat(supervisor.status("mixed")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(supervisor.status("completer")).isEqualTo(ProcessStatus.STOPPED);
        assertThat(supervisor.status("crasher")).isEqualTo(ProcessStatus.FAILED);
        assertThat(supervisor.status("silent")).isEqualTo(ProcessStatus.FAILED);
    }
}
