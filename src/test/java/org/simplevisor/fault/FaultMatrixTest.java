package org.simplevisor.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.simplevisor.fault.FaultHarness.Outcome.ended;
import static org.simplevisor.fault.FaultHarness.Outcome.stuck;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.simplevisor.ExitReason;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.ProcessStatus;
import org.simplevisor.RestartPolicy;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.SupervisorEvent.Type;
import org.simplevisor.SupervisorListener;
import org.simplevisor.testing.CapturedLogs;

/**
 * The fault matrix: processes, recover handlers and listeners that misbehave in every way we know of.
 * Each test provokes one fault next to a well-behaved {@code bystander}, then {@link FaultHarness} checks that the
 * supervisor survived it: shutdown in time, true final statuses, stuck runs reported with their stacks, no thread
 * left, consistent counters, and exactly one notification per event, numbered without gap.
 */
class FaultMatrixTest {

    /** Short, so that the tests where a process outlives it stay fast. */
    static final Duration TIMEOUT = Duration.ofMillis(500);
    static final String BYSTANDER = "bystander";

    private final List<FaultHarness> harnesses = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeHarnesses() {
        harnesses.forEach(FaultHarness::close);
    }

    FaultHarness harness(String label) {
        return harness(label, TIMEOUT);
    }

    FaultHarness harness(String label, Duration shutdownTimeout) {
        FaultHarness harness = new FaultHarness(label, shutdownTimeout);
        harnesses.add(harness);
        // A well-behaved process next to every fault: it must neither be disturbed nor outlive the shutdown.
        harness.register(BYSTANDER, ProcessContext::awaitCancellation);
        return harness;
    }

    /** Checked exception: a failure. */
    static final class CheckedFault extends Exception {
        private static final long serialVersionUID = 1L;

        CheckedFault() {
            super("checked");
        }
    }

    /** An {@link Error} that is not a {@link VirtualMachineError}. */
    static final class ErrorFault extends Error {
        private static final long serialVersionUID = 1L;

        ErrorFault() {
            super("error");
        }
    }

    /** Recurses until the stack overflows: a real {@link StackOverflowError}, not one made with {@code new}. */
    static int recurseForever(int depth) {
        return recurseForever(depth + 1) + 1;
    }

    // ---------------------------------------------------------------- processes that throw

    /** What a faulty run throws. */
    enum Thrown {
        CHECKED(CheckedFault.class, false) {
            @Override
            void throwIt() throws Exception {
                throw new CheckedFault();
            }
        },
        UNCHECKED(IllegalStateException.class, true) {
            @Override
            void throwIt() {
                throw new IllegalStateException("unchecked");
            }
        },
        ERROR(ErrorFault.class, true) {
            @Override
            void throwIt() {
                throw new ErrorFault();
            }
        },
        STACK_OVERFLOW(StackOverflowError.class, true) {
            @Override
            void throwIt() {
                recurseForever(0);
            }
        };

        final Class<? extends Throwable> type;
        final boolean crash;

        Thrown(Class<? extends Throwable> type, boolean crash) {
            this.type = type;
            this.crash = crash;
        }

        abstract void throwIt() throws Exception;
    }

    static Stream<Arguments> thrownUnderRestartingPolicies() {
        return Stream.of(Thrown.values()).flatMap(thrown -> Stream.of(RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE)
                .map(policy -> Arguments.of(thrown, policy)));
    }

    @Nested
    class ProcessesThatThrow {

        @ParameterizedTest(name = "{0} under {1}")
        @MethodSource("org.simplevisor.fault.FaultMatrixTest#thrownUnderRestartingPolicies")
        void areRestartedUpToTheLimitThenFailedAndCountedAsFailuresOrCrashes(Thrown thrown, RestartPolicy policy) {
            FaultHarness h = harness("throws-" + thrown);
            List<Throwable> recovered = new CopyOnWriteArrayList<>();
            h.register("thrower", ctx -> thrown.throwIt(), ProcessOption.withRestart(policy, 2, Duration.ZERO),
                    ProcessOption.withRecover(recovered::add));
            h.run();

            h.awaitStatus("thrower", ProcessStatus.FAILED);
            ProcessSnapshot snapshot = h.supervisor().snapshot("thrower");
            assertThat(snapshot.totalStarts()).as("maxRestarts 2: three runs").isEqualTo(3);
            assertThat(snapshot.lastFailure()).isInstanceOf(thrown.type);
            assertThat(snapshot.totalCrashes()).isEqualTo(thrown.crash ? 3 : 0);
            assertThat(snapshot.totalFailures()).isEqualTo(thrown.crash ? 0 : 3);
            assertThat(recovered).as("recover handler calls").hasSize(thrown.crash ? 3 : 0)
                    .allMatch(thrown.type::isInstance);
            FaultHarness.waiting().until(() -> h.events().count("thrower", Type.RESTART_LIMIT_EXCEEDED) == 1);
            h.awaitStatus(BYSTANDER, ProcessStatus.RUNNING); // undisturbed
            if (thrown == Thrown.STACK_OVERFLOW) {
                FaultHarness.waiting().until(() -> h.logs().at(Level.FATAL).stream()
                        .anyMatch(line -> line.thrown() instanceof StackOverflowError));
            }

            h.shutdownAndVerify(ended("thrower", ProcessStatus.FAILED), ended(BYSTANDER, ProcessStatus.STOPPED));
        }
    }

    // ---------------------------------------------------------------- tight restart loops

    /** How a run of a tight loop ends at once. */
    enum AtOnce { RETURNS, THROWS }

    /** How long a tight loop is left to spin: bounded, so the whole matrix stays fast. */
    static final Duration LOOP_TIME = Duration.ofSeconds(1);
    static final Duration LOOP_SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    @ParameterizedTest(name = "a run that {0}")
    @EnumSource(AtOnce.class)
    void aTightRestartLoopUnderAlwaysWithZeroDelayNeitherOverlapsNorLosesAnEvent(AtOnce atOnce) {
        // A longer timeout: up to EventDispatcher.BACKLOG_LIMIT events may be queued when shutdown begins, and the
        // listeners (a logger writing stack traces among them) must get them all even on a loaded machine.
        FaultHarness h = harness("tight-" + atOnce, LOOP_SHUTDOWN_TIMEOUT);
        h.register("spinner", ctx -> {
            if (atOnce == AtOnce.THROWS) {
                throw new IllegalStateException("at once");
            }
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO));
        h.run();
        h.awaitStatus(BYSTANDER, ProcessStatus.RUNNING);

        long start = System.nanoTime();
        // The loop runs for LOOP_TIME, meanwhile queries answer and the bystander keeps running.
        FaultHarness.waiting().until(() -> {
            assertThat(h.supervisor().isRunning(BYSTANDER)).isTrue();
            h.supervisor().snapshot("spinner");
            return System.nanoTime() - start >= LOOP_TIME.toNanos();
        });
        assertThat(h.runs("spinner")).as("runs in %s", LOOP_TIME).isGreaterThan(100);
        assertThat(h.supervisor().status("spinner")).isNotEqualTo(ProcessStatus.FAILED);

        h.shutdownAndVerify(ended("spinner", ProcessStatus.STOPPED), ended(BYSTANDER, ProcessStatus.STOPPED));
    }

    // ---------------------------------------------------------------- processes that will not stop

    /** Busy work that never looks at the interrupt flag or the context. */
    static void spinIgnoringInterrupts(AtomicBoolean released) {
        while (!released.get()) {
            Thread.onSpinWait();
        }
    }

    /** Sleeps in a loop and swallows every {@link InterruptedException}, never looking at the context. */
    static void sleepSwallowingInterrupts(AtomicBoolean released) {
        while (!released.get()) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException swallowed) {
                // the fault under test: the interrupt is lost
            }
        }
    }

    /** A thread blocked in a socket read cannot be interrupted. */
    static int readFromSilentPeer(Socket socket) throws IOException {
        return socket.getInputStream().read();
    }

    @Test
    void aProcessIgnoringInterruptsIsReportedWithItsStackAndAbandoned() {
        FaultHarness h = harness("ignores-interrupts");
        AtomicBoolean released = new AtomicBoolean();
        h.releaseAfterShutdown(() -> released.set(true));
        h.register("stubborn", ctx -> spinIgnoringInterrupts(released));
        h.run();
        h.awaitStatus("stubborn", ProcessStatus.RUNNING);

        h.shutdownAndVerify(stuck("stubborn", "spinIgnoringInterrupts"), ended(BYSTANDER, ProcessStatus.STOPPED));
    }

    @Test
    void aProcessSwallowingInterruptedExceptionIsReportedWithItsStackAndAbandoned() {
        FaultHarness h = harness("swallows-interrupts");
        AtomicBoolean released = new AtomicBoolean();
        h.releaseAfterShutdown(() -> released.set(true));
        // Under ALWAYS: its late end must not restart it either.
        h.register("swallower", ctx -> sleepSwallowingInterrupts(released),
                ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO));
        h.run();
        h.awaitStatus("swallower", ProcessStatus.RUNNING);

        h.shutdownAndVerify(stuck("swallower", "sleepSwallowingInterrupts"), ended(BYSTANDER, ProcessStatus.STOPPED));
    }

    @Test
    void aProcessBlockedInAnUninterruptibleSocketReadIsReportedWithItsStackAndAbandoned() throws Exception {
        FaultHarness h = harness("socket-read");
        ServerSocket silentPeer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        List<Socket> sockets = new CopyOnWriteArrayList<>();
        h.releaseAfterShutdown(() -> {
            for (Socket socket : sockets) {
                socket.close(); // the read throws: the run ends, late
            }
            silentPeer.close();
        });
        h.register("reader", ctx -> {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), silentPeer.getLocalPort());
            sockets.add(socket);
            readFromSilentPeer(socket);
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO));
        h.run();
        silentPeer.setSoTimeout((int) FaultHarness.WAIT.toMillis());
        sockets.add(silentPeer.accept()); // accepted, and never written to
        FaultHarness.waiting().until(() -> sockets.size() == 2);

        h.shutdownAndVerify(stuck("reader", "readFromSilentPeer"), ended(BYSTANDER, ProcessStatus.STOPPED));
    }

    // ---------------------------------------------------------------- processes that act on the supervisor

    @Test
    void aProcessThatShutsTheSupervisorDownFromItsOwnRunEndsStoppedWithItsEndEvent() {
        FaultHarness h = harness("shuts-down");
        AtomicReference<Duration> elapsed = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        h.register("quitter", ctx -> {
            go.await();
            long start = System.nanoTime();
            h.supervisor().shutdown();
            elapsed.set(Duration.ofNanos(System.nanoTime() - start));
            assertThat(ctx.isCancelled()).as("its own run is cancelled too").isTrue();
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO));
        h.run();
        h.awaitStatus("quitter", ProcessStatus.RUNNING);
        go.countDown();

        FaultHarness.waiting().until(() -> elapsed.get() != null);
        h.verifyShutdownTook(elapsed.get(), ended("quitter", ProcessStatus.STOPPED),
                ended(BYSTANDER, ProcessStatus.STOPPED));
        assertThat(h.supervisor().snapshot("quitter").lastExitReason()).isEqualTo(ExitReason.SHUTDOWN);
    }

    @Test
    void aListenerThatShutsTheSupervisorDownOnTheEventThreadDoesNotDeadlockAndLosesNoEvent() {
        FaultHarness h = harness("listener-shuts-down");
        AtomicReference<Duration> elapsed = new AtomicReference<>();
        h.supervisor().addListener(event -> {
            if (event.type() == Type.STARTED && "trigger".equals(event.processName()) && elapsed.get() == null) {
                long start = System.nanoTime();
                h.supervisor().shutdown(); // waits for runs whose end events queue up behind this very call
                elapsed.set(Duration.ofNanos(System.nanoTime() - start));
            }
        });
        h.register("trigger", ProcessContext::awaitCancellation);
        h.run();

        FaultHarness.waiting().until(() -> elapsed.get() != null);
        h.verifyShutdownTook(elapsed.get(), ended("trigger", ProcessStatus.STOPPED),
                ended(BYSTANDER, ProcessStatus.STOPPED));
    }

    @Test
    void aProcessThatRegistersProcessesGetsThemSupervisedAndIsRefusedOnceShutdownBegan() {
        FaultHarness h = harness("registers");
        AtomicInteger runs = new AtomicInteger();
        List<Throwable> refusals = new CopyOnWriteArrayList<>();
        h.register("spawner", ctx -> {
            String child = "child-" + runs.incrementAndGet();
            h.supervisor().register(child, h.guarded(child, ProcessContext::awaitCancellation));
            if (runs.get() < 3) {
                throw new IllegalStateException("crash after registering " + child);
            }
            ctx.awaitCancellation();
            try {
                h.supervisor().register("too-late", h.guarded("too-late", ProcessContext::awaitCancellation));
            } catch (IllegalStateException refused) {
                refusals.add(refused);
            }
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 5, Duration.ZERO));
        h.run();
        for (String child : List.of("child-1", "child-2", "child-3")) {
            h.awaitStatus(child, ProcessStatus.RUNNING);
        }

        h.shutdownAndVerify(ended("spawner", ProcessStatus.STOPPED), ended(BYSTANDER, ProcessStatus.STOPPED),
                ended("child-1", ProcessStatus.STOPPED), ended("child-2", ProcessStatus.STOPPED),
                ended("child-3", ProcessStatus.STOPPED));
        assertThat(refusals).singleElement().extracting(Throwable::getMessage).asString().contains("shut down");
        assertThat(h.supervisor().processNames()).doesNotContain("too-late");
    }

    // ---------------------------------------------------------------- recover handlers and listeners that throw

    /** What a faulty recover handler or listener throws. */
    enum CallbackFault {
        UNCHECKED, ERROR, STACK_OVERFLOW;

        void throwIt() {
            switch (this) {
                case UNCHECKED:
                    throw new IllegalStateException("callback fault");
                case ERROR:
                    throw new ErrorFault();
                default:
                    recurseForever(0);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CallbackFault.class)
    void aRecoverHandlerThatThrowsIsCountedAndTheCrashesAreStillRestartedToTheLimit(CallbackFault fault) {
        FaultHarness h = harness("recover-throws-" + fault);
        h.register("crasher", ctx -> {
            throw new IllegalStateException("crash");
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ZERO),
                ProcessOption.withRecover(crash -> fault.throwIt()));
        h.run();

        h.awaitStatus("crasher", ProcessStatus.FAILED);
        ProcessSnapshot snapshot = h.supervisor().snapshot("crasher");
        assertThat(snapshot.totalCrashes()).isEqualTo(3);
        assertThat(snapshot.totalRecoverFailures()).isEqualTo(3);
        assertThat(snapshot.lastFailure()).as("the crash, not the handler's fault").hasMessage("crash");
        Level severity = fault == CallbackFault.STACK_OVERFLOW ? Level.FATAL : Level.ERROR;
        assertThat(h.logs().at(severity)).filteredOn(l -> l.message().startsWith("Recover handler of process"))
                .hasSize(3);

        h.shutdownAndVerify(ended("crasher", ProcessStatus.FAILED), ended(BYSTANDER, ProcessStatus.STOPPED));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CallbackFault.class)
    void aListenerThatThrowsOnEveryEventHarmsNeitherProcessesNorOtherObservers(CallbackFault fault) {
        FaultHarness h = harness("listener-throws-" + fault);
        List<SupervisorEvent> seen = new CopyOnWriteArrayList<>();
        h.supervisor().addListener(event -> {
            seen.add(event);
            fault.throwIt();
        });
        h.register("crasher", ctx -> {
            throw new IllegalStateException("crash");
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 3, Duration.ZERO));
        h.run();
        // Waits for the events, not the status: throwing a StackOverflowError and logging it at FATAL takes the
        // event thread a while, and a shutdown waits for listeners no longer than its timeout.
        h.awaitEvent("crasher", Type.RESTART_LIMIT_EXCEEDED);
        h.awaitEvent(BYSTANDER, Type.STARTED);
        assertThat(h.supervisor().status("crasher")).isEqualTo(ProcessStatus.FAILED);

        h.shutdownAndVerify(ended("crasher", ProcessStatus.FAILED), ended(BYSTANDER, ProcessStatus.STOPPED));
        // It was called on every event from the one delivered after it was added (the bystander's REGISTERED
        // was delivered before, or not yet) to TERMINATED, and each failure was logged.
        List<SupervisorEvent> all = h.events().events();
        assertThat(seen).hasSizeGreaterThanOrEqualTo(all.size() - 1);
        assertThat(all).endsWith(seen.toArray(new SupervisorEvent[0]));
        Level severity = fault == CallbackFault.STACK_OVERFLOW ? Level.FATAL : Level.ERROR;
        assertThat(h.logs().at(severity)).filteredOn(l -> l.message().startsWith("Listener "))
                .hasSize(seen.size());
    }

    // ---------------------------------------------------------------- recover handlers and listeners that block

    /** How a blocked callback reacts to the interrupt of a cancellation or shutdown. */
    enum OnInterrupt { RETURNS, IGNORES }

    /** Blocks until released; returns at an interrupt, or ignores it, as told. */
    static void blockInCallback(CountDownLatch release, OnInterrupt onInterrupt) {
        while (true) {
            try {
                release.await();
                return;
            } catch (InterruptedException e) {
                if (onInterrupt == OnInterrupt.RETURNS) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** A listener that blocks on the first STARTED and whose {@code toString()} throws. */
    static final class StuckListenerWithoutAName implements SupervisorListener {
        private final CountDownLatch release;
        final AtomicBoolean blocked = new AtomicBoolean();

        StuckListenerWithoutAName(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public void onEvent(SupervisorEvent event) {
            if (event.type() == Type.STARTED && blocked.compareAndSet(false, true)) {
                blockInCallback(release, OnInterrupt.IGNORES);
            }
        }

        @Override
        public String toString() {
            throw new IllegalStateException("no name");
        }
    }

    @Test
    void aStuckListenerWhoseToStringThrowsIsReportedByItsClassAndTheShutdownEndsAsUsual() {
        FaultHarness h = harness("listener-without-a-name");
        StuckListenerWithoutAName listener = new StuckListenerWithoutAName(h.latchOpenedAfterShutdown());
        h.supervisor().addListener(listener);
        h.run();
        FaultHarness.waiting().until(listener.blocked::get);
        int delivered = h.events().events().size();

        assertThatCode(h.supervisor()::shutdown).doesNotThrowAnyException();
        // Reported twice: at the deadline, and once more as it ignores the interrupt.
        for (String warning : List.of("A listener did not return in time", "A listener ignored the interrupt")) {
            assertThat(h.logs().at(Level.WARN)).filteredOn(l -> l.message().startsWith(warning)).singleElement()
                    .satisfies(l -> assertThat(l.thrown()).hasMessageContaining("listener "
                            + StuckListenerWithoutAName.class.getName() + "@")
                            .hasMessageContaining("(its toString() threw java.lang.IllegalStateException)"
                                    + " had not returned from event STARTED"));
        }
        // The last event still reached the other listeners, so the MBeans are gone.
        List<SupervisorEvent> received = h.events().events();
        assertThat(received).hasSize(delivered + 1);
        assertThat(received.get(delivered).type()).isEqualTo(Type.TERMINATED);
        assertThat(h.jmx().isClosed()).isTrue();
        assertThat(h.server().isRegistered(h.jmx().supervisorObjectName())).isFalse();
    }

    @ParameterizedTest(name = "one that {0} at an interrupt")
    @EnumSource(OnInterrupt.class)
    void aBlockingRecoverHandlerHoldsOnlyItsOwnRunAndIsReportedIfItOutlivesTheShutdown(OnInterrupt onInterrupt) {
        FaultHarness h = harness("recover-blocks-" + onInterrupt);
        CountDownLatch release = h.latchOpenedAfterShutdown();
        CountDownLatch inHandler = crasherBlockingInItsRecoverHandler(h,
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 2, Duration.ZERO), release, onInterrupt);
        h.register("ticker", ctx -> {
            while (!ctx.isCancelled()) {
                ctx.awaitCancellation(Duration.ofMillis(5));
            }
        });
        h.run();
        FaultHarness.waiting().until(() -> inHandler.getCount() == 0);
        // The handler runs on the crashed run's thread: that run has not ended, nothing else waits for it.
        assertThat(h.supervisor().status("crasher")).isEqualTo(ProcessStatus.RUNNING);
        h.awaitStatus("ticker", ProcessStatus.RUNNING); // a restart of a run not yet begun would change nothing
        h.supervisor().restart("ticker");
        h.awaitRuns("ticker", 2);

        if (onInterrupt == OnInterrupt.IGNORES) {
            h.shutdownAndVerify(stuck("crasher", "blockInRecoverHandler"), ended("ticker", ProcessStatus.STOPPED),
                    ended(BYSTANDER, ProcessStatus.STOPPED));
        } else {
            // The shutdown's interrupt ends the handler; the crash is counted, but not restarted.
            h.shutdownAndVerify(ended("crasher", ProcessStatus.STOPPED), ended("ticker", ProcessStatus.STOPPED),
                    ended(BYSTANDER, ProcessStatus.STOPPED));
            assertThat(h.supervisor().snapshot("crasher").lastExitReason()).isEqualTo(ExitReason.CRASHED);
            assertThat(h.events().types("crasher")).endsWith(Type.STARTED, Type.CRASHED);
        }
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(value = RestartPolicy.class, names = {"ALWAYS", "ON_FAILURE"})
    void anOperatorsStopWhileTheRecoverHandlerBlocksIsNotLost(RestartPolicy policy) {
        FaultHarness h = harness("stop-in-recover-" + policy);
        CountDownLatch release = h.latchOpenedAfterShutdown();
        CountDownLatch inHandler = crasherBlockingInItsRecoverHandler(h,
                ProcessOption.withRestart(policy, 0, Duration.ZERO), release, OnInterrupt.IGNORES);
        h.run();
        FaultHarness.waiting().until(() -> inHandler.getCount() == 0);

        // The run has crashed but not ended yet: the stop comes between its end and the supervisor's account of it.
        h.supervisor().stop("crasher");
        release.countDown();
        h.awaitStatus("crasher", ProcessStatus.STOPPED);
        FaultHarness.waiting().until(() -> h.events().count("crasher", Type.CRASHED) == 1);
        assertThat(h.runs("crasher")).as("not restarted after the stop").isEqualTo(1);

        h.shutdownAndVerify(ended("crasher", ProcessStatus.STOPPED), ended(BYSTANDER, ProcessStatus.STOPPED));
        assertThat(h.events().count("crasher", Type.RESTARTING)).isZero();
    }

    /**
     * Registers "crasher": each run crashes, and the recover handler then blocks until {@code release}.
     *
     * @return a latch opened once the handler has been entered
     */
    private static CountDownLatch crasherBlockingInItsRecoverHandler(FaultHarness h, ProcessOption restart,
            CountDownLatch release, OnInterrupt onInterrupt) {
        CountDownLatch inHandler = new CountDownLatch(1);
        h.register("crasher", ctx -> {
            throw new IllegalStateException("crash");
        }, restart, ProcessOption.withRecover(crash -> {
            inHandler.countDown();
            blockInRecoverHandler(release, onInterrupt);
        }));
        return inHandler;
    }

    /** The frame the stack of a run stuck in its recover handler shows. */
    static void blockInRecoverHandler(CountDownLatch release, OnInterrupt onInterrupt) {
        blockInCallback(release, onInterrupt);
    }

    @ParameterizedTest(name = "one that {0} at an interrupt")
    @EnumSource(OnInterrupt.class)
    void aBlockingListenerDelaysOnlyEventsAndShutdownDropsWhatItCannotDeliverWithAWarning(
            OnInterrupt onInterrupt) {
        FaultHarness h = harness("listener-blocks-" + onInterrupt);
        CountDownLatch release = h.latchOpenedAfterShutdown();
        AtomicBoolean blocked = new AtomicBoolean();
        // Added after the recorder and the JMX registration: they get every event up to the one it blocks on.
        h.supervisor().addListener(event -> {
            if (event.type() == Type.STARTED && "looper".equals(event.processName())
                    && blocked.compareAndSet(false, true)) {
                blockInCallback(release, onInterrupt);
            }
        });
        h.register("looper", ctx -> {
            throw new CheckedFault();
        }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ofMillis(10)));
        h.run();
        FaultHarness.waiting().until(blocked::get);

        // Supervision goes on while no event is delivered: the looper is restarted, an operator's restart works.
        h.awaitRuns("looper", h.runs("looper") + 10);
        h.awaitStatus(BYSTANDER, ProcessStatus.RUNNING);
        h.supervisor().restart(BYSTANDER);
        h.awaitRuns(BYSTANDER, 2);
        int delivered = h.events().events().size();

        long start = System.nanoTime();
        h.supervisor().shutdown();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(elapsed).isLessThanOrEqualTo(TIMEOUT.plus(FaultHarness.SHUTDOWN_SLACK));
        CapturedLogs.Line warning = h.logs().at(Level.WARN).stream()
                .filter(l -> l.message().startsWith("A listener did not return in time")).findFirst()
                .orElseThrow(() -> new AssertionError("the documented warning about the dropped events"));
        assertThat(warning.thrown()).as("names the listener and the event, and shows where it is stuck")
                .hasMessageContaining("had not returned from event STARTED of process \"looper\"")
                .hasMessageContaining("-events-");
        assertThat(warning.thrown().getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("blockInCallback"));
        List<CapturedLogs.Line> stillHeld = h.logs().at(Level.WARN).stream()
                .filter(l -> l.message().startsWith("A listener ignored the interrupt")).collect(Collectors.toList());
        if (onInterrupt == OnInterrupt.IGNORES) { // one that returns may still be on its way out: not asserted
            assertThat(stillHeld).as("the listener that keeps the event thread is named, with its stack")
                    .singleElement().satisfies(l -> {
                        assertThat(l.thrown()).hasMessageContaining("had not returned from event STARTED");
                        assertThat(l.thrown().getStackTrace())
                                .anyMatch(frame -> frame.getMethodName().equals("blockInCallback"));
                    });
        }
        for (String process : List.of("looper", BYSTANDER)) {
            ProcessSnapshot snapshot = h.supervisor().snapshot(process);
            assertThat(snapshot.status()).isEqualTo(ProcessStatus.STOPPED);
            h.verifyRuns(process, snapshot);
        }
        // What was delivered before the block is an unbroken prefix, and then only TERMINATED: the events behind the
        // block were dropped, but the last one reaches every other listener, on the shutting-down thread.
        List<SupervisorEvent> received = h.events().events();
        assertThat(received).hasSize(delivered + 1);
        assertThat(received.get(delivered).type()).isEqualTo(Type.TERMINATED);
        assertThat(received.subList(0, delivered)).noneMatch(e -> e.type() == Type.TERMINATED);
        h.verifyEventChains(false);

        // So the JMX registration closed itself, as it does at any termination: no MBean is left.
        assertThat(h.jmx().isClosed()).isTrue();
        assertThat(h.server().isRegistered(h.jmx().supervisorObjectName())).isFalse();
        h.verifyNotifications("looper");
        h.verifyNotifications(BYSTANDER);

        if (onInterrupt == OnInterrupt.RETURNS) {
            // The shutdown's interrupt freed the event thread: nothing of ours is left.
            FaultHarness.waiting().until(() -> h.liveThreads().isEmpty());
        } else {
            // Only the event thread is left (once the idle workers have left), inside the listener, until the
            // listener returns.
            FaultHarness.waiting().untilAsserted(() -> assertThat(h.liveThreads()).singleElement()
                    .satisfies(t -> assertThat(t.getName()).startsWith("simplevisor-" + h.name() + "-events-")));
            release.countDown();
            FaultHarness.waiting().until(() -> h.liveThreads().isEmpty());
        }
        assertThat(h.events().events()).as("nothing delivered after the shutdown").hasSize(delivered + 1);
    }
}
