package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.simplevisor.testing.RecordingListener;

/**
 * What lets the public API grow without breaking callers: the values the supervisor hands out are final classes
 * that only it can make, and the collections it returns cannot be changed by a caller.
 */
class ApiEvolutionTest {

    @Test
    void snapshotsAndEventsAreFinalAndHaveNoPublicConstructor() {
        for (Class<?> type : List.of(ProcessSnapshot.class, SupervisorEvent.class)) {
            assertThat(Modifier.isFinal(type.getModifiers())).as("%s is final", type).isTrue();
            assertThat(type.isRecord()).as("%s is a record (its canonical constructor is public)", type).isFalse();
            assertThat(Arrays.stream(type.getDeclaredConstructors()).filter(c -> Modifier.isPublic(c.getModifiers())
                    || Modifier.isProtected(c.getModifiers()))).as("public constructors of %s", type).isEmpty();
        }
    }

    @Test
    void queriesReturnCollectionsACallerCannotChange() {
        RecordingListener events = new RecordingListener();
        try (Supervisor supervisor = Supervisor.builder().listener(events).build()) {
            supervisor.register("a", ProcessContext::awaitCancellation);
            supervisor.register("b", ProcessContext::awaitCancellation);
            List<ProcessSnapshot> snapshots = supervisor.snapshots();
            assertThat(snapshots).extracting(ProcessSnapshot::name).containsExactly("a", "b");
            assertThatThrownBy(() -> snapshots.remove(0)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> supervisor.processNames().add("c"))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void snapshotsAndEventsKeepTheirValueEqualityAndDescription() {
        RecordingListener events = new RecordingListener();
        try (Supervisor supervisor = Supervisor.builder().listener(events).build()) {
            supervisor.register("a", ProcessContext::awaitCancellation,
                    ProcessOption.withRestart(RestartPolicy.ALWAYS, 7, Duration.ofSeconds(2)));
            ProcessSnapshot snapshot = supervisor.snapshot("a");
            ProcessSnapshot same = snapshot.at(snapshot.takenAt());
            assertThat(same).isNotSameAs(snapshot).isEqualTo(snapshot).hasSameHashCodeAs(snapshot);
            assertThat(snapshot.at(snapshot.takenAt().plusSeconds(1))).isNotEqualTo(snapshot);
            assertThat(snapshot.toString()).startsWith("ProcessSnapshot[name=a, status=STOPPED, restartPolicy=ALWAYS")
                    .contains("maxRestarts=7", "restartDelay=PT2S");

            SupervisorEvent registered = events.await("a", SupervisorEvent.Type.REGISTERED);
            SupervisorEvent copy = new SupervisorEvent(registered.type(), registered.supervisor(),
                    registered.processName(), registered.previousStatus(), registered.snapshot(), registered.reason(),
                    registered.error(), registered.delay(), registered.restart(), registered.time());
            assertThat(copy).isEqualTo(registered).hasSameHashCodeAs(registered);
            assertThat(registered.toString()).startsWith("SupervisorEvent[type=REGISTERED, supervisor=simplevisor, "
                    + "processName=a, previousStatus=STOPPED, snapshot=ProcessSnapshot[name=a");
        }
    }
}
