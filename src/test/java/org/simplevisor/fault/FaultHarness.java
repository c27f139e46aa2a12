package org.simplevisor.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import javax.management.AttributeChangeNotification;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.ObjectName;
import org.apache.logging.log4j.Level;
import org.awaitility.core.ConditionFactory;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessNotStoppedException;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.ProcessStatus;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.SupervisorEvent.Type;
import org.simplevisor.jmx.NotificationRecorder;
import org.simplevisor.jmx.SupervisorJmx;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.RecordingListener;

/**
 * One supervisor under a fault, fully observed, and the checks that must hold after every fault.
 *
 * <p>The supervisor gets a unique name (so its threads, {@code simplevisor-<name>-*}, are told from any other
 * test's), a {@link RecordingListener}, its MBeans in a fresh {@link MBeanServer} with a
 * {@link NotificationRecorder} on the supervisor MBean (which relays every process's notifications), and captured
 * logs. Every process is wrapped in a guard that counts its runs and fails the test if two of them ever overlap.
 *
 * <p>{@link #shutdownAndVerify} then shuts down and checks: shutdown returned within its timeout plus
 * {@link #SHUTDOWN_SLACK}; each process ended as expected ({@code STOPPED} or {@code FAILED}), or, if expected
 * to be stuck, was reported by a {@code SHUTDOWN_TIMEOUT} event and an ERROR log carrying a
 * {@link ProcessNotStoppedException} with the stuck thread's stack; no thread of the supervisor is alive except
 * the reported ones; {@code totalStarts == totalExits + (running ? 1 : 0)} and the event counts match the
 * counters; the events of each process form an unbroken chain; every event made exactly its JMX notifications,
 * numbered without gap. Finally it releases what the test registered with {@link #releaseAfterShutdown} (so
 * stuck runs end) and checks that their late ends changed nothing and left no thread behind.
 */
public final class FaultHarness implements AutoCloseable {

    /** How much longer than its timeout a shutdown may take: time for the last events and the report. */
    public static final Duration SHUTDOWN_SLACK = Duration.ofMillis(250);
    /** The JMX domain of every harness; the context is the supervisor's unique name. */
    public static final String DOMAIN = "org.simplevisor.fault";
    /** Longest wait for something that follows promptly (events, notifications, threads ending). */
    public static final Duration WAIT = Duration.ofSeconds(10);

    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final Duration POLL = Duration.ofMillis(10);
    private static final Set<Type> RUN_ENDS = Set.of(Type.COMPLETED, Type.FAILED, Type.CRASHED, Type.STOPPED);

    private final String name;
    private final Duration shutdownTimeout;
    private final Supervisor supervisor;
    private final RecordingListener events = new RecordingListener();
    private final CapturedLogs logs = CapturedLogs.attach();
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final SupervisorJmx jmx;
    private final NotificationRecorder notifications = new NotificationRecorder();
    private final Map<String, Guard> guards = new ConcurrentHashMap<>();
    private final List<AutoCloseable> releases = new ArrayList<>();
    private Duration shutdownElapsed;

    /**
     * @param label           what the test is about; part of the supervisor's (and so its threads') name
     * @param shutdownTimeout the supervisor's shutdown timeout
     */
    public FaultHarness(String label, Duration shutdownTimeout) {
        this(label, shutdownTimeout, UnaryOperator.identity());
    }

    /**
     * @param label           what the test is about; part of the supervisor's (and so its threads') name
     * @param shutdownTimeout the supervisor's shutdown timeout
     * @param settings        more settings of the supervisor, such as its groups
     */
    public FaultHarness(String label, Duration shutdownTimeout, UnaryOperator<Supervisor.Builder> settings) {
        this.name = "fault-" + INSTANCES.incrementAndGet() + "-" + label;
        this.shutdownTimeout = shutdownTimeout;
        supervisor = settings.apply(Supervisor.builder().name(name).shutdownTimeout(shutdownTimeout).listener(events))
                .build();
        jmx = SupervisorJmx.register(supervisor, server, DOMAIN, name);
        try {
            server.addNotificationListener(jmx.supervisorObjectName(), notifications, null, null);
        } catch (Exception e) {
            throw new IllegalStateException("cannot subscribe to " + jmx.supervisorObjectName(), e);
        }
    }

    /**
     * Counts the runs of one process, remembers their threads, and records whether two ever overlapped.
     */
    private static final class Guard implements SupervisedProcess {
        final SupervisedProcess delegate;
        final AtomicInteger active = new AtomicInteger();
        final AtomicInteger maxActive = new AtomicInteger();
        final AtomicLong runs = new AtomicLong();
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        volatile Thread lastThread;

        Guard(SupervisedProcess delegate) {
            this.delegate = delegate;
        }

        @Override
        public void run(ProcessContext ctx) throws Exception {
            maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
            runs.incrementAndGet();
            threads.add(Thread.currentThread());
            lastThread = Thread.currentThread();
            try {
                delegate.run(ctx);
            } finally {
                active.decrementAndGet();
            }
        }
    }

    /**
     * @return a wait of at most {@link #WAIT} that checks its condition at once and then every 10 ms: faults
     *         resolve within milliseconds, and Awaitility's default 100 ms would make up most of the matrix's time
     */
    public static ConditionFactory waiting() {
        return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(POLL);
    }

    // ---------------------------------------------------------------- set-up

    /** @return the supervisor under test */
    public Supervisor supervisor() {
        return supervisor;
    }

    /** @return the supervisor's unique name, also the JMX context */
    public String name() {
        return name;
    }

    /** @return every event so far */
    public RecordingListener events() {
        return events;
    }

    /** @return what the supervisor logged so far */
    public CapturedLogs logs() {
        return logs;
    }

    /** @return the MBean server holding the supervisor's MBeans */
    public MBeanServer server() {
        return server;
    }

    /** @return the JMX registration */
    public SupervisorJmx jmx() {
        return jmx;
    }

    /** @return the notifications received by a subscriber to the supervisor MBean */
    public NotificationRecorder notifications() {
        return notifications;
    }

    /** Registers a process, wrapped in the overlap guard. */
    public void register(String process, SupervisedProcess work, ProcessOption... options) {
        Guard guard = new Guard(work);
        guards.put(process, guard);
        supervisor.register(process, guard, options);
    }

    /**
     * @return a process for {@link Supervisor#register} that a process registers itself later: guarded like the
     *         others
     */
    public SupervisedProcess guarded(String process, SupervisedProcess work) {
        Guard guard = new Guard(work);
        guards.put(process, guard);
        return guard;
    }

    /** Starts the supervisor. */
    public void run() {
        supervisor.run();
    }

    /** Something to close once shutdown has been checked: a latch to open, a socket to close. */
    public void releaseAfterShutdown(AutoCloseable release) {
        releases.add(release);
    }

    /** {@return a latch opened once shutdown has been checked: what a run or callback the test blocks waits for} */
    public CountDownLatch latchOpenedAfterShutdown() {
        CountDownLatch latch = new CountDownLatch(1);
        releaseAfterShutdown(latch::countDown);
        return latch;
    }

    /** Waits until a process (perhaps not registered yet) has that status. */
    public void awaitStatus(String process, ProcessStatus status) {
        waiting().until(() -> supervisor.processNames().contains(process) && supervisor.status(process) == status);
    }

    /** Waits until the listeners have received an event of this type of the process. */
    public void awaitEvent(String process, Type type) {
        waiting().until(() -> events.count(process, type) > 0);
    }

    /** Waits until a process has begun at least {@code runs} runs. */
    public void awaitRuns(String process, long runs) {
        waiting().until(() -> guards.get(process).runs.get() >= runs);
    }

    /** @return how many runs of the process have begun */
    public long runs(String process) {
        return guards.get(process).runs.get();
    }

    /** @return the most runs of the process that were ever in progress at once */
    public int maxConcurrentRuns(String process) {
        return guards.get(process).maxActive.get();
    }

    // ---------------------------------------------------------------- expectations

    /** How a process must be after shutdown. */
    public static final class Outcome {
        final String process;
        final ProcessStatus status;
        final String stuckInMethod; // null unless the process is expected not to stop

        private Outcome(String process, ProcessStatus status, String stuckInMethod) {
            this.process = process;
            this.status = status;
            this.stuckInMethod = stuckInMethod;
        }

        /** The process stopped within the timeout (or was at rest) and ends with this status. */
        public static Outcome ended(String process, ProcessStatus status) {
            return new Outcome(process, status, null);
        }

        /**
         * The process would not stop: it is reported, with a stack trace that has a frame of method
         * {@code stuckInMethod}, and abandoned as STOPPED.
         */
        public static Outcome stuck(String process, String stuckInMethod) {
            return stuck(process, stuckInMethod, ProcessStatus.STOPPED);
        }

        /**
         * The process would not stop: it is reported, with a stack trace that has a frame of method
         * {@code stuckInMethod}, and abandoned with this status (FAILED when its group gave up on it).
         */
        public static Outcome stuck(String process, String stuckInMethod, ProcessStatus status) {
            return new Outcome(process, status, stuckInMethod);
        }
    }

    // ---------------------------------------------------------------- shutdown and the invariants

    /**
     * Shuts the supervisor down from the calling thread and checks every invariant after a fault (see the class
     * comment). Every registered process must have an outcome.
     *
     * @return how long {@link Supervisor#shutdown()} took
     */
    public Duration shutdownAndVerify(Outcome... outcomes) {
        long start = System.nanoTime();
        supervisor.shutdown();
        shutdownElapsed = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("%s: shutdown took %d ms (timeout %d ms)%n", name, shutdownElapsed.toMillis(),
                shutdownTimeout.toMillis());
        verifyAfterShutdown(outcomes);
        return shutdownElapsed;
    }

    /**
     * Checks the invariants after a shutdown that has already been called elsewhere (by a process, say), which
     * took {@code elapsed}.
     */
    public void verifyShutdownTook(Duration elapsed, Outcome... outcomes) {
        shutdownElapsed = elapsed;
        verifyAfterShutdown(outcomes);
    }

    private void verifyAfterShutdown(Outcome... outcomes) {
        assertThat(shutdownElapsed).as("shutdown of %s took", name)
                .isLessThanOrEqualTo(shutdownTimeout.plus(SHUTDOWN_SLACK));
        assertThat(supervisor.isTerminated()).isTrue();
        Map<String, Outcome> expected = new LinkedHashMap<>();
        Arrays.stream(outcomes).forEach(o -> expected.put(o.process, o));
        assertThat(expected.keySet()).as("an outcome for every process")
                .containsExactlyInAnyOrderElementsOf(supervisor.processNames());

        waiting().until(() -> events.events().stream().anyMatch(e -> e.type() == Type.TERMINATED));
        // The JMX registration drains its notifications on TERMINATED, then unregisters: then all are delivered.
        waiting().until(() -> !server.isRegistered(jmx.supervisorObjectName()));
        List<SupervisorEvent> all = events.events();
        assertThat(all).filteredOn(e -> e.type() == Type.TERMINATED).hasSize(1);
        assertThat(all.get(all.size() - 1).type()).as("last event").isEqualTo(Type.TERMINATED);
        verifyEventChains(true);

        Map<String, Thread> stuckThreads = new LinkedHashMap<>();
        for (Outcome outcome : expected.values()) {
            ProcessSnapshot snapshot = supervisor.snapshot(outcome.process);
            assertThat(snapshot.status()).as("final status of %s", outcome.process).isEqualTo(outcome.status);
            verifyCounters(outcome.process, snapshot);
            verifyNotifications(outcome.process);
            if (outcome.stuckInMethod == null) {
                assertThat(events.count(outcome.process, Type.SHUTDOWN_TIMEOUT)).as("%s reported as stuck",
                        outcome.process).isZero();
            } else {
                verifyReportedStuck(outcome);
                stuckThreads.put(outcome.process, guards.get(outcome.process).lastThread);
            }
        }

        // No thread of ours is left except the reported ones, alive until the test releases them.
        waiting().untilAsserted(() -> assertThat(liveThreads())
                .as("threads of %s alive after shutdown", name)
                .containsExactlyInAnyOrderElementsOf(stuckThreads.values()));

        Map<String, ProcessSnapshot> beforeRelease = new LinkedHashMap<>();
        expected.keySet().forEach(p -> beforeRelease.put(p, supervisor.snapshot(p)));
        int eventsBeforeRelease = events.events().size();
        releaseAll();
        waiting().untilAsserted(() -> assertThat(liveThreads()).as("threads of %s after the release",
                name).isEmpty());
        // Late ends of abandoned runs change no status, counter or event (docs/go-port.md, defect 5).
        beforeRelease.forEach((process, before) -> assertThat(supervisor.snapshot(process))
                .as("%s after its late end", process).usingRecursiveComparison().ignoringFields("takenAt")
                .isEqualTo(before));
        assertThat(events.events()).hasSize(eventsBeforeRelease);
    }

    /**
     * Checks that the events received of each process form one unbroken chain (each event's previous status is the
     * status of the one before it) in which runs alternate with their ends.
     *
     * @param complete whether every event must have arrived (the last one announcing the process's final state
     *                 and no run left open), or only a prefix of them (a listener blocked and some were dropped)
     */
    public void verifyEventChains(boolean complete) {
        verifyEventChains(events, supervisor, complete);
    }

    /**
     * Checks that the events {@code events} received of each process of {@code supervisor} form one unbroken chain;
     * see {@link #verifyEventChains(boolean)}.
     */
    public static void verifyEventChains(RecordingListener events, Supervisor supervisor, boolean complete) {
        List<SupervisorEvent> all = events.events();
        for (String process : supervisor.processNames()) {
            List<SupervisorEvent> own = all.stream().filter(e -> process.equals(e.processName()))
                    .collect(Collectors.toList());
            assertThat(own).as("events of %s", process).isNotEmpty();
            assertThat(own.get(0).type()).isEqualTo(Type.REGISTERED);
            ProcessStatus status = ProcessStatus.STOPPED;
            boolean inRun = false;
            for (SupervisorEvent event : own) {
                assertThat(event.previousStatus()).as("%s: previous status of %s (an event is missing)", process,
                        event).isEqualTo(status);
                status = event.snapshot().status();
                if (event.type() == Type.STARTED) {
                    assertThat(inRun).as("%s: STARTED while a run is in progress: %s", process, event).isFalse();
                    inRun = true;
                } else if (RUN_ENDS.contains(event.type())) {
                    assertThat(inRun).as("%s: %s without a run", process, event).isTrue();
                    inRun = false;
                }
            }
            if (complete) {
                assertThat(inRun).as("%s: last run has no end event", process).isFalse();
                // The last event announced the final state.
                assertThat(own.get(own.size() - 1).snapshot()).usingRecursiveComparison()
                        .ignoringFields("takenAt").isEqualTo(supervisor.snapshot(process));
            }
        }
    }

    /**
     * Checks a process's counters against each other, against the events received and against the runs that
     * reached the process: {@code totalStarts == totalExits + (running ? 1 : 0)}, one STARTED per start, one end
     * event per exit, a FAILED per failure, a CRASHED per crash; and that no two runs ever overlapped.
     */
    public void verifyCounters(String process, ProcessSnapshot s) {
        verifyRuns(process, s);
        assertThat(events.count(process, Type.STARTED)).as("%s: STARTED events", process)
                .isEqualTo(s.totalStarts());
        assertThat(events.events().stream().filter(e -> process.equals(e.processName())
                && RUN_ENDS.contains(e.type())).count()).as("%s: run-end events", process)
                .isEqualTo(s.totalExits());
        assertThat(events.count(process, Type.FAILED)).as("%s: FAILED events", process)
                .isEqualTo(s.totalFailures());
        assertThat(events.count(process, Type.CRASHED)).as("%s: CRASHED events", process)
                .isEqualTo(s.totalCrashes());
        assertThat(events.events().stream().filter(e -> process.equals(e.processName())
                && e.type() == Type.STARTED && e.restart()).count()).as("%s: restarts", process)
                .isEqualTo(s.totalRestarts());
        assertThat(events.count(process, Type.RESTARTING)).as("%s: RESTARTING events", process)
                .isGreaterThanOrEqualTo(s.totalRestarts());
    }

    /**
     * Checks the counters that do not depend on events: {@code totalStarts == totalExits + (running ? 1 : 0)}, as
     * many runs reached the process as were counted, and no two of them ever overlapped.
     */
    public void verifyRuns(String process, ProcessSnapshot s) {
        assertThat(s.totalStarts()).as("%s: starts = exits + running", process)
                .isEqualTo(s.totalExits() + (s.running() ? 1 : 0));
        Guard guard = guards.get(process);
        assertThat(guard.runs.get()).as("%s: runs that reached the process", process).isEqualTo(s.totalStarts());
        assertThat(guard.maxActive.get()).as("%s: runs at once", process).isLessThanOrEqualTo(1);
    }

    /**
     * Checks that the subscriber to the supervisor MBean received exactly the notifications that the events of the
     * process (as the {@link RecordingListener} received them) map to, in order, numbered 1, 2, 3, ... without gap.
     * The mapping is the table in {@link SupervisorJmx}'s Javadoc: a notification of the event's type if it has one,
     * then an attribute change if the status changed.
     */
    public void verifyNotifications(String process) {
        ObjectName source = jmx.processObjectName(process);
        List<String> expected = new ArrayList<>();
        for (SupervisorEvent event : events.events()) {
            if (!process.equals(event.processName())) {
                continue;
            }
            String type = notificationType(event.type());
            if (type != null) {
                expected.add(type + " " + event.type());
            }
            if (event.statusChanged()) {
                expected.add(AttributeChangeNotification.ATTRIBUTE_CHANGE + " " + event.type());
            }
        }
        List<Notification> received = notifications.from(source);
        assertThat(received.stream().map(n -> n.getType() + " " + NotificationRecorder.userData(n).get("event")))
                .as("notifications of %s, one per event", process).containsExactlyElementsOf(expected);
        assertThat(received.stream().map(Notification::getSequenceNumber))
                .as("sequence numbers of %s", process)
                .containsExactlyElementsOf(sequence(1, expected.size()));
    }

    /** @return the notification type an event maps to, or {@code null} (the table in SupervisorJmx's Javadoc) */
    static String notificationType(Type type) {
        switch (type) {
            case STARTED:
                return SupervisorJmx.PROCESS_STARTED;
            case COMPLETED:
            case STOPPED:
                return SupervisorJmx.PROCESS_STOPPED;
            case FAILED:
            case CRASHED:
                return SupervisorJmx.PROCESS_FAILED;
            case RESTARTING:
                return SupervisorJmx.PROCESS_RESTARTING;
            case RESTART_LIMIT_EXCEEDED:
                return SupervisorJmx.PROCESS_RESTART_LIMIT_EXCEEDED;
            case HUNG:
                return SupervisorJmx.PROCESS_HUNG;
            case SHUTDOWN_TIMEOUT:
                return SupervisorJmx.PROCESS_SHUTDOWN_TIMEOUT;
            default:
                return null;
        }
    }

    /** @return {@code from, from + 1, ..., from + count - 1} */
    public static List<Long> sequence(long from, long count) {
        List<Long> numbers = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            numbers.add(from + i);
        }
        return numbers;
    }

    private void verifyReportedStuck(Outcome outcome) {
        List<SupervisorEvent> reports = events.events().stream()
                .filter(e -> outcome.process.equals(e.processName()) && e.type() == Type.SHUTDOWN_TIMEOUT)
                .collect(Collectors.toList());
        assertThat(reports).as("SHUTDOWN_TIMEOUT of %s", outcome.process).hasSize(1);
        Throwable report = reports.get(0).error();
        assertThat(report).isInstanceOf(ProcessNotStoppedException.class)
                .hasMessageContaining("\"" + outcome.process + "\"")
                .hasMessageContaining("simplevisor-" + outcome.process);
        assertThat(report.getStackTrace()).as("stack of the stuck %s", outcome.process)
                .anyMatch(frame -> frame.getMethodName().equals(outcome.stuckInMethod));
        assertThat(logs.at(Level.ERROR)).as("ERROR log of the stuck %s", outcome.process)
                .anyMatch(line -> line.thrown() == report && outcome.process.equals(line.process()));
        assertThat(events.types(outcome.process)).endsWith(Type.SHUTDOWN_TIMEOUT, Type.STOPPED);
    }

    /** @return the live threads of this supervisor: its own, and those running or having run its processes */
    public List<Thread> liveThreads() {
        String prefix = "simplevisor-" + name + "-";
        Set<Thread> runThreads = ConcurrentHashMap.newKeySet();
        guards.values().forEach(g -> runThreads.addAll(g.threads));
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && (t.getName().startsWith(prefix) || runThreads.contains(t)))
                .collect(Collectors.toList());
    }

    private void releaseAll() {
        for (AutoCloseable release : releases) {
            try {
                release.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot release " + release, e);
            }
        }
        releases.clear();
    }

    /** Closes a resource a test no longer needs, ignoring a failure to close it. */
    public static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception ignored) {
            // nothing the test could do about it
        }
    }

    /**
     * Releases what is left, shuts down if the test did not, and stops capturing logs: safe after a failed
     * assertion.
     */
    @Override
    public void close() {
        try {
            releaseAll();
            supervisor.shutdown();
            jmx.close();
        } finally {
            logs.close();
        }
    }
}
