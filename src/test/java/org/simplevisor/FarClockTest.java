package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * A supervisor given a clock of its own measures durations (heartbeats, health, the restart window) on that clock,
 * from its time when the supervisor was built: a clock far from today, such as a fixed test clock in 2300, must not
 * overflow a long of nanoseconds since the epoch (about 1677 to 2262) and keep every run from starting. The JDK's
 * system clocks, in whatever zone, are the default's wall clock: with them it measures with {@link System#nanoTime()}.
 */
class FarClockTest {

    /**
     * A system clock in the default zone (what an application passes to be explicit) or any other counted as a clock
     * of its own: lease deadlines and heartbeats followed the wall clock, so that an NTP step back extended them.
     */
    @Test
    void theJdksSystemClocksInAnyZoneMeasureWithNanoTime() {
        for (Clock system : List.of(Clock.systemUTC(), Clock.systemDefaultZone(), Clock.system(ZoneId.of("Asia/Tokyo")),
                Clock.systemUTC().withZone(ZoneId.of("Europe/Paris")))) {
            LongSupplier ticker = Supervisor.tickerOf(system);
            long before = System.nanoTime();
            long measured = ticker.getAsLong();
            long after = System.nanoTime();
            assertThat(measured).as("%s", system).isBetween(before, after);
        }
        Clock fixed = Clock.fixed(Instant.parse("2300-01-01T00:00:00Z"), ZoneOffset.UTC);
        assertThat(Supervisor.tickerOf(fixed).getAsLong()).as("a clock of its own, from its time at the start")
                .isZero();
    }

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
