package org.simplevisor.benchmarks;

import com.google.common.util.concurrent.AbstractExecutionThreadService;
import com.google.common.util.concurrent.Service;
import com.google.common.util.concurrent.ServiceManager;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.simplevisor.ProcessStatus;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;

/**
 * Issue 6, measurement 2: scale. N processes that wait for cancellation, under a {@link Supervisor} (with the meters
 * as MBeans, as in a container by default, and MBeans, unless told otherwise) or under Guava's {@link ServiceManager}
 * with N {@link AbstractExecutionThreadService}s doing the same; on platform threads or virtual threads (Java 21+:
 * the supervisor's {@code virtualThreads(true)}, and for Guava an {@code executor()} that starts a virtual thread).
 * One configuration per JVM (run {@link #main}); the {@link BenchmarkReport} starts one JVM per configuration and
 * repetition.
 *
 * <p>Figures: <b>register</b> (build, register N processes with their meters and MBeans; Guava: build N services
 * and the ServiceManager), <b>start</b> ({@code run()} until every process is RUNNING; Guava: {@code startAsync()}
 * and {@code awaitHealthy()}), <b>events</b> ({@code run()} until the last observer has had every STARTED event: the
 * meters counted and the notifications queued), <b>heap per process</b> (the live bytes a full GC leaves, by class
 * histogram, after minus before, over N, thread stacks excluded: platform stacks are not on the heap, and the
 * {@code jdk.internal.vm.StackChunk}s of parked virtual threads are subtracted) and <b>stop</b>
 * ({@code shutdown()} until it returns, every process STOPPED, the threads joined, the MBeans unregistered; Guava:
 * {@code stopAsync()} and {@code awaitStopped()}), <b>threads ended</b> (stop until every thread the system started
 * has ended: the supervisor's {@code shutdown()} joins its threads, Guava's {@code awaitStopped()} does not, so its
 * threads are joined after it, as a web application must before undeploy) and <b>last run returned</b> (stop until
 * the last process body returned), and <b>CPU until threads ended</b> (the whole JVM's CPU time, GC and JIT included,
 * from stop until threads ended; the operating system counts it in 10 ms ticks), and <b>runs interrupted</b> (how many
 * process bodies the stop interrupted: a run waiting for its cancellation is woken without one).
 *
 * <p>A configuration can also be run several times in one JVM (after unmeasured runs of the same size): at
 * thousands of platform threads one JVM per run varies by a third, too much to see a change of that size.
 */
public final class ScaleBenchmark {

    /** What to run. */
    record Config(String system, String threads, int n, Observed.Observers observers) {
        boolean virtual() {
            return threads.equals("virtual");
        }

        String label() {
            return system + (system.equals("simplevisor") ? "[" + observers.name().toLowerCase(Locale.ROOT) + "]" : "")
                    + " " + threads + " N=" + n;
        }
    }

    /** What one run measured. Times in milliseconds; heap in bytes per process. */
    record Result(Config config, double registerMs, double startMs, double eventsMs, double stopMs,
            double endedMs, double joinedMs, double joinedCpuMs, double heapPerProcess, double stackChunkPerProcess,
            double interruptedRuns, boolean allStopped, List<String> topClasses) {

        String line() {
            return String.format(Locale.ROOT, "RESULT system=%s threads=%s n=%d observers=%s registerMs=%.3f "
                            + "startMs=%.3f eventsMs=%.3f stopMs=%.3f endedMs=%.3f joinedMs=%.3f joinedCpuMs=%.3f "
                            + "heapPerProcess=%.1f stackChunkPerProcess=%.1f interruptedRuns=%.0f allStopped=%s",
                    config.system, config.threads, config.n, config.observers.name().toLowerCase(Locale.ROOT),
                    registerMs, startMs, eventsMs, stopMs, endedMs, joinedMs, joinedCpuMs, heapPerProcess,
                    stackChunkPerProcess, interruptedRuns, allStopped);
        }

        static Result parse(String line, List<String> classes) {
            Map<String, String> v = new HashMap<>();
            for (String part : line.substring("RESULT ".length()).split(" ")) {
                int eq = part.indexOf('=');
                v.put(part.substring(0, eq), part.substring(eq + 1));
            }
            Config config = new Config(v.get("system"), v.get("threads"), Integer.parseInt(v.get("n")),
                    Observed.Observers.valueOf(v.get("observers").toUpperCase(Locale.ROOT)));
            return new Result(config, d(v, "registerMs"), d(v, "startMs"), d(v, "eventsMs"), d(v, "stopMs"),
                    d(v, "endedMs"), d(v, "joinedMs"), d(v, "joinedCpuMs"), d(v, "heapPerProcess"),
                    d(v, "stackChunkPerProcess"), d(v, "interruptedRuns"),
                    Boolean.parseBoolean(v.get("allStopped")), classes);
        }

        private static double d(Map<String, String> v, String key) {
            return Double.parseDouble(v.get(key));
        }
    }

    private static final long TIMEOUT_SECONDS = 300;
    /** Unmeasured runs at full size before the measured ones, when a configuration is measured several times. */
    private static final int FULL_SIZE_WARMUPS = 3;
    private static final String STACK_CHUNK = "jdk.internal.vm.StackChunk";

    private ScaleBenchmark() {
    }

    /**
     * Runs one configuration and prints a {@code RESULT} line per measured run, then the classes that take the
     * most heap per process in the last one ({@code CLASS bytes instances name}; as many as
     * {@code -DtopClasses=N} says, 15 by default).
     *
     * @param args system ({@code simplevisor}, {@code guava}, {@code threads}), threads ({@code platform},
     *             {@code virtual}), N, for the supervisor the observers ({@code all}, {@code none}, {@code metrics},
     *             {@code jmx}, {@code metrics-simple}, {@code jmx-metrics-simple}), and how many runs to measure
     *             (default 1; more than one are preceded by {@value #FULL_SIZE_WARMUPS} unmeasured runs of the same
     *             size)
     */
    public static void main(String[] args) throws Exception {
        Config config = new Config(args[0], args[1], Integer.parseInt(args[2]),
                Observed.Observers.parse(args.length > 3 ? args[3] : "all"));
        int measured = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        // A small run first, so that classes are loaded and the hot code compiled before the measured one.
        run(new Config(config.system, config.threads, Math.min(config.n, 200), config.observers));
        for (int i = 0; measured > 1 && i < FULL_SIZE_WARMUPS; i++) {
            run(config);
        }
        Result result = null;
        for (int i = 0; i < measured; i++) {
            result = run(config);
            System.out.println(result.line());
        }
        result.topClasses.forEach(c -> System.out.println("CLASS " + c));
        System.exit(0);
    }

    /** Runs one configuration in this JVM. */
    static Result run(Config config) throws Exception {
        switch (config.system) {
            case "guava":
                return runGuava(config);
            case "threads":
                return runBareThreads(config);
            default:
                return runSupervisor(config);
        }
    }

    // ---------------------------------------------------------------- the limit: bare threads

    /**
     * The physical limit on this machine: start N threads that each wait on a latch of their own, then release them
     * one by one (as a supervisor cancels its processes) and join them. No supervision, no names, no events: what
     * any supervisor of N thread-bound processes pays at least. (One latch shared by all would understate the
     * limit: its release wakes the waiters one after the other, each woken thread waking the next.)
     */
    private static Result runBareThreads(Config config) throws Exception {
        int n = config.n;
        ThreadFactory factory = config.virtual() ? virtualThreadFactory() : Thread::new;
        String before = histogram();
        CountDownLatch running = new CountDownLatch(n);
        List<CountDownLatch> releases = new ArrayList<>(n);
        Ends ended = new Ends();
        List<Thread> threads = new ArrayList<>(n);
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            CountDownLatch release = new CountDownLatch(1);
            Thread thread = factory.newThread(() -> {
                running.countDown();
                try {
                    ended.markAfter(release::await);
                } catch (InterruptedException e) {
                    // marked: the thread ends
                }
            });
            thread.start();
            releases.add(release);
            threads.add(thread);
        }
        await(running, "all threads running");
        long t2 = System.nanoTime();
        String after = histogram();
        long c4 = CpuTime.processNanos();
        long t4 = System.nanoTime();
        releases.forEach(CountDownLatch::countDown);
        joinAll(threads);
        long t5 = System.nanoTime();
        long cpu = CpuTime.processNanos() - c4;
        return result(config, 0, t2 - t1, t2 - t1, t5 - t4, ended.last.get() - t4, t5 - t4, cpu, ended, before, after,
                true);
    }

    // ---------------------------------------------------------------- simplevisor

    private static Result runSupervisor(Config config) throws Exception {
        int n = config.n;
        String before = histogram();
        CountDownLatch running = new CountDownLatch(n);
        CountDownLatch startedEvents = new CountDownLatch(n);
        Ends ended = new Ends();

        long t0 = System.nanoTime();
        Supervisor supervisor = Supervisor.builder().name(Observed.uniqueName("scale"))
                .shutdownTimeout(Duration.ofSeconds(TIMEOUT_SECONDS)).virtualThreads(config.virtual()).build();
        for (int i = 0; i < n; i++) {
            supervisor.register("p" + i, ctx -> {
                running.countDown();
                ended.markAfter(ctx::awaitCancellation);
            });
        }
        Observed observed = new Observed(supervisor, config.observers);
        supervisor.addListener(event -> { // last: when it has an event, every observer has had it
            if (event.type() == SupervisorEvent.Type.STARTED) {
                startedEvents.countDown();
            }
        });
        long t1 = System.nanoTime();
        supervisor.run();
        await(running, "all RUNNING");
        long t2 = System.nanoTime();
        await(startedEvents, "every STARTED event delivered");
        long t3 = System.nanoTime();

        String after = histogram();
        long c4 = CpuTime.processNanos();
        long t4 = System.nanoTime();
        supervisor.shutdown();
        long t5 = System.nanoTime();
        long cpu = CpuTime.processNanos() - c4;
        long endedAt = ended.count.get() == n ? ended.last.get() : t5; // when the last run returned
        boolean allStopped = true;
        for (String name : supervisor.processNames()) {
            allStopped &= supervisor.status(name) == ProcessStatus.STOPPED;
        }
        observed.close();
        return result(config, t1 - t0, t2 - t1, t3 - t1, t5 - t4, endedAt - t4, t5 - t4, cpu, ended, before, after,
                allStopped);
    }

    // ---------------------------------------------------------------- Guava

    /** Waits for cancellation, as the supervised processes do. */
    static final class WaitingService extends AbstractExecutionThreadService {
        private final CountDownLatch stop = new CountDownLatch(1);
        private final String name;
        private final ThreadFactory threads;
        private final List<Thread> started;
        private final Ends ended;

        WaitingService(String name, ThreadFactory threads, List<Thread> started, Ends ended) {
            this.name = name;
            this.threads = threads;
            this.started = started;
            this.ended = ended;
        }

        @Override
        protected void run() throws InterruptedException {
            ended.markAfter(stop::await);
        }

        @Override
        protected void triggerShutdown() {
            stop.countDown();
        }

        @Override
        protected String serviceName() {
            return name;
        }

        /** As Guava's default: a new thread per service, named after it; remembered, to be joined. */
        @Override
        protected Executor executor() {
            return task -> {
                Thread thread = threads.newThread(task);
                thread.setName(name);
                started.add(thread);
                thread.start();
            };
        }
    }

    private static Result runGuava(Config config) throws Exception {
        int n = config.n;
        ThreadFactory factory = config.virtual() ? virtualThreadFactory() : Thread::new;
        List<Thread> threads = Collections.synchronizedList(new ArrayList<>(n));
        String before = histogram();
        Ends ended = new Ends();

        long t0 = System.nanoTime();
        List<Service> services = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            services.add(new WaitingService("p" + i, factory, threads, ended));
        }
        ServiceManager manager = new ServiceManager(services);
        long t1 = System.nanoTime();
        manager.startAsync().awaitHealthy(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long t2 = System.nanoTime();

        String after = histogram();
        long c4 = CpuTime.processNanos();
        long t4 = System.nanoTime();
        manager.stopAsync().awaitStopped(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long t5 = System.nanoTime();
        joinAll(threads);
        long t6 = System.nanoTime();
        long cpu = CpuTime.processNanos() - c4;
        long endedAt = ended.count.get() == n ? ended.last.get() : t5; // when the last run returned
        boolean allStopped = manager.servicesByState().keySet().stream().allMatch(s -> s == Service.State.TERMINATED);
        return result(config, t1 - t0, t2 - t1, t2 - t1, t5 - t4, endedAt - t4, t6 - t4, cpu, ended, before, after,
                allStopped);
    }

    /** Virtual threads (Java 21+), by reflection: the test sources are Java 17. */
    static ThreadFactory virtualThreadFactory() throws ReflectiveOperationException {
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        return (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
    }

    // ---------------------------------------------------------------- measuring

    /** When the last of the runs returned, and how many of them had been interrupted. */
    static final class Ends {
        final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger interrupted = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong();

        /** A run's wait: it returns, or throws when interrupted. */
        interface Wait {
            void await() throws InterruptedException;
        }

        /** Waits, then marks the run's end; an {@link InterruptedException} of the wait is marked and passed on. */
        void markAfter(Wait wait) throws InterruptedException {
            boolean threw = false;
            try {
                wait.await();
            } catch (InterruptedException e) {
                threw = true;
                throw e;
            } finally {
                mark(threw);
            }
        }

        /**
         * @param threw whether the run's wait threw an InterruptedException; a run that returned with its interrupt
         *              status set was interrupted too
         */
        private void mark(boolean threw) {
            if (threw || Thread.currentThread().isInterrupted()) {
                interrupted.incrementAndGet();
            }
            last.accumulateAndGet(System.nanoTime(), Math::max);
            count.incrementAndGet();
        }
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException, TimeoutException {
        if (!latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new TimeoutException(what + ": still " + latch.getCount() + " to go after " + TIMEOUT_SECONDS + " s");
        }
    }

    private static void joinAll(List<Thread> threads) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (thread.isAlive()) {
                throw new TimeoutException(thread + " still alive after " + TIMEOUT_SECONDS + " s");
            }
        }
    }

    private static Result result(Config config, long registerNs, long startNs, long eventsNs, long stopNs,
            long endedNs, long joinedNs, long joinedCpuNs, Ends ends, String histogramBefore, String histogramAfter,
            boolean allStopped) {
        int n = config.n;
        Map<String, long[]> before = parse(histogramBefore);
        Map<String, long[]> after = parse(histogramAfter);
        long total = 0;
        long chunks = 0;
        Map<String, long[]> delta = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long[] d = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
            delta.put(e.getKey(), d);
            total += d[1];
            if (e.getKey().equals(STACK_CHUNK)) {
                chunks = d[1];
            }
        }
        for (Map.Entry<String, long[]> e : before.entrySet()) {
            if (!after.containsKey(e.getKey())) {
                total -= e.getValue()[1];
            }
        }
        List<String> top = new ArrayList<>();
        delta.entrySet().stream()
                .filter(e -> !e.getKey().equals(STACK_CHUNK))
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[1]).reversed())
                .limit(Long.getLong("topClasses", 15))
                .forEach(e -> top.add(String.format(Locale.ROOT, "%.1f %.2f %s", (double) e.getValue()[1] / n,
                        (double) e.getValue()[0] / n, e.getKey())));
        return new Result(config, registerNs / 1e6, startNs / 1e6, eventsNs / 1e6, stopNs / 1e6, endedNs / 1e6,
                joinedNs / 1e6, joinedCpuNs / 1e6, (double) (total - chunks) / n, (double) chunks / n,
                ends.interrupted.get(), allStopped, top);
    }

    private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    /**
     * @return the live objects after a full GC, by class, as the diagnostic command {@code GC.class_histogram}
     *         (which collects first) prints them; parsed only once the run is over, so that the just-in-time
     *         compilation of the parsing code does not take processor time from the phases measured
     */
    static String histogram() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
    }

    /** {@return a class histogram's instances and bytes, by class} */
    private static Map<String, long[]> parse(String text) {
        Map<String, long[]> classes = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = HISTOGRAM_LINE.matcher(line);
            if (m.find()) {
                classes.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            }
        }
        return classes;
    }
}
