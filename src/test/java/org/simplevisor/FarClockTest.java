package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A supervisor given a clock of its own measures durations (heartbeats, health, the restart window) on that clock,
 * from its time when the supervisor was built: a clock far from today, such as a fixed test clock in 2300, must not
 * overflow a long of nanoseconds since the epoch (about 1677 to 2262) and keep every run from starting.
 */
class FarClockTest {

    @Test
    void aRunStartsUnderAClockSetAfter2262() throws Exception {
        Supervisor supervisor = Supervisor.builder().name("far")
                .clock(Clock.fixed(Instant.parse("2300-01-01T00:00:00Z"), ZoneOffset.UTC))
                .shutdownTimeout(Duration.ofSeconds(2)).build();
        try {
            CountDownLatch ran = new CountDownLatch(1);
            supervisor.register("p", ctx -> {
                ran.countDown();
                ctx.awaitCancellation();
            });
            supervisor.run();
            assertThat(ran.await(5, TimeUnit.SECONDS)).as("the run began").isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> supervisor.isRunning("p"));
        } finally {
            supervisor.shutdown();
        }
    }
}
