package org.simplevisor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.simplevisor.metrics.MeterValues.awaitMeters;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.ExitReason;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.JmxMeterRegistries;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ShutDownAfterEach;

/** Binding, closing, sharing a registry, and what a registry keeps alive. */
class SupervisorMetricsLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ShutDownAfterEach shutDown = new ShutDownAfterEach();

    private Supervisor supervisor(String name) {
        return shutDown.supervisor(Supervisor.builder().name(name).build());
    }

    @Test
    void gaugesShowTheFinalStateAfterShutdownAndCloseRemovesEveryMeter() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Supervisor supervisor = supervisor("lifecycle");
        supervisor.register("before-bind", ProcessContext::awaitCancellation);
        SupervisorMetrics metrics = SupervisorMetrics.monitor(registry, supervisor, Tags.of("context", "/x"));
        supervisor.register("after-bind", ctx -> {
            throw new Exception("fails");
        });
        supervisor.run();
        MeterValues before = new MeterValues(registry, "before-bind");
        MeterValues after = new MeterValues(registry, "after-bind");
        awaitMeters(WAIT).untilAsserted(() -> {
            assertThat(before.running()).isEqualTo(1);
            assertThat(after.status()).isEqualTo(-2);
        });

        supervisor.shutdown(); // TERMINATED: the meters stay, with their true values

        assertThat(before.status()).isZero();
        assertThat(before.running()).isZero();
        assertThat(before.stopped(ExitReason.SHUTDOWN)).isEqualTo(1);
        assertThat(after.status()).isEqualTo(-2);
        assertThat(after.stopped(ExitReason.FAILED)).isEqualTo(1);
        assertThat(registry.getMeters()).hasSize(2 * 15); // 3 gauges, 5 counters and 7 stopped reasons each

        metrics.close();
        assertThat(registry.getMeters()).isEmpty();
        metrics.close(); // idempotent
        assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void noMeterReappearsAfterCloseWhileEventsKeepComing() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Supervisor supervisor = supervisor("busy");
        RecordingListener events = new RecordingListener();
        SupervisorMetrics metrics = SupervisorMetrics.monitor(registry, supervisor, Tags.empty());
        supervisor.addListener(events);
        supervisor.register("spinner", ctx -> { }, // completes at once, restarted without limit
                ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ofMillis(1)));
        supervisor.run();
        events.awaitCount("spinner", SupervisorEvent.Type.STARTED, 5);

        metrics.close();
        int startsAtClose = (int) events.count("spinner", SupervisorEvent.Type.STARTED);
        supervisor.register("newcomer", ProcessContext::awaitCancellation);
        events.awaitCount("spinner", SupervisorEvent.Type.STARTED, startsAtClose + 5);
        events.await("newcomer", SupervisorEvent.Type.STARTED);

        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void bindingTwiceIsRefused() {
        Supervisor supervisor = supervisor("twice");
        SupervisorMetrics metrics = new SupervisorMetrics(supervisor);
        shutDown.closeable(metrics);
        metrics.bindTo(new SimpleMeterRegistry());
        assertThatThrownBy(() -> metrics.bindTo(new SimpleMeterRegistry()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("CompositeMeterRegistry");
    }

    @Test
    void commonTagsMayNotUseTheBindersOwnKeys() {
        Supervisor supervisor = supervisor("reserved");
        assertThatThrownBy(() -> new SupervisorMetrics(supervisor, Tags.of("process_name", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("process_name");
    }

    @Test
    void twoSupervisorsWithTheirOwnContextShareARegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        shutDown.closeable(registry::close);
        Supervisor a = supervisor("a");
        Supervisor b = supervisor("b");
        SupervisorMetrics metricsA = SupervisorMetrics.monitor(registry, a, Tags.of("context", "/a"));
        SupervisorMetrics metricsB = SupervisorMetrics.monitor(registry, b, Tags.of("context", "/b"));
        shutDown.closeable(metricsB);
        a.register("worker", ProcessContext::awaitCancellation);
        b.register("worker", ctx -> {
            throw new IllegalStateException("crash");
        });
        a.run();
        b.run();
        MeterValues workerA = new MeterValues(registry, "worker", "context", "/a");
        MeterValues workerB = new MeterValues(registry, "worker", "context", "/b");
        awaitMeters(WAIT).untilAsserted(() -> {
            assertThat(workerA.status()).isEqualTo(1);
            assertThat(workerB.status()).isEqualTo(-2);
            assertThat(workerB.panics()).isEqualTo(1);
        });
        assertThat(workerA.panics()).isZero();
        assertThat(registry.scrape()).contains("context=\"/a\"").contains("context=\"/b\"");

        a.shutdown();
        metricsA.close();

        assertThat(registry.getMeters()).hasSize(15)
                .allSatisfy(m -> assertThat(m.getId().getTag("context")).isEqualTo("/b"));
        assertThat(registry.scrape()).doesNotContain("context=\"/a\"");
        assertThat(workerB.status()).isEqualTo(-2);
    }

    @Test
    void bindingASecondSupervisorWithTheSameTagsIsWarnedAbout() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Supervisor first = supervisor("first");
        Supervisor second = supervisor("second");
        first.register("worker", ProcessContext::awaitCancellation);
        second.register("worker", ProcessContext::awaitCancellation);
        shutDown.closeable(SupervisorMetrics.monitor(registry, first, Tags.of("context", "/same")));
        try (CapturedLogs logs = CapturedLogs.attach()) {
            shutDown.closeable(SupervisorMetrics.monitor(registry, second, Tags.of("context", "/same")));
            assertThat(logs.at(Level.WARN)).singleElement().satisfies(l -> assertThat(l.message())
                    .contains("context=/same", "distinct common tags"));
        }
        try (CapturedLogs logs = CapturedLogs.attach()) {
            Supervisor third = supervisor("third");
            third.register("worker", ProcessContext::awaitCancellation);
            shutDown.closeable(SupervisorMetrics.monitor(registry, third, Tags.of("context", "/other")));
            assertThat(logs.at(Level.WARN)).as("distinct tags are fine").isEmpty();
        }
    }

    @Test
    void closeLeavesTheMetersASecondBinderWithTheSameTagsWasHandedBack() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Supervisor first = supervisor("first");
        Supervisor second = supervisor("second");
        first.register("worker", ProcessContext::awaitCancellation);
        second.register("worker", ProcessContext::awaitCancellation);
        SupervisorMetrics metricsFirst = SupervisorMetrics.monitor(registry, first, Tags.of("context", "/same"));
        shutDown.closeable(metricsFirst);
        List<Meter> firsts = registry.getMeters();
        assertThat(firsts).hasSize(15);

        // Micrometer hands the second binder the first one's meters: they are not the second's to remove.
        SupervisorMetrics.monitor(registry, second, Tags.of("context", "/same")).close();

        assertThat(registry.getMeters()).containsExactlyInAnyOrderElementsOf(firsts);
        metricsFirst.close();
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void closeLeavesAMeterTheApplicationRegisteredFirst() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Supervisor supervisor = supervisor("app");
        supervisor.register("worker", ProcessContext::awaitCancellation);
        Counter own = Counter.builder(SupervisorMetrics.PROCESS_PANICS)
                .tags(SupervisorMetrics.TAG_CONTEXT, "/app", SupervisorMetrics.TAG_PROCESS_NAME, "worker")
                .register(registry);

        SupervisorMetrics.monitor(registry, supervisor, Tags.of("context", "/app")).close();

        assertThat(registry.getMeters()).containsExactly(own);
    }

    @Test
    void theMetersOfAProcessRegisteredLaterAreRemovedAtOnceWhenTheRegistryRejectsOneOfThem() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Supervisor supervisor = supervisor("app");
        // Where the binder's panics counter of "later" would go, made after most of its meters: the registry
        // rejects the counter, a meter of another type under the gauge's name and tags.
        Gauge theirs = Gauge.builder(SupervisorMetrics.PROCESS_PANICS, () -> 0)
                .tags(SupervisorMetrics.TAG_CONTEXT, "/app", SupervisorMetrics.TAG_PROCESS_NAME, "later")
                .register(registry);
        shutDown.closeable(SupervisorMetrics.monitor(registry, supervisor, Tags.of("context", "/app")));
        RecordingListener events = new RecordingListener(); // called after the binder's listener
        supervisor.addListener(events);

        try (CapturedLogs logs = CapturedLogs.attach()) {
            supervisor.register("later", ProcessContext::awaitCancellation);
            events.await("later", SupervisorEvent.Type.REGISTERED);

            assertThat(registry.find(SupervisorMetrics.PROCESS_STATUS).meters()).as("the status gauges").isEmpty();
            assertThat(registry.getMeters()).containsExactly(theirs);
            assertThat(logs.at(Level.ERROR)).singleElement()
                    .satisfies(line -> assertThat(line.message()).contains("\"later\" has no meters of its own"));
        }
    }

    @Test
    void aForgottenBinderKeepsNoSupervisorAlive() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WeakReference<Supervisor> supervisor = bindAndForget(registry);

        await().atMost(WAIT).until(() -> {
            System.gc();
            return supervisor.get() == null;
        });
        assertThat(new MeterValues(registry, "worker").status()).isNaN();
    }

    /** Binds, runs and shuts a supervisor down, then drops it and its binder without closing the binder. */
    private static WeakReference<Supervisor> bindAndForget(SimpleMeterRegistry registry) {
        Supervisor supervisor = Supervisor.builder().name("forgotten").build();
        supervisor.register("worker", ProcessContext::awaitCancellation);
        SupervisorMetrics.monitor(registry, supervisor, Tags.empty());
        supervisor.run();
        await().atMost(WAIT).until(() -> supervisor.isRunning("worker"));
        supervisor.shutdown();
        assertThat(new MeterValues(registry, "worker").status()).isZero();
        return new WeakReference<>(supervisor);
    }

    @Test
    void jmxRegistryPublishesAndCloseUnpublishes() throws Exception {
        String domain = "simplevisor-metrics-test";
        JmxMeterRegistry registry = JmxMeterRegistries.inDomain(domain);
        shutDown.closeable(registry::close);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName all = new ObjectName(domain + ":*");
        Supervisor supervisor = supervisor("jmx");
        supervisor.register("worker", ProcessContext::awaitCancellation);
        SupervisorMetrics metrics = SupervisorMetrics.monitor(registry, supervisor, Tags.of("context", "/jmx"));
        supervisor.run();

        awaitMeters(WAIT).untilAsserted(() -> assertThat(server.queryNames(all, null)).hasSize(15));
        ObjectName status = server.queryNames(all, null).stream()
                .filter(n -> n.getKeyProperty("name").startsWith("simplevisorProcessStatus")).findFirst().orElseThrow();
        awaitMeters(WAIT).untilAsserted(() ->
                assertThat(((Number) server.getAttribute(status, "Value")).doubleValue()).isEqualTo(1.0));

        supervisor.shutdown();
        metrics.close();
        assertThat(server.queryNames(all, null)).isEmpty();
    }
}
