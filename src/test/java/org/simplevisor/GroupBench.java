package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;
import org.simplevisor.fault.FaultHarness;
import org.simplevisor.testing.ManualClock;
import org.simplevisor.testing.ManualScheduler;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ScriptedProcess;
import org.simplevisor.testing.SubmissionOrderExecutor;

/**
 * A supervisor with one process group on virtual time, for the tests of groups: restart delays and the group's
 * checks of cancelled runs happen only when a test advances the {@link ManualScheduler}, on the test's thread. Runs
 * execute on real threads, each tagged with the order in which the supervisor submitted it, so that a test can tell
 * the order in which members were started.
 */
final class GroupBench implements AutoCloseable {

    static final String GROUP = "g";
    /** The supervisor's shutdown timeout, and so how long the group waits for a run it cancelled. */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(10);

    final ManualClock clock = new ManualClock();
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final RecordingListener events = new RecordingListener();
    final Supervisor supervisor;
    private final SubmissionOrderExecutor executor = new SubmissionOrderExecutor();
    private final Map<Integer, String> submitted = new ConcurrentSkipListMap<>();
    private final Map<String, Member> members = new LinkedHashMap<>();

    GroupBench(GroupStrategy strategy) {
        this(builder -> builder.group(GROUP, strategy));
    }

    GroupBench(UnaryOperator<Supervisor.Builder> groups) {
        supervisor = groups.apply(builder()).build();
    }

    /**
     * A bench whose supervisor schedules on what {@code overScheduler} makes of the bench's {@link ManualScheduler}:
     * a test's hook on the group's timers.
     */
    GroupBench(GroupStrategy strategy, Function<ManualScheduler, ScheduledExecutorService> overScheduler) {
        supervisor = builder().group(GROUP, strategy).scheduler(overScheduler.apply(scheduler)).build();
    }

    private Supervisor.Builder builder() {
        return Supervisor.builder().name("groups").clock(clock).scheduler(scheduler).executor(executor)
                .shutdownTimeout(SHUTDOWN_TIMEOUT).listener(events);
    }

    /** A {@link ScriptedProcess} that also records the order in which its runs were handed to the executor. */
    final class Member extends ScriptedProcess {
        final String name;

        Member(String name) {
            super(" of " + name);
            this.name = name;
        }

        @Override
        public void run(ProcessContext ctx) throws Exception {
            submitted.put(SubmissionOrderExecutor.indexOfCurrentTask(), name);
            super.run(ctx);
        }
    }

    /** @return a wait of at most 10 s that checks at once and then every 5 ms */
    static ConditionFactory waiting() {
        return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }

    /** Registers a scripted member of the group. */
    Member register(String name, ProcessOption... options) {
        Member member = new Member(name);
        register(name, member, options);
        members.put(name, member);
        return member;
    }

    /** Registers a member of the group that does what {@code process} does. */
    void register(String name, SupervisedProcess process, ProcessOption... options) {
        List<ProcessOption> all = new ArrayList<>(List.of(options));
        all.add(ProcessOption.inGroup(GROUP));
        supervisor.register(name, process, all.toArray(new ProcessOption[0]));
    }

    Member member(String name) {
        return members.get(name);
    }

    /** Runs the supervisor and waits until every member registered so far has begun its first run. */
    void runAll() {
        supervisor.run();
        members.values().forEach(m -> m.awaitRun(1));
    }

    /** Waits until the listeners have received {@code n} events of this type of the process. */
    List<SupervisorEvent> awaitEvents(String process, SupervisorEvent.Type type, int n) {
        waiting().until(() -> events.count(process, type) >= n);
        return events.events().stream().filter(e -> process.equals(e.processName()) && e.type() == type)
                .collect(Collectors.toList());
    }

    /**
     * Waits until {@code count} group restarts have been announced: a group announces one once it has taken its
     * trigger in, cancelled the members in scope and set a check of each cancelled run's end.
     */
    void awaitAnnouncedGroupRestarts(int count) {
        waiting().until(() -> events.events().stream().filter(e -> e.type() == SupervisorEvent.Type.GROUP_RESTARTING)
                .count() >= count);
    }

    /** Waits until the only task on the scheduler is one due after {@code delay}: the start of a group restart. */
    void awaitOnlyTimer(Duration delay) {
        waiting().until(() -> scheduler.pendingTasks() == 1 && delay.equals(scheduler.nextDelay()));
    }

    /** {@return the number of submissions so far: a mark from which {@link #startedSince} lists runs} */
    int submissions() {
        return executor.submitted();
    }

    /**
     * {@return the number of runs submitted whose tasks have not finished} A run's task also takes the run's end to its
     * process and group: with none left, every end has been acted on.
     */
    int unfinishedRuns() {
        return executor.unfinished();
    }

    /** {@return the processes whose runs were submitted from {@code mark} on and have begun, in submission order} */
    List<String> startedSince(int mark) {
        return submitted.entrySet().stream().filter(e -> e.getKey() >= mark).map(Map.Entry::getValue)
                .collect(Collectors.toList());
    }

    /**
     * {@return the GROUP_RESTARTING events so far} Waits first until the listeners have had the STARTED event of
     * every run begun: a group's restart is published before the runs it starts, in the one ordered stream.
     */
    List<SupervisorEvent> groupRestarts() {
        waiting().until(() -> members.values().stream()
                .allMatch(m -> events.count(m.name, SupervisorEvent.Type.STARTED) >= m.runs()));
        return events.events().stream().filter(e -> e.type() == SupervisorEvent.Type.GROUP_RESTARTING)
                .collect(Collectors.toList());
    }

    ProcessSnapshot snapshot(String process) {
        return supervisor.snapshot(process);
    }

    /**
     * Shuts down, waits for the last event, and checks what must hold after every path: each process's events form
     * one unbroken chain with runs alternating with their ends, the last one announcing the final state, and
     * {@code starts == exits}.
     */
    void shutdownAndVerify() {
        supervisor.shutdown();
        events.awaitTerminated();
        FaultHarness.verifyEventChains(events, supervisor, true);
        for (String process : supervisor.processNames()) {
            ProcessSnapshot s = supervisor.snapshot(process);
            assertThat(s.totalStarts()).as("%s: starts = exits", process).isEqualTo(s.totalExits());
            assertThat(events.count(process, SupervisorEvent.Type.STARTED)).as("%s: STARTED events", process)
                    .isEqualTo(s.totalStarts());
            assertThat(events.events().stream().filter(e -> process.equals(e.processName())
                    && e.type() == SupervisorEvent.Type.STARTED && e.restart()).count())
                    .as("%s: restarts", process).isEqualTo(s.totalRestarts());
        }
    }

    @Override
    public void close() {
        supervisor.shutdown();
        executor.shutdownNow();
    }
}
