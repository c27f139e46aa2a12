package org.simplevisor;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A child-JVM program for {@link ShutdownSignalTest}: a supervisor with one blocking process, waiting for a
 * shutdown signal. It prints one line per step on standard output: {@code ready} once the process runs and the
 * main thread waits in {@link Supervisor#awaitShutdownSignal(Runnable)} (so that its shutdown hook is installed),
 * {@code cancelled} when the process sees its cancellation, {@code teardown} from the teardown.
 */
public final class SignalDemo {

    private SignalDemo() {
    }

    public static void main(String[] args) throws Exception {
        Thread main = Thread.currentThread();
        CountDownLatch running = new CountDownLatch(1);
        Supervisor supervisor = Supervisor.builder().name("signal-demo").shutdownTimeout(Duration.ofSeconds(10))
                .build();
        supervisor.register("blocker", ctx -> {
            running.countDown();
            ctx.awaitCancellation();
            say("cancelled");
        });
        supervisor.run();

        Thread announcer = new Thread(() -> {
            try {
                running.await();
                while (!waitsForTheSignal(main)) {
                    TimeUnit.MILLISECONDS.sleep(5); // a poll in the child program, not in a test
                }
                say("ready");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "announcer");
        announcer.setDaemon(true);
        announcer.start();

        supervisor.awaitShutdownSignal(() -> say("teardown"));
    }

    /** @return whether {@code thread} is parked inside awaitShutdownSignal, its hook installed */
    private static boolean waitsForTheSignal(Thread thread) {
        return thread.getState() == Thread.State.WAITING && Arrays.stream(thread.getStackTrace())
                .anyMatch(frame -> frame.getMethodName().equals("awaitShutdownSignal"));
    }

    private static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
