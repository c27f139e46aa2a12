package org.simplevisor.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.simplevisor.fault.FaultHarness.Outcome.ended;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.Test;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessStatus;
import org.simplevisor.RestartPolicy;
import org.simplevisor.jmx.LoopbackJmxServer;
import org.simplevisor.jmx.NotificationRecorder;
import org.simplevisor.jmx.ProcessMXBean;

/**
 * The operator's fault: many JMX clients calling {@code restart}, {@code stop} and {@code start} on the
 * same process at the same moment, over a real RMI connector on 127.0.0.1.
 */
class JmxConcurrentOperationsTest {

    /** Client threads, each with a connection of its own, released together every round on one process. */
    static final int CALLERS = 8;
    static final int ROUNDS = 100;
    static final Duration CALL_LIMIT = Duration.ofSeconds(30);

    /** One operator action on one process MBean. */
    private static final List<Consumer<ProcessMXBean>> OPERATIONS = List.of(ProcessMXBean::restart,
            ProcessMXBean::stop, ProcessMXBean::start);

    @Test
    void restartStopAndStartFromManyClientsAtOnceNeverRunAProcessTwiceNorLoseANotification() throws Exception {
        try (FaultHarness h = new FaultHarness("jmx-operations", Duration.ofSeconds(1));
                LoopbackJmxServer jmxServer = LoopbackJmxServer.start(h.server())) {
            // One process that runs until cancelled, one that ends at once and is restarted after 1 ms.
            h.register("blocker", ProcessContext::awaitCancellation);
            h.register("flapper", ctx -> ctx.awaitCancellation(Duration.ofMillis(1)),
                    ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ofMillis(1)));
            List<String> processes = List.of("blocker", "flapper");

            List<JMXConnector> clients = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                clients.add(jmxServer.connect());
            }
            NotificationRecorder remote = new NotificationRecorder();
            MBeanServerConnection monitor = clients.get(0).getMBeanServerConnection();
            monitor.addNotificationListener(h.jmx().supervisorObjectName(), remote, null, null);
            h.run();

            long start = System.nanoTime();
            hammer(h, clients);
            System.out.printf("%s: %d callers x %d rounds of restart/stop/start took %d ms%n", h.name(), CALLERS,
                    ROUNDS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));

            // Still under control: stopped and started once more, each settles.
            for (String process : processes) {
                ProcessMXBean bean = proxy(monitor, h.jmx().processObjectName(process));
                bean.stop();
                h.awaitStatus(process, ProcessStatus.STOPPED);
                assertThat(bean.isRunning()).isFalse();
                long runs = h.runs(process);
                bean.start();
                h.awaitRuns(process, runs + 1);
            }
            h.awaitStatus("blocker", ProcessStatus.RUNNING);
            for (String process : processes) {
                FaultHarness.waiting().untilAsserted(() -> h.verifyCounters(process,
                        h.supervisor().snapshot(process)));
            }
            assertThat(h.runs("flapper")).isGreaterThan(ROUNDS);

            // The remote subscriber sees what the local one sees: every notification, none lost by the connector.
            h.supervisor().stop("flapper");
            h.awaitStatus("flapper", ProcessStatus.STOPPED);
            for (String process : processes) {
                ObjectName source = h.jmx().processObjectName(process);
                FaultHarness.waiting().untilAsserted(() -> {
                    List<Long> local = sequenceNumbers(h.notifications().from(source));
                    List<Long> remotely = sequenceNumbers(remote.from(source));
                    assertThat(local).as("local notifications of %s", process).isNotEmpty();
                    assertThat(remotely.size()).as("remote notifications of %s: %s ... %s", process,
                            head(remotely), tail(remotely)).isEqualTo(local.size());
                    assertThat(remotely).isEqualTo(local);
                });
            }
            clients.forEach(FaultHarness::closeQuietly);

            Duration shutdown = h.shutdownAndVerify(ended("blocker", ProcessStatus.STOPPED),
                    ended("flapper", ProcessStatus.STOPPED));
            System.out.printf("%s: %d + %d runs, %d notifications, shutdown %d ms%n", h.name(), h.runs("blocker"),
                    h.runs("flapper"), h.notifications().all().size(), shutdown.toMillis());
        }
    }

    /**
     * Every round, all callers at once on the same process (the blocker in even rounds, the flapper in odd ones),
     * each with an operation of its own: a third restart, a third stop, a third start.
     */
    private static void hammer(FaultHarness h, List<JMXConnector> clients) throws Exception {
        CyclicBarrier together = new CyclicBarrier(CALLERS);
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                int caller = i;
                MBeanServerConnection connection = clients.get(caller).getMBeanServerConnection();
                List<ProcessMXBean> targets = List.of(proxy(connection, h.jmx().processObjectName("blocker")),
                        proxy(connection, h.jmx().processObjectName("flapper")));
                calls.add(callers.submit(() -> {
                    for (int round = 0; round < ROUNDS; round++) {
                        together.await(CALL_LIMIT.toSeconds(), TimeUnit.SECONDS);
                        OPERATIONS.get((caller + round) % OPERATIONS.size()).accept(targets.get(round % 2));
                    }
                    return null;
                }));
            }
            for (Future<?> call : calls) {
                call.get(CALL_LIMIT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
            assertThat(callers.awaitTermination(CALL_LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
    }

    private static ProcessMXBean proxy(MBeanServerConnection connection, ObjectName name) {
        return JMX.newMXBeanProxy(connection, name, ProcessMXBean.class);
    }

    private static List<Long> head(List<Long> numbers) {
        return numbers.subList(0, Math.min(5, numbers.size()));
    }

    private static List<Long> tail(List<Long> numbers) {
        return numbers.subList(Math.max(0, numbers.size() - 5), numbers.size());
    }

    private static List<Long> sequenceNumbers(List<Notification> notifications) {
        return notifications.stream().map(Notification::getSequenceNumber).collect(Collectors.toList());
    }
}
