package org.simplevisor.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessStatus;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.jmx.SupervisorJmx;

/** What a plain-Java user who depends on org.simplevisor:simplevisor alone gets, and what works with it. */
class PlainJavaConsumerTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "io.micrometer.core.instrument.MeterRegistry",        // micrometer-core
        "io.micrometer.jmx.JmxMeterRegistry",                 // micrometer-registry-jmx
        "com.codahale.metrics.MetricRegistry",                // Dropwizard metrics, under the JMX registry
        "jakarta.enterprise.concurrent.ManagedExecutorService", // the Jakarta Concurrency API
        "org.glassfish.concurro.ManagedExecutorServiceImpl",  // its reference implementation
        "org.jspecify.annotations.Nullable",                  // nullness annotations, for compilers only
        "com.google.errorprone.annotations.concurrent.GuardedBy"}) // lock annotations, likewise
    void optionalDependenciesAreNotForcedOnThisUser(String className) {
        assertThrows(ClassNotFoundException.class, () -> Class.forName(className));
    }

    @Test
    void theCoreAndTheJmxObserverWorkWithoutThem() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        CountDownLatch limitExceeded = new CountDownLatch(1);
        NotificationListener alert = (notification, handback) -> {
            if (notification.getType().equals(SupervisorJmx.PROCESS_RESTART_LIMIT_EXCEEDED)) {
                limitExceeded.countDown();
            }
        };
        ObjectName ticker;
        ObjectName supervisorName;
        try (Supervisor supervisor = Supervisor.builder().name("plain-java").build()) {
            CountDownLatch ticking = new CountDownLatch(1);
            supervisor.register("ticker", ctx -> {
                ticking.countDown();
                ctx.awaitCancellation();
            });
            supervisor.register("crasher", ctx -> {
                throw new IllegalStateException("boom");
            }, ProcessOption.withRestart(RestartPolicy.ALWAYS, 1, Duration.ZERO));
            SupervisorJmx jmx = SupervisorJmx.register(supervisor);
            supervisorName = jmx.supervisorObjectName();
            ticker = jmx.processObjectName("ticker");
            assertEquals("org.simplevisor:type=Process,context=plain-java,name=ticker", ticker.toString());
            server.addNotificationListener(supervisorName, alert, null, null);

            supervisor.run();
            assertTrue(ticking.await(10, TimeUnit.SECONDS));
            assertTrue(limitExceeded.await(10, TimeUnit.SECONDS), "the restart-limit alert over JMX");
            assertEquals("RUNNING", server.getAttribute(ticker, "Status"));
            assertEquals(2, server.getAttribute(supervisorName, "ProcessCount"));
            assertEquals(ProcessStatus.FAILED, supervisor.status("crasher"));
            assertEquals(2L, supervisor.snapshot("crasher").totalCrashes());

            server.invoke(ticker, "stop", null, null);
            assertTrue(awaitStatus(supervisor, "ticker", ProcessStatus.STOPPED), "stopped over JMX");
        }
        assertFalse(server.isRegistered(ticker), "unregistered on shutdown");
        assertFalse(server.isRegistered(supervisorName));
    }

    /** Waits on the supervisor's own event stream rather than polling. */
    private static boolean awaitStatus(Supervisor supervisor, String process, ProcessStatus status)
            throws InterruptedException {
        CountDownLatch reached = new CountDownLatch(1);
        supervisor.addListener(event -> {
            if (process.equals(event.processName()) && event.snapshot().status() == status) {
                reached.countDown();
            }
        });
        return supervisor.status(process) == status || reached.await(10, TimeUnit.SECONDS);
    }
}
