package org.simplevisor.benchmarks;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.simplevisor.ProcessOption;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.testing.DaemonThreads;

/**
 * Issue 6, measurement 1: the restart path. A process that fails at once ({@link CrashLoop}) is restarted with zero
 * delay, for ever; the score is restarts (runs) per second. The same task runs under:
 * <ul>
 * <li>{@link #simplevisor}: a {@link Supervisor} with {@code ON_FAILURE}, unlimited restarts, zero delay, on its
 *     default platform threads; params {@code observers} ({@code jmx+metrics}: MBeans, notifications and the meters
 *     as MBeans, the container default; {@code none}: logging only) and {@code logging}
 *     ({@code info}: Log4j at its default level, each crash logged at ERROR with its stack trace; {@code off});</li>
 * <li>{@link #bareRetryLoop}: {@code try/catch} in a loop on one thread, the physical limit;</li>
 * <li>{@link #executorResubmit}: the failed task resubmits itself to a cached thread pool (the kind of executor the
 *     supervisor uses by default);</li>
 * <li>{@link #failsafe}: Failsafe 3.3.2, a {@code RetryPolicy} with unlimited retries and no delay, synchronous on
 *     one thread; {@link #failsafeAsync}: the same, {@code runAsync} on a cached thread pool.</li>
 * </ul>
 * Secondary results {@code threadCpuNanos} and {@code processCpuNanos} are CPU nanoseconds per second (of the Java
 * threads, by ThreadMXBean; of the whole process, GC and JIT included): divided by the score they give the CPU time
 * per restart.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2) // the supervisor's rate takes some 6 s of JIT warm-up to settle
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class RestartPathBenchmark {

    /** Restarts the benchmark thread waits for per invocation. */
    static final int BATCH = 200;

    /** A crash loop under test: started at the trial's start, stopped at its end. */
    public abstract static class Loop {
        final CrashLoop loop = new CrashLoop();

        abstract void start() throws Exception;

        abstract void stop() throws Exception;

        @Setup(Level.Trial)
        public void startLoop() throws Exception {
            start();
        }

        @Setup(Level.Iteration)
        public void newIteration() {
            loop.resetTarget();
        }

        @TearDown(Level.Trial)
        public void stopLoop() throws Exception {
            loop.stop();
            stop();
        }
    }

    /** The supervisor under test. */
    @State(Scope.Benchmark)
    public static class SupervisedLoop extends Loop {
        /** {@code jmx+metrics} or {@code none}. */
        @Param({"jmx+metrics", "none"})
        public String observers;
        /** {@code info} (the default level) or {@code off}. */
        @Param({"info", "off"})
        public String logging;

        private Observed observed;
        private org.apache.logging.log4j.Level levelBefore;

        @Override
        void start() {
            levelBefore = LogManager.getLogger("org.simplevisor").getLevel();
            if (logging.equals("off")) {
                Configurator.setLevel("org.simplevisor", org.apache.logging.log4j.Level.OFF);
            }
            Supervisor supervisor = Supervisor.builder().name(Observed.uniqueName("restart")).build();
            supervisor.register("crasher", ctx -> loop.run(),
                    ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
            observed = new Observed(supervisor, Observed.Observers.parse(observers));
            supervisor.run();
        }

        @Override
        void stop() {
            observed.close();
            Configurator.setLevel("org.simplevisor", levelBefore);
        }
    }

    /** Retry in a loop on one thread: the limit. */
    @State(Scope.Benchmark)
    public static class BareLoop extends Loop {
        private Thread thread;

        @Override
        void start() {
            thread = new Thread(() -> {
                while (!loop.isStopped()) {
                    try {
                        loop.run();
                    } catch (RuntimeException retry) {
                        // retried at once
                    }
                }
            }, "bare-retry-loop");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        void stop() throws InterruptedException {
            thread.join(10_000);
        }
    }

    /** The failed task resubmits itself to a cached thread pool. */
    @State(Scope.Benchmark)
    public static class ResubmitLoop extends Loop {
        private ExecutorService executor;

        @Override
        void start() {
            executor = Executors.newCachedThreadPool(DaemonThreads.named("resubmit-"));
            executor.execute(new Runnable() {
                @Override
                public void run() {
                    try {
                        loop.run();
                    } catch (RuntimeException failed) {
                        if (!loop.isStopped()) {
                            executor.execute(this);
                        }
                    }
                }
            });
        }

        @Override
        void stop() throws InterruptedException {
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Failsafe retrying for ever, synchronously on one thread. */
    @State(Scope.Benchmark)
    public static class FailsafeLoop extends Loop {
        private Thread thread;

        @Override
        void start() {
            RetryPolicy<Object> forever = RetryPolicy.builder().handle(RuntimeException.class).withMaxRetries(-1)
                    .build();
            thread = new Thread(() -> Failsafe.with(forever).run(loop::run), "failsafe-sync");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        void stop() throws InterruptedException {
            thread.join(10_000);
        }
    }

    /** Failsafe retrying for ever, asynchronously on a cached thread pool. */
    @State(Scope.Benchmark)
    public static class FailsafeAsyncLoop extends Loop {
        private ExecutorService executor;
        private CompletableFuture<Void> future;

        @Override
        void start() {
            executor = Executors.newCachedThreadPool(DaemonThreads.named("failsafe-async-"));
            RetryPolicy<Object> forever = RetryPolicy.builder().handle(RuntimeException.class).withMaxRetries(-1)
                    .build();
            future = Failsafe.with(forever).with(executor).runAsync(loop::run);
        }

        @Override
        void stop() throws Exception {
            future.get(10, TimeUnit.SECONDS);
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** CPU time spent during the iteration, reported per second next to the score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Cpu {
        /** CPU ns of the Java threads (ThreadMXBean) during the iteration; per second in the results. */
        public long threadCpuNanos;
        /** CPU ns of the whole process (GC, JIT included) during the iteration; per second in the results. */
        public long processCpuNanos;
        private long threadStart;
        private long processStart;

        @Setup(Level.Iteration)
        public void start() {
            threadCpuNanos = 0;
            processCpuNanos = 0;
            threadStart = CpuTime.javaThreadsNanos();
            processStart = CpuTime.processNanos();
        }

        void update() {
            threadCpuNanos = CpuTime.javaThreadsNanos() - threadStart;
            processCpuNanos = CpuTime.processNanos() - processStart;
        }
    }

    private static void batch(Loop state, Cpu cpu) {
        state.loop.awaitBatch(BATCH);
        cpu.update();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void simplevisor(SupervisedLoop state, Cpu cpu) {
        batch(state, cpu);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void bareRetryLoop(BareLoop state, Cpu cpu) {
        batch(state, cpu);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void executorResubmit(ResubmitLoop state, Cpu cpu) {
        batch(state, cpu);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void failsafe(FailsafeLoop state, Cpu cpu) {
        batch(state, cpu);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void failsafeAsync(FailsafeAsyncLoop state, Cpu cpu) {
        batch(state, cpu);
    }
}
