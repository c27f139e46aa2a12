package org.simplevisor.benchmarks;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.ProcessStatus;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;

/**
 * Issue 6, measurement 3: the queries {@code isRunning}, {@code status}, {@code snapshot}, and a JMX
 * {@code getAttribute("Status")} on the process's MBean through the platform MBean server. The supervisor has meters
 * and MBeans (as in a container) and 100 processes. Param {@code background}: {@code idle} queries a process that
 * waits for cancellation; {@code restart-storm} queries a process that crashes and is restarted with zero delay the
 * whole time (so every query races a restart of that very process: a query that took the lock a restart holds would
 * show it). {@link #mapLookup} is the floor: a {@code ConcurrentHashMap.get} of a name.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Benchmark)
public class QueryBenchmark {

    /** Processes besides the one queried, so that the name lookup is not in a one-entry map. */
    static final int OTHER_PROCESSES = 100;

    /** {@code idle} or {@code restart-storm}. */
    @Param({"idle", "restart-storm"})
    public String background;

    private Observed observed;
    private Supervisor supervisor;
    private String queried;
    private ObjectName mbean;
    private final ConcurrentHashMap<String, Object> map = new ConcurrentHashMap<>();
    private final CrashLoop crashLoop = new CrashLoop();

    @Setup(Level.Trial)
    public void start() throws InterruptedException {
        supervisor = Supervisor.builder().name(Observed.uniqueName("query")).build();
        CountDownLatch running = new CountDownLatch(OTHER_PROCESSES + 1);
        for (int i = 0; i < OTHER_PROCESSES; i++) {
            supervisor.register("worker-" + i, ctx -> {
                running.countDown();
                ctx.awaitCancellation();
            });
            map.put("worker-" + i, Boolean.TRUE);
        }
        supervisor.register("idle", ctx -> {
            running.countDown();
            ctx.awaitCancellation();
        });
        supervisor.register("crasher", ctx -> crashLoop.run(),
                ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 0, Duration.ZERO));
        observed = new Observed(supervisor, Observed.Observers.ALL);
        queried = background.equals("idle") ? "idle" : "crasher";
        map.put(queried, Boolean.TRUE);
        mbean = observed.jmx.processObjectName(queried);
        if (!background.equals("restart-storm")) {
            crashLoop.stop(); // completes at once: STOPPED, never restarted
        }
        supervisor.run();
        if (!running.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("processes did not start");
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        crashLoop.stop();
        observed.close();
    }

    @Benchmark
    public boolean isRunning() {
        return supervisor.isRunning(queried);
    }

    @Benchmark
    public ProcessStatus status() {
        return supervisor.status(queried);
    }

    @Benchmark
    public ProcessSnapshot snapshot() {
        return supervisor.snapshot(queried);
    }

    @Benchmark
    public Object jmxGetAttribute() throws Exception {
        return observed.server.getAttribute(mbean, "Status");
    }

    @Benchmark
    public Object mapLookup() {
        return map.get(queried);
    }
}
