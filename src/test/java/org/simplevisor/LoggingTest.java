package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.ThreadContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ShutDownAfterEach;

/**
 * What the supervisor logs, at which level, and with which ThreadContext and thread name (docs/contract.md,
 * Logging).
 */
class LoggingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** A logger under org.simplevisor, so that what a process logs itself is captured too. */
    private static final Logger PROCESS_LOG = LogManager.getLogger("org.simplevisor.app.LoggingTestProcess");

    private final RecordingListener events = new RecordingListener();
    @RegisterExtension
    final ShutDownAfterEach shutDown = new ShutDownAfterEach();
    private final CapturedLogs logs = shutDown.closeable(CapturedLogs.attach());

    private Supervisor supervisor(Supervisor.Builder builder) {
        return shutDown.supervisor(builder.listener(events).build());
    }

    private List<CapturedLogs.Line> linesAbout(String process) {
        return logs.lines().stream().filter(l -> l.message().contains("\"" + process + "\""))
                .collect(Collectors.toList());
    }

    private List<CapturedLogs.Line> linesAbout(String process, Level level) {
        return linesAbout(process).stream().filter(l -> l.level() == level).collect(Collectors.toList());
    }

    @Test
    void eachOutcomeIsLoggedAtItsLevelWithTheProcessInTheThreadContext() {
        Supervisor supervisor = supervisor(Supervisor.builder());
        Exception failure = new Exception("checked failure");
        RuntimeException crash = new IllegalStateException("runtime crash");
        supervisor.register("completes", ctx -> PROCESS_LOG.info("working"));
        supervisor.register("fails", ctx -> {
            throw failure;
        });
        supervisor.register("crashes", ctx -> {
            throw crash;
        });
        supervisor.register("limited", ctx -> {
            throw new Exception("always failing");
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ZERO));
        supervisor.register("stopped", ProcessContext::awaitCancellation);
        supervisor.run();
        events.await("completes", SupervisorEvent.Type.COMPLETED);
        events.await("fails", SupervisorEvent.Type.FAILED);
        events.await("crashes", SupervisorEvent.Type.CRASHED);
        events.await("limited", SupervisorEvent.Type.RESTART_LIMIT_EXCEEDED);
        events.await("stopped", SupervisorEvent.Type.STARTED);
        supervisor.shutdown();
        events.awaitTerminated();

        // starts and stops at INFO
        for (String name : List.of("completes", "fails", "crashes", "limited", "stopped")) {
            assertThat(linesAbout(name, Level.INFO)).as(name)
                    .anySatisfy(l -> assertThat(l.message()).contains("started"));
        }
        assertThat(linesAbout("completes", Level.INFO)).anySatisfy(l -> assertThat(l.message()).contains("completed"));
        assertThat(linesAbout("stopped", Level.INFO)).anySatisfy(l -> assertThat(l.message()).contains("stopped"));
        // the same failure again within the repeat window: its restart is counted, not logged
        assertThat(linesAbout("limited", Level.INFO)).filteredOn(l -> l.message().contains("started (restart"))
                .hasSize(1);
        for (String quiet : List.of("completes", "stopped")) {
            assertThat(linesAbout(quiet)).as(quiet).allMatch(l -> l.level().isLessSpecificThan(Level.INFO));
        }

        // a failure at WARN with its throwable
        assertThat(linesAbout("fails", Level.WARN)).singleElement().satisfies(l -> {
            assertThat(l.thrown()).isSameAs(failure);
            assertThat(l.message()).contains("failed");
        });
        assertThat(linesAbout("fails")).noneMatch(l -> l.level().isMoreSpecificThan(Level.ERROR));

        // a crash at ERROR with its throwable
        assertThat(linesAbout("crashes", Level.ERROR)).singleElement().satisfies(l -> {
            assertThat(l.thrown()).isSameAs(crash);
            assertThat(l.message()).contains("crashed");
        });

        // the restart limit at ERROR: names the process, the restart count and the last error; before it, the
        // first failure in full and a summary of the two repeats (folded, as they came within the repeat window)
        assertThat(linesAbout("limited", Level.WARN)).satisfiesExactly(
                first -> assertThat(first.thrown()).hasMessage("always failing"),
                summary -> {
                    assertThat(summary.thrown()).isNull();
                    assertThat(summary.message()).contains("2 more of the same failure")
                            .contains("always failing").contains("with 1 restart(s)");
                });
        assertThat(linesAbout("limited", Level.ERROR)).singleElement().satisfies(l -> {
            assertThat(l.message()).contains("\"limited\"").contains("restart limit").contains("2 restart(s)")
                    .contains("always failing");
        });

        // every line about a process carries its name in the ThreadContext
        for (String name : List.of("completes", "fails", "crashes", "limited", "stopped")) {
            assertThat(linesAbout(name)).as(name).isNotEmpty()
                    .allSatisfy(l -> assertThat(l.process()).as(l.message()).isEqualTo(name));
        }
        // and what a process logs itself does too
        assertThat(logs.lines()).filteredOn(l -> l.message().equals("working")).singleElement()
                .satisfies(l -> assertThat(l.process()).isEqualTo("completes"));
        // lines of the supervisor itself carry no process
        assertThat(logs.lines()).filteredOn(l -> l.message().startsWith("Supervisor \""))
                .isNotEmpty().allSatisfy(l -> assertThat(l.process()).isNull());
    }

    @Test
    void aMemberRestartedWithItsGroupSaysSoRatherThanAnUnchangedRestartCount() {
        Supervisor supervisor = supervisor(Supervisor.builder().group("pipeline", GroupStrategy.ONE_FOR_ALL));
        AtomicInteger readerRuns = new AtomicInteger();
        CountDownLatch writerStarted = new CountDownLatch(1);
        supervisor.register("reader", ctx -> {
            if (readerRuns.incrementAndGet() == 1) {
                writerStarted.await(); // so that the writer has a run of its own for the group to restart
                throw new Exception("feed closed");
            }
            ctx.awaitCancellation();
        }, ProcessOption.inGroup("pipeline"), ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO));
        supervisor.register("writer", ctx -> {
            writerStarted.countDown();
            ctx.awaitCancellation();
        }, ProcessOption.inGroup("pipeline"), ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        supervisor.run();
        events.awaitCount("writer", SupervisorEvent.Type.STARTED, 2);
        events.awaitCount("reader", SupervisorEvent.Type.STARTED, 2);
        supervisor.shutdown();
        events.awaitTerminated();

        assertThat(linesAbout("writer", Level.INFO)).map(CapturedLogs.Line::message)
                .contains("Process \"writer\" started", "Process \"writer\" started with its group \"pipeline\"")
                .noneMatch(m -> m.contains("(restart"));
        assertThat(linesAbout("reader", Level.INFO)).map(CapturedLogs.Line::message)
                .contains("Process \"reader\" started (restart 1)");
    }

    @Test
    void aRecoverHandlerFailureIsLoggedAtErrorWithTheProcessInTheThreadContext() {
        Supervisor supervisor = supervisor(Supervisor.builder());
        supervisor.register("bad-handler", ctx -> {
            throw new IllegalStateException("crash");
        }, ProcessOption.withRecover(t -> {
            throw new IllegalArgumentException("handler broke");
        }));
        supervisor.run();
        events.await("bad-handler", SupervisorEvent.Type.CRASHED);
        supervisor.shutdown();
        events.awaitTerminated();
        assertThat(logs.at(Level.ERROR)).filteredOn(l -> l.thrown() instanceof IllegalArgumentException)
                .singleElement().satisfies(l -> {
                    assertThat(l.message()).contains("\"bad-handler\"");
                    assertThat(l.process()).isEqualTo("bad-handler");
                });
    }

    @Test
    void aRestartLimitExceededByCompletionsSaysTheLastRunCompletedRatherThanALastErrorOfNull() {
        Supervisor supervisor = supervisor(Supervisor.builder());
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("job", ctx -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("first run crashed");
            }
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 2, Duration.ZERO));
        supervisor.register("quick", ctx -> { }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 1, Duration.ZERO));
        supervisor.run();
        events.await("job", SupervisorEvent.Type.RESTART_LIMIT_EXCEEDED);
        events.await("quick", SupervisorEvent.Type.RESTART_LIMIT_EXCEEDED);
        supervisor.shutdown();
        events.awaitTerminated();
        assertThat(linesAbout("job", Level.ERROR)).filteredOn(l -> l.message().contains("restart limit"))
                .singleElement().satisfies(l -> assertThat(l.message()).doesNotContain("null")
                        .contains("Last run completed; last error: java.lang.IllegalStateException: first run"
                                + " crashed"));
        assertThat(linesAbout("quick", Level.ERROR)).singleElement().satisfies(l -> assertThat(l.message())
                .doesNotContain("null").doesNotContain("error").endsWith("Last run completed."));
    }

    @Test
    void aListenerFailureIsLoggedWithTheProcessInTheThreadContext() {
        Supervisor supervisor = supervisor(Supervisor.builder().listener(event -> {
            throw new IllegalStateException("listener broke");
        }));
        supervisor.register("observed", ProcessContext::awaitCancellation);
        supervisor.run();
        events.await("observed", SupervisorEvent.Type.STARTED);
        supervisor.shutdown();
        events.awaitTerminated();
        List<CapturedLogs.Line> failures = logs.at(Level.ERROR).stream()
                .filter(l -> l.thrown() != null && "listener broke".equals(l.thrown().getMessage()))
                .filter(l -> l.message().contains("\"observed\"")).collect(Collectors.toList());
        assertThat(failures).hasSize(4).allSatisfy(l -> assertThat(l.process()).isEqualTo("observed"));
    }

    @Test
    void aRefusedStartIsLoggedWithTheProcessInTheThreadContext() {
        ExecutorService refusing = Executors.newSingleThreadExecutor();
        refusing.shutdown();
        Supervisor supervisor = supervisor(Supervisor.builder().executor(refusing));
        supervisor.register("refused", ProcessContext::awaitCancellation);
        supervisor.run();
        assertThat(supervisor.status("refused")).isEqualTo(ProcessStatus.FAILED);
        supervisor.shutdown();
        events.awaitTerminated();
        assertThat(linesAbout("refused", Level.ERROR)).isNotEmpty()
                .allSatisfy(l -> assertThat(l.process()).as(l.message()).isEqualTo("refused"));
    }

    /**
     * A thread that cannot be made (the executor's thread factory hits the operating system's limit) fails the start
     * as a refusal does, at FATAL, instead of escaping from run() and leaving the process STARTING for ever.
     */
    @Test
    void anExecutorThatCannotMakeAThreadFailsTheStartAtFatal() {
        ThreadFactory atTheLimit = task -> { // as Thread.start() throws it there (JDK 21's pool starts it itself)
            throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource"
                    + " limits reached");
        };
        ExecutorService executor = shutDown.executor(new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS,
                new SynchronousQueue<>(), atTheLimit));
        Supervisor supervisor = supervisor(Supervisor.builder().executor(executor));
        supervisor.register("unstartable", ProcessContext::awaitCancellation);
        supervisor.run();

        ProcessSnapshot snapshot = supervisor.snapshot("unstartable");
        assertThat(snapshot.status()).isEqualTo(ProcessStatus.FAILED);
        assertThat(snapshot.lastFailure()).isInstanceOf(OutOfMemoryError.class);
        supervisor.shutdown();
        events.awaitTerminated();
        assertThat(linesAbout("unstartable", Level.FATAL)).isNotEmpty();
    }

    /** What a run saw of its thread. */
    private record Seen(String threadName, String context) {
    }

    private static SupervisedProcess recording(AtomicReference<Seen> seen) {
        return ctx -> seen.set(new Seen(Thread.currentThread().getName(), ThreadContext.get("process")));
    }

    @Test
    void aRunIsNamedAfterItsProcessAndThePooledThreadIsRestoredAfterwards() throws Exception {
        ExecutorService executor =
                shutDown.executor(Executors.newSingleThreadExecutor(r -> new Thread(r, "app-pool-1")));
        Supervisor supervisor = supervisor(Supervisor.builder().executor(executor));

        // the pooled thread has a context of its own before the first run
        executor.submit(() -> ThreadContext.put("process", "host-value")).get(10, TimeUnit.SECONDS);
        AtomicReference<Seen> first = new AtomicReference<>();
        supervisor.register("first", recording(first));
        supervisor.run();
        events.await("first", SupervisorEvent.Type.COMPLETED);
        assertThat(first.get()).isEqualTo(new Seen("simplevisor-first", "first"));
        Seen afterFirst = executor.submit(() -> new Seen(Thread.currentThread().getName(),
                ThreadContext.get("process"))).get(10, TimeUnit.SECONDS);
        assertThat(afterFirst).isEqualTo(new Seen("app-pool-1", "host-value"));

        // and none before the second run
        executor.submit(() -> ThreadContext.remove("process")).get(10, TimeUnit.SECONDS);
        AtomicReference<Seen> second = new AtomicReference<>();
        supervisor.register("second", ctx -> {
            recording(second).run(ctx);
            throw new IllegalStateException("crash, then the thread must still be restored");
        });
        events.await("second", SupervisorEvent.Type.CRASHED);
        assertThat(second.get()).isEqualTo(new Seen("simplevisor-second", "second"));
        Seen afterSecond = executor.submit(() -> new Seen(Thread.currentThread().getName(),
                ThreadContext.get("process"))).get(10, TimeUnit.SECONDS);
        assertThat(afterSecond).isEqualTo(new Seen("app-pool-1", null));
        // nor does a cancellation's interrupt leak into the next task of the pooled thread
        AtomicReference<Seen> third = new AtomicReference<>();
        supervisor.register("third", ctx -> {
            recording(third).run(ctx);
            ctx.awaitCancellation();
        });
        events.await("third", SupervisorEvent.Type.STARTED);
        supervisor.stop("third");
        events.await("third", SupervisorEvent.Type.STOPPED);
        assertThat(third.get()).isEqualTo(new Seen("simplevisor-third", "third"));
        assertThat(executor.submit(() -> Thread.currentThread().isInterrupted()).get(10, TimeUnit.SECONDS))
                .isFalse();
        assertThat(executor.submit(() -> new Seen(Thread.currentThread().getName(), ThreadContext.get("process")))
                .get(10, TimeUnit.SECONDS)).isEqualTo(new Seen("app-pool-1", null));
    }

    @Test
    void aSupervisorWhoseNameBeginsWithSimplevisorDoesNotDoubleThePrefixOfItsThreads() {
        assertThat(Supervisor.threadNamePrefix("shop")).isEqualTo("simplevisor-shop");
        assertThat(Supervisor.threadNamePrefix("simplevisor")).isEqualTo("simplevisor");
        assertThat(Supervisor.threadNamePrefix("simplevisor-example")).isEqualTo("simplevisor-example");
        assertThat(Supervisor.threadNamePrefix("simplevisorish")).isEqualTo("simplevisor-simplevisorish");

        Supervisor supervisor = supervisor(Supervisor.builder().name("simplevisor-example"));
        AtomicReference<String> eventThread = new AtomicReference<>();
        supervisor.addListener(event -> eventThread.compareAndSet(null, Thread.currentThread().getName()));
        supervisor.register("worker", ProcessContext::awaitCancellation);
        supervisor.run();
        events.await("worker", SupervisorEvent.Type.STARTED);
        await().atMost(WAIT).until(() -> eventThread.get() != null);
        assertThat(eventThread.get()).startsWith("simplevisor-example-events-");
    }

    @Test
    void onTheSupervisorsOwnThreadsARunIsNamedAfterItsProcess() {
        Supervisor supervisor = supervisor(Supervisor.builder().name("own"));
        AtomicReference<Seen> seen = new AtomicReference<>();
        AtomicReference<Thread> thread = new AtomicReference<>();
        supervisor.register("worker", ctx -> {
            thread.set(Thread.currentThread());
            recording(seen).run(ctx);
            ctx.awaitCancellation();
        });
        supervisor.run();
        events.await("worker", SupervisorEvent.Type.STARTED);
        await().atMost(WAIT).until(() -> seen.get() != null);
        assertThat(seen.get()).isEqualTo(new Seen("simplevisor-worker", "worker"));
        assertThat(thread.get().getName()).isEqualTo("simplevisor-worker");
        supervisor.stop("worker");
        events.await("worker", SupervisorEvent.Type.STOPPED);
        await().atMost(WAIT).until(() -> !thread.get().getName().equals("simplevisor-worker"));
        assertThat(thread.get().getName()).startsWith("simplevisor-own-worker-");
    }

    /**
     * A hang is reported with the stack of the hung run's thread, where it is stuck (as a shutdown timeout is), not
     * the watchdog's own; the HUNG line carries it, once, and the failed run's line that follows refers to it.
     */
    @Test
    void aHangIsLoggedOnceWithTheStackOfTheHungThread() {
        Supervisor supervisor = supervisor(Supervisor.builder());
        supervisor.register("stuck", LoggingTest::waitForAReplyThatNeverComes,
                ProcessOption.withRestart(RestartPolicy.NEVER, 0, Duration.ZERO),
                ProcessOption.withWatchdog(Duration.ofMillis(100)));
        supervisor.run();

        Throwable hang = events.await("stuck", SupervisorEvent.Type.HUNG).error();
        events.await("stuck", SupervisorEvent.Type.FAILED);

        assertThat(hang).isInstanceOf(ProcessHungException.class)
                .hasMessageContaining("thread \"simplevisor-stuck\" is at the stack trace below");
        assertThat(hang.getStackTrace()).as("where the run is stuck")
                .anyMatch(frame -> frame.getMethodName().equals("waitForAReplyThatNeverComes"));
        assertThat(linesAbout("stuck")).filteredOn(line -> line.thrown() == hang).as("lines with the hang's trace")
                .extracting(CapturedLogs.Line::level).containsExactly(Level.ERROR);
        assertThat(linesAbout("stuck", Level.WARN)).extracting(CapturedLogs.Line::message)
                .containsExactly("Process \"stuck\" failed: hung (stack trace above); now FAILED");
    }

    private static void waitForAReplyThatNeverComes(ProcessContext ctx) throws InterruptedException {
        ctx.awaitCancellation(); // no heartbeat: the watchdog finds it hung, and its cancellation ends the wait
    }

    /** A run ended by an interrupt the supervisor did not send stops for good: a warning, saying what to do. */
    @Test
    void anInterruptTheSupervisorDidNotSendIsAWarningThatSaysTheProcessWillNotRunAgain() {
        Supervisor supervisor = supervisor(Supervisor.builder());
        supervisor.register("interrupted", ctx -> {
            throw new InterruptedException("the container's hung-task check");
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 3, Duration.ZERO));
        supervisor.run();

        events.await("interrupted", SupervisorEvent.Type.STOPPED);

        assertThat(linesAbout("interrupted", Level.WARN)).extracting(CapturedLogs.Line::message)
                .containsExactly("Process \"interrupted\" stopped (cancelled): interrupted by something other than its"
                        + " supervisor (a container's hung-task check, say); it is STOPPED and will not run again until"
                        + " an operator starts it");
    }
}

