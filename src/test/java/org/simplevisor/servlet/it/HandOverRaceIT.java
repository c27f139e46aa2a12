package org.simplevisor.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.simplevisor.servlet.it.app.CountedFailure;
import org.simplevisor.servlet.it.app.CountedTicker;

/**
 * Operators' {@code restart()}, {@code stop()} and {@code start()} over JMX, one after another and racing one
 * another, on a web application whose runs go to a container's executor that refuses an interrupted caller
 * ({@link InterruptSensitiveExecutor}): every run the supervisor hands over is taken, none runs twice, none runs
 * unknown to the supervisor, and the statuses match what runs.
 */
@ExtendWith({ArquillianExtension.class, InContainerFixture.class})
@RunAsClient
class HandOverRaceIT {

    private static final String CONTEXT = "/hand-over-race";
    private static final String TICKER = "ticker";
    private static final String FAILING = "failing";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();
    @RegisterExtension
    static final SharedContainerExecutor<InterruptSensitiveExecutor> CONTAINER_EXECUTOR =
            new SharedContainerExecutor<>(InterruptSensitiveExecutor::new);

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = "hand-over-race", managed = false, testable = false)
    static WebArchive war() {
        return Wars.war("hand-over-race", Wars.webXml(false,
                        "simplevisor.executor", "concurrent/ItExecutor",
                        "simplevisor.process." + TICKER + ".class", CountedTicker.class.getName(),
                        "simplevisor.process." + FAILING + ".class", CountedFailure.class.getName()),
                        CountedTicker.class, CountedFailure.class)
                .addAsManifestResource(Wars.contextXmlWithExecutor("concurrent/ItExecutor"), "context.xml");
    }

    @Test
    void restartingARunningProcessStartsOneNewRunEveryTime() throws Exception {
        deployer.deploy("hand-over-race");
        try {
            awaitStatus(TICKER, "RUNNING", 1);
            for (int i = 1; i <= 25; i++) {
                long starts = totalStarts(TICKER);
                invoke(TICKER, "restart");
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(totalStarts(TICKER)).isEqualTo(starts + 1);
                    assertThat(status(TICKER)).isEqualTo("RUNNING");
                    assertThat(ItJournal.running(TICKER)).isEqualTo(1);
                });
                assertThat(ItJournal.count("run:" + TICKER)).isEqualTo(totalStarts(TICKER));
            }
        } finally {
            deployer.undeploy("hand-over-race");
        }
        assertEveryRunEndedOnceAndNoneOverlapped();
    }

    @Test
    void racingOperationsLeaveStatusesThatMatchWhatRuns() throws Exception {
        deployer.deploy("hand-over-race");
        try {
            awaitStatus(TICKER, "RUNNING", 1);
            awaitStatus(FAILING, "FAILED", 0);
            ExecutorService operators = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int operator = 0; operator < 4; operator++) {
                    done.add(operators.submit(() -> {
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        for (int i = 0; i < 150; i++) {
                            invoke(random.nextBoolean() ? TICKER : FAILING,
                                    List.of("restart", "stop", "start").get(random.nextInt(3)));
                        }
                        return null;
                    }));
                }
                for (Future<?> operator : done) {
                    operator.get(2, TimeUnit.MINUTES);
                }
            } finally {
                operators.shutdownNow();
            }
            // Settled: each status is what runs, and every run the supervisor counted is one that began.
            for (int round = 0; round < 3; round++) {
                invoke(TICKER, "stop");
                awaitStatus(TICKER, "STOPPED", 0);
                invoke(TICKER, "start");
                awaitStatus(TICKER, "RUNNING", 1);
                invoke(FAILING, "restart");
                awaitStatus(FAILING, "FAILED", 0);
                for (String process : List.of(TICKER, FAILING)) {
                    long starts = totalStarts(process);
                    assertThat(ItJournal.count("run:" + process)).as("runs of %s", process).isEqualTo(starts);
                }
            }
        } finally {
            deployer.undeploy("hand-over-race");
        }
        assertEveryRunEndedOnceAndNoneOverlapped();
    }

    private static void assertEveryRunEndedOnceAndNoneOverlapped() {
        for (String process : List.of(TICKER, FAILING)) {
            assertThat(ItJournal.running(process)).as("runs of %s on a thread after undeploy", process).isZero();
            assertThat(ItJournal.count("end:" + process)).isEqualTo(ItJournal.count("run:" + process));
            assertThat(ItJournal.count("overlap:" + process)).as("runs of %s at once", process).isZero();
        }
        assertThat(ItJournal.entries()).filteredOn(e -> e.startsWith("final:" + CONTEXT + ":"))
                .allMatch(e -> e.contains(" STOPPED ") || e.contains(" FAILED "));
        Leaks.assertNothingLeft(CONTEXT);
    }

    private static void awaitStatus(String process, String status, int onAThread) {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(status(process)).as("status of %s", process).isEqualTo(status);
            assertThat(ItJournal.running(process)).as("runs of %s on a thread", process).isEqualTo(onAThread);
        });
    }

    private static ObjectName mbean(String process) throws JMException {
        return new ObjectName("org.simplevisor:type=Process,context=" + CONTEXT + ",name=" + process);
    }

    private static void invoke(String process, String operation) throws JMException {
        SERVER.invoke(mbean(process), operation, null, null);
    }

    private static String status(String process) throws JMException {
        return (String) SERVER.getAttribute(mbean(process), "Status");
    }

    private static long totalStarts(String process) throws JMException {
        return (Long) SERVER.getAttribute(mbean(process), "TotalStarts");
    }
}
