package org.simplevisor.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.management.Attribute;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessStatus;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.testing.ActingClock;

/**
 * One {@code getAttributes} call (what JConsole and the Prometheus exporter make) shows one state of a process, never
 * a mix of the states before and after a transition: {@code Status} {@code RUNNING} with {@code Running} false, an
 * uptime of a process not running, more restarts than starts.
 */
class JmxOneStatePerCallTest {

    private static final String[] PROCESS_ATTRIBUTES = {
        "Status", "TotalRestarts", "Running", "UptimeMillis", "TotalStarts", "LastExitReason", "RestartCount"};

    @RegisterExtension
    final JmxFixture fixture = new JmxFixture("jmx-one-state");

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    /**
     * The process is stopped while the call reads it, just after the call has read the first attribute (each
     * snapshot reads the clock): every attribute still shows the process running.
     */
    @Test
    void aProcessStoppedDuringTheCallIsShownAsItWasWhenTheCallBegan() throws Exception {
        ActingClock clock = new ActingClock();
        Supervisor supervisor = fixture.closeable(Supervisor.builder().name(fixture.context()).clock(clock)
                .shutdownTimeout(Duration.ofSeconds(5)).build());
        supervisor.register("worker", ctx -> ctx.awaitCancellation());
        fixture.register(supervisor);
        supervisor.run();
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.status("worker") == ProcessStatus.RUNNING);
        ObjectName worker = SupervisorJmx.processObjectName(SupervisorJmx.DEFAULT_DOMAIN, fixture.context(), "worker");
        ObjectName supervisorName = SupervisorJmx.supervisorObjectName(SupervisorJmx.DEFAULT_DOMAIN,
                fixture.context());

        clock.onNextRead(() -> stopAndAwaitStopped(supervisor));
        Map<String, Object> process = values(server.getAttributes(worker,
                new String[] {"Status", "Running", "LastExitReason"}).asList());

        assertThat(supervisor.status("worker")).as("stopped during the call").isEqualTo(ProcessStatus.STOPPED);
        assertThat(process).containsEntry("Status", "RUNNING").containsEntry("Running", true)
                .containsEntry("LastExitReason", null);

        supervisor.start("worker");
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.status("worker") == ProcessStatus.RUNNING);
        clock.onNextRead(() -> stopAndAwaitStopped(supervisor));
        Map<String, Object> table = values(server.getAttributes(supervisorName,
                new String[] {"RunningCount", "Processes"}).asList());

        assertThat(supervisor.status("worker")).as("stopped during the call").isEqualTo(ProcessStatus.STOPPED);
        CompositeData row = ((TabularData) table.get("Processes")).get(new Object[] {"worker"});
        assertThat(table.get("RunningCount")).isEqualTo(1);
        assertThat(row.get("status")).isEqualTo("RUNNING");
    }

    private static void stopAndAwaitStopped(Supervisor supervisor) {
        supervisor.stop("worker");
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.status("worker") == ProcessStatus.STOPPED);
    }

    /** A process restarting in a loop, read many times: every call's attributes hold together. */
    @Test
    void everyCallOnAProcessRestartingInALoopHoldsTogether() throws Exception {
        Supervisor supervisor = fixture.supervisor(Duration.ofSeconds(5));
        supervisor.register("looping", ctx -> { }, // completes at once, restarted at once, without limit
                ProcessOption.withRestart(RestartPolicy.ALWAYS, 0, Duration.ZERO));
        supervisor.register("steady", ctx -> ctx.awaitCancellation());
        fixture.register(supervisor);
        supervisor.run();
        ObjectName looping = SupervisorJmx.processObjectName(SupervisorJmx.DEFAULT_DOMAIN, fixture.context(),
                "looping");
        ObjectName supervisorName = SupervisorJmx.supervisorObjectName(SupervisorJmx.DEFAULT_DOMAIN,
                fixture.context());
        await().atMost(Duration.ofSeconds(10)).until(() -> supervisor.snapshot("looping").totalRestarts() > 10);

        List<String> mixed = new ArrayList<>();
        for (int call = 0; call < 5_000; call++) {
            Map<String, Object> p = values(server.getAttributes(looping, PROCESS_ATTRIBUTES).asList());
            boolean running = (Boolean) p.get("Running");
            if (running != "RUNNING".equals(p.get("Status"))
                    || !running && (Long) p.get("UptimeMillis") != 0
                    || (Long) p.get("TotalRestarts") > (Long) p.get("TotalStarts")) {
                mixed.add(p.toString());
            }
            Map<String, Object> s = values(server.getAttributes(supervisorName,
                    new String[] {"RunningCount", "Processes", "ProcessCount"}).asList());
            TabularData rows = (TabularData) s.get("Processes");
            long runningRows = rows.values().stream().filter(row -> (Boolean) ((CompositeData) row).get("running"))
                    .count();
            if ((Integer) s.get("RunningCount") != runningRows || (Integer) s.get("ProcessCount") != rows.size()) {
                mixed.add(s.get("RunningCount") + " running of " + s.get("ProcessCount") + ", table " + rows);
            }
        }
        assertThat(supervisor.snapshot("looping").totalRestarts()).as("still restarting").isGreaterThan(10);
        assertThat(mixed).as("calls whose attributes never held together").isEmpty();
    }

    /**
     * Alerts raised in a loop (a process over its restart limit, started again at once), read many times: every call
     * shows one alert, its count with its own message and time, never the count of one with the message of the next.
     * Each call names the attributes many times over, so that alerts are raised while it reads.
     */
    @Test
    void everyCallOnTheAlertsOfARestartLimitLoopShowsOneAlert() throws Exception {
        Supervisor supervisor = fixture.supervisor(Duration.ofSeconds(5));
        AtomicInteger runs = new AtomicInteger();
        supervisor.register("limited", ctx -> {
            throw new Exception("failure " + runs.incrementAndGet()); // each alert's message is its own
        }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 1, Duration.ZERO));
        AtomicBoolean looping = new AtomicBoolean(true);
        supervisor.addListener(event -> {
            if (event.type() == SupervisorEvent.Type.RESTART_LIMIT_EXCEEDED && looping.get()) {
                supervisor.start("limited");
            }
        });
        SupervisorJmx jmx = fixture.register(supervisor);
        NotificationRecorder raised = NotificationRecorder.subscribe(server, jmx.alertsObjectName());
        supervisor.run();
        raised.awaitCount(n -> true, 10);
        String[] attributes = new String[60];
        for (int i = 0; i < attributes.length; i++) {
            attributes[i] = List.of("AlertCount", "LastAlert", "LastAlertTime").get(i % 3);
        }

        List<List<Attribute>> calls = new ArrayList<>();
        calls.add(server.getAttributes(jmx.alertsObjectName(), attributes).asList());
        long firstCount = (Long) calls.get(0).get(0).getValue();
        // 2,000 calls at least, and until 20 more alerts have been raised meanwhile, however slowly the loop runs
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1)).until(() -> {
            for (int call = 0; call < 100; call++) {
                calls.add(server.getAttributes(jmx.alertsObjectName(), attributes).asList());
            }
            return calls.size() >= 2_000 && (Long) calls.get(calls.size() - 1).get(0).getValue() >= firstCount + 20;
        });
        looping.set(false);
        long lastCount = (Long) calls.get(calls.size() - 1).get(0).getValue();
        Map<Long, Notification> bySequence = raised.awaitCount(n -> true, (int) lastCount).stream()
                .collect(Collectors.toMap(Notification::getSequenceNumber, Function.identity()));

        List<String> mixed = new ArrayList<>();
        for (List<Attribute> call : calls) {
            Notification alert = bySequence.get((Long) call.get(0).getValue());
            Map<String, Object> shown = Map.of("AlertCount", alert.getSequenceNumber(), "LastAlert",
                    alert.getMessage(), "LastAlertTime", new Date(alert.getTimeStamp()));
            call.stream().filter(a -> !a.getValue().equals(shown.get(a.getName()))).findFirst()
                    .ifPresent(a -> mixed.add(a + " in a call that began with alert #" + alert.getSequenceNumber()));
        }
        assertThat(mixed).as("calls whose attributes never held together").isEmpty();
    }

    private static Map<String, Object> values(List<Attribute> attributes) {
        Map<String, Object> values = new HashMap<>();
        attributes.forEach(a -> values.put(a.getName(), a.getValue()));
        return values;
    }
}
