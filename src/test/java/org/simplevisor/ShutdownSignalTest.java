package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.ShutdownSignalWaiter;

/** {@link Supervisor#awaitShutdownSignal(Runnable)}: a real SIGTERM to a child JVM, and shutdown() in process. */
class ShutdownSignalTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path workDir;

    private Process child;

    @AfterEach
    void killChild() {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
        }
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    private static long count(List<String> lines, String line) {
        return lines.stream().filter(l -> l.trim().equals(line)).count();
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void sigtermCancelsTheProcessesAndRunsTheTeardownOnce() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Output goes to files: Process.destroy() closes the pipes of the child's streams, and what the child
        // prints while it stops would be lost.
        Path out = Files.createTempFile(workDir, "signal-demo", ".out");
        Path err = Files.createTempFile(workDir, "signal-demo", ".err");
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SignalDemo.class.getName()).redirectOutput(out.toFile()).redirectError(err.toFile());
        child = builder.start();

        await().atMost(WAIT).until(() -> count(lines(out), "ready") == 1 || !child.isAlive());
        assertThat(child.isAlive()).as("the child runs; stdout %s, stderr %s", lines(out), lines(err)).isTrue();
        child.destroy(); // SIGTERM on Linux and macOS
        assertThat(child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the child exits in time").isTrue();

        List<String> printed = lines(out);
        assertThat(count(printed, "ready")).isEqualTo(1);
        assertThat(count(printed, "cancelled")).as("stdout %s, stderr %s", printed, lines(err)).isEqualTo(1);
        assertThat(count(printed, "teardown")).as("stdout %s, stderr %s", printed, lines(err)).isEqualTo(1);
        assertThat(printed.indexOf("teardown")).as("teardown after the cancellation")
                .isGreaterThan(printed.indexOf("cancelled"));
        assertThat(child.exitValue()).as("killed by SIGTERM: 128 + 15").isEqualTo(143);
    }

    @Test
    void awaitShutdownSignalReturnsAfterShutdownOnAnotherThreadAndRunsTheTeardownOnce() throws Exception {
        RecordingListener events = new RecordingListener();
        Supervisor supervisor = Supervisor.builder().listener(events).build();
        try {
            AtomicReference<ProcessContext> context = new AtomicReference<>();
            supervisor.register("waited", ctx -> {
                context.set(ctx);
                ctx.awaitCancellation();
            });
            supervisor.run();
            events.await("waited", SupervisorEvent.Type.STARTED);

            AtomicInteger teardowns = new AtomicInteger();
            AtomicReference<Boolean> terminatedAtTeardown = new AtomicReference<>();
            CountDownLatch returned = new CountDownLatch(1);
            Thread waiter = new Thread(() -> {
                supervisor.awaitShutdownSignal(() -> {
                    terminatedAtTeardown.set(supervisor.isTerminated());
                    teardowns.incrementAndGet();
                });
                returned.countDown();
            }, "waiter");
            waiter.start();
            await().atMost(WAIT).until(() -> waiter.getState() == Thread.State.WAITING);
            assertThat(returned.getCount()).as("still waiting for a signal").isEqualTo(1);

            Thread stopper = new Thread(supervisor::shutdown, "stopper");
            stopper.start();
            assertThat(returned.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            stopper.join(WAIT.toMillis());

            assertThat(teardowns.get()).isEqualTo(1);
            assertThat(terminatedAtTeardown.get()).as("the teardown runs after the shutdown").isTrue();
            assertThat(context.get().isCancelled()).isTrue();
            assertThat(supervisor.status("waited")).isEqualTo(ProcessStatus.STOPPED);
            supervisor.shutdown();
            assertThat(teardowns.get()).isEqualTo(1);
        } finally {
            supervisor.shutdown();
        }
    }

    @Test
    void anInterruptOfTheWaitingThreadCountsAsASignal() throws Exception {
        RecordingListener events = new RecordingListener();
        Supervisor supervisor = Supervisor.builder().listener(events).build();
        try {
            supervisor.register("interrupted-wait", ProcessContext::awaitCancellation);
            supervisor.run();
            events.await("interrupted-wait", SupervisorEvent.Type.STARTED);
            ShutdownSignalWaiter waiter = ShutdownSignalWaiter.waitingFor(supervisor);

            waiter.thread().interrupt();
            waiter.thread().join(WAIT.toMillis());
            assertThat(waiter.thread().isAlive()).isFalse();
            assertThat(supervisor.isTerminated()).isTrue();
            assertThat(waiter.teardowns()).isEqualTo(1);
            assertThat(supervisor.status("interrupted-wait")).isEqualTo(ProcessStatus.STOPPED);
        } finally {
            supervisor.shutdown();
        }
    }
}
