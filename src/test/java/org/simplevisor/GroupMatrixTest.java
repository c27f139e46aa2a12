package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.simplevisor.ProcessOption.withPriority;
import static org.simplevisor.ProcessOption.withRestart;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.simplevisor.SupervisorEvent.Type;

/**
 * Every group strategy, with every way a trigger's run can end and be restarted (a failure, a crash, a completion
 * under {@link RestartPolicy#ALWAYS}), at every position in the group (first, middle, last in start order), with
 * siblings of every restart policy: 3 x 3 x 3 x 3 = 81 cases. Each checks who is cancelled, who restarts, in which
 * order and after which delay, what each counts, the group event, and the final statuses.
 *
 * <p>The group has three members, {@code a}, {@code b} and {@code c} in start order; they are registered as
 * {@code c}, {@code a}, {@code b}, with {@code c} at a higher priority, so that start order is priority first.
 */
class GroupMatrixTest {

    private static final List<String> START_ORDER = List.of("a", "b", "c");
    private static final Duration TRIGGER_DELAY = Duration.ofSeconds(2);
    private static final Duration SIBLING_DELAY = Duration.ofSeconds(7);
    private static final Duration TICK = Duration.ofMillis(1);

    /** How the trigger's run ends, and the policy that restarts it after that. */
    enum Trigger {
        FAILURE(RestartPolicy.ON_FAILURE, ExitReason.FAILED, Type.FAILED),
        CRASH(RestartPolicy.ON_FAILURE, ExitReason.CRASHED, Type.CRASHED),
        COMPLETION(RestartPolicy.ALWAYS, ExitReason.COMPLETED, Type.COMPLETED);

        final RestartPolicy policy;
        final ExitReason reason;
        final Type endEvent;

        Trigger(RestartPolicy policy, ExitReason reason, Type endEvent) {
            this.policy = policy;
            this.reason = reason;
            this.endEvent = endEvent;
        }

        void endRunOf(GroupBench.Member member) {
            switch (this) {
                case FAILURE:
                    member.fail();
                    break;
                case CRASH:
                    member.crash();
                    break;
                default:
                    member.complete();
                    break;
            }
        }
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (GroupStrategy strategy : GroupStrategy.values()) {
            for (Trigger trigger : Trigger.values()) {
                for (String position : START_ORDER) {
                    for (RestartPolicy siblings : RestartPolicy.values()) {
                        cases.add(Arguments.of(strategy, trigger, position, siblings));
                    }
                }
            }
        }
        return cases.stream();
    }

    /** {@return the members the strategy cancels when {@code trigger} restarts} */
    private static List<String> cancelledBy(GroupStrategy strategy, String trigger) {
        switch (strategy) {
            case ONE_FOR_ALL:
                return START_ORDER.stream().filter(m -> !m.equals(trigger)).collect(Collectors.toList());
            case REST_FOR_ONE:
                return START_ORDER.subList(START_ORDER.indexOf(trigger) + 1, START_ORDER.size());
            default:
                return List.of();
        }
    }

    @ParameterizedTest(name = "{0}, {1} of the {2} member, siblings {3}")
    @MethodSource("matrix")
    void aTriggerRestartsTheMembersItsStrategyNames(GroupStrategy strategy, Trigger trigger, String triggerName,
            RestartPolicy siblingPolicy) {
        try (GroupBench bench = new GroupBench(strategy)) {
            for (String name : List.of("c", "a", "b")) {
                boolean isTrigger = name.equals(triggerName);
                bench.register(name, withPriority(name.equals("c") ? 1 : 0), isTrigger
                        ? withRestart(trigger.policy, 3, TRIGGER_DELAY)
                        : withRestart(siblingPolicy, 3, SIBLING_DELAY));
            }
            bench.runAll();
            List<String> cancelled = cancelledBy(strategy, triggerName);
            List<String> restartedSiblings = siblingPolicy == RestartPolicy.NEVER ? List.of() : cancelled;
            List<String> restarted = START_ORDER.stream()
                    .filter(m -> m.equals(triggerName) || restartedSiblings.contains(m)).collect(Collectors.toList());
            List<String> untouched = START_ORDER.stream()
                    .filter(m -> !m.equals(triggerName) && !cancelled.contains(m)).collect(Collectors.toList());

            trigger.endRunOf(bench.member(triggerName));
            bench.awaitEvents(triggerName, trigger.endEvent, 1);
            for (String member : cancelled) {
                SupervisorEvent stopped = bench.awaitEvents(member, Type.STOPPED, 1).get(0);
                assertThat(stopped.reason()).as("%s stopped by its group", member).isEqualTo(ExitReason.GROUP);
            }
            bench.awaitOnlyTimer(TRIGGER_DELAY);

            // Every cancelled run has ended; the restart waits for the trigger's delay.
            assertThat(bench.snapshot(triggerName).status()).isEqualTo(ProcessStatus.RESTARTING);
            for (String member : cancelled) {
                assertThat(bench.snapshot(member).status()).as("%s while the group waits", member)
                        .isEqualTo(restartedSiblings.contains(member) ? ProcessStatus.RESTARTING
                                : ProcessStatus.STOPPED);
            }
            untouched.forEach(m -> assertThat(bench.snapshot(m).status()).as("untouched %s", m)
                    .isEqualTo(ProcessStatus.RUNNING));
            int mark = bench.submissions();
            bench.scheduler.advance(TRIGGER_DELAY.minus(TICK));
            assertThat(bench.submissions()).as("nothing starts before the trigger's delay").isEqualTo(mark);
            bench.scheduler.advance(TICK);
            restarted.forEach(m -> bench.member(m).awaitRun(2));
            assertThat(bench.startedSince(mark)).as("restarted, in start order").isEqualTo(restarted);

            List<SupervisorEvent> groupRestarts = bench.groupRestarts();
            if (strategy == GroupStrategy.ONE_FOR_ONE) {
                assertThat(groupRestarts).isEmpty();
            } else {
                assertThat(groupRestarts).hasSize(1);
                SupervisorEvent event = groupRestarts.get(0);
                assertThat(event.group()).isEqualTo(GroupBench.GROUP);
                assertThat(event.trigger()).isEqualTo(triggerName);
                assertThat(event.members()).isEqualTo(restarted);
                assertThat(event.reason()).isEqualTo(trigger.reason);
                assertThat(event.delay()).isEqualTo(TRIGGER_DELAY);
                assertThat(event.processName()).isNull();
            }

            ProcessSnapshot triggerAfter = bench.snapshot(triggerName);
            assertThat(triggerAfter.status()).isEqualTo(ProcessStatus.RUNNING);
            assertThat(triggerAfter.restartCount()).as("the restart counts against the trigger's limit").isEqualTo(1);
            assertThat(triggerAfter.totalRestarts()).isEqualTo(1);
            assertThat(triggerAfter.lastExitReason()).isEqualTo(trigger.reason);
            for (String member : cancelled) {
                ProcessSnapshot s = bench.snapshot(member);
                boolean restartedToo = restartedSiblings.contains(member);
                assertThat(s.status()).as("%s after the restart", member)
                        .isEqualTo(restartedToo ? ProcessStatus.RUNNING : ProcessStatus.STOPPED);
                assertThat(s.totalStarts()).as("%s starts", member).isEqualTo(restartedToo ? 2 : 1);
                assertThat(s.totalRestarts()).as("%s restarts in its totals", member).isEqualTo(restartedToo ? 1 : 0);
                assertThat(s.restartCount()).as("%s: not against its own limit", member).isZero();
                assertThat(s.lastExitReason()).isEqualTo(ExitReason.GROUP);
                assertThat(s.totalFailures() + s.totalCrashes()).isZero();
                if (restartedToo) {
                    SupervisorEvent restarting = bench.awaitEvents(member, Type.RESTARTING, 1).get(0);
                    assertThat(restarting.reason()).isEqualTo(ExitReason.GROUP);
                    assertThat(restarting.delay()).isEqualTo(TRIGGER_DELAY);
                    assertThat(bench.awaitEvents(member, Type.STARTED, 2).get(1).restart()).isTrue();
                } else {
                    assertThat(bench.events.count(member, Type.RESTARTING)).isZero();
                }
            }
            for (String member : untouched) {
                ProcessSnapshot s = bench.snapshot(member);
                assertThat(s.status()).isEqualTo(ProcessStatus.RUNNING);
                assertThat(s.totalStarts()).isEqualTo(1);
                assertThat(bench.member(member).awaitRun(1).isCancelled()).isFalse();
            }

            bench.shutdownAndVerify();
            START_ORDER.forEach(m -> assertThat(bench.snapshot(m).status()).as("%s after shutdown", m)
                    .isEqualTo(ProcessStatus.STOPPED));
        }
    }
}
