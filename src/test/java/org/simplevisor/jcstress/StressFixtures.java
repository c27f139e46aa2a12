package org.simplevisor.jcstress;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.simplevisor.GroupStrategy;
import org.simplevisor.ProcessContext;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.ProcessStatus;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.Supervisor;
import org.simplevisor.testing.DaemonThreads;

/**
 * What the jcstress tests share. Each test state has a supervisor of its own (a shutdown is final, and a registration
 * must meet a fresh name), but all of them run on one executor and one scheduler of the fork: a supervisor then costs
 * one event thread, which its shutdown in the test's arbiter joins.
 */
final class StressFixtures {

    /** Long enough never to be reached by a process that ends when cancelled, short enough not to hang a run. */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    /** The name of the process of a {@link RunningWorker}. */
    static final String WORKER = "worker";
    /** How long a test waits for a process to settle: far beyond a thread hand-off. */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(5);
    private static final ExecutorService RUNS = Executors.newCachedThreadPool(DaemonThreads.named("stress-run-"));
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("stress-timer-"));

    private StressFixtures() {
    }

    /** @return a new supervisor on the shared executor and scheduler, not yet running */
    static Supervisor newSupervisor() {
        return builder().build();
    }

    /** @return a new supervisor on the shared executor and scheduler with one process group, not yet running */
    static Supervisor newSupervisor(String group, GroupStrategy strategy) {
        return builder().group(group, strategy).build();
    }

    private static Supervisor.Builder builder() {
        return Supervisor.builder().name("stress").shutdownTimeout(SHUTDOWN_TIMEOUT).executor(RUNS).scheduler(TIMER);
    }

    /** @return a snapshot as {@code STATUS/started-exited}: how many runs are in progress by its counters */
    static String describe(ProcessSnapshot snapshot) {
        return snapshot.status() + "/" + (snapshot.totalStarts() - snapshot.totalExits());
    }

    /** A supervisor running one {@link Worker}, {@value #WORKER}: the state the single-process tests race on. */
    static final class RunningWorker {
        final Supervisor supervisor = newSupervisor();
        final Worker worker = new Worker();

        RunningWorker() {
            supervisor.register(WORKER, worker);
            supervisor.run(); // STARTING now; RUNNING once the executor's thread takes the run
        }

        /** @return the process once settled ({@link Worker#settle}), described */
        String settled() {
            return describe(worker.settle(supervisor, WORKER));
        }

        /** @return how many runs were ever in progress at once, as {@code N at most} */
        String mostAtOnce() {
            return worker.mostAtOnce() + " at most";
        }

        /** Shuts the supervisor down. @return what {@link Worker#afterShutdown} says then */
        String shutDown() {
            supervisor.shutdown();
            return worker.afterShutdown(supervisor, WORKER);
        }
    }

    /** Runs until cancelled, counting the runs of this instance in progress and the most ever at once. */
    static final class Worker implements SupervisedProcess {
        private final AtomicInteger active = new AtomicInteger();
        private final AtomicInteger mostAtOnce = new AtomicInteger();
        private volatile ProcessContext current;

        @Override
        public void run(ProcessContext ctx) throws InterruptedException {
            mostAtOnce.accumulateAndGet(active.incrementAndGet(), Math::max);
            current = ctx;
            try {
                ctx.awaitCancellation();
            } finally {
                active.decrementAndGet();
            }
        }

        /** @return runs in progress now */
        int active() {
            return active.get();
        }

        /** @return whether a run is in progress and nobody has cancelled it: it will not end on its own */
        boolean runningUncancelled() {
            ProcessContext ctx = current;
            return active.get() == 1 && ctx != null && !ctx.isCancelled();
        }

        /**
         * Waits until the process is at rest or in a run nobody cancelled, not between two runs or in a run that is
         * ending. It yields rather than spins: jcstress may pin its threads to the CPUs the process's thread needs.
         *
         * @return the settled snapshot, or the last one after {@link #SETTLE_TIMEOUT}
         */
        ProcessSnapshot settle(Supervisor supervisor, String name) {
            long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
            ProcessSnapshot snapshot = supervisor.snapshot(name);
            while (!isSettled(snapshot) && System.nanoTime() < deadline) {
                Thread.yield();
                snapshot = supervisor.snapshot(name);
            }
            return snapshot;
        }

        private boolean isSettled(ProcessSnapshot snapshot) {
            return snapshot.status() == ProcessStatus.STOPPED
                    || snapshot.status() == ProcessStatus.RUNNING && runningUncancelled();
        }

        /**
         * @return after the supervisor's shutdown, the process's snapshot described, or "run still active" if a run
         *         of it has not returned
         */
        String afterShutdown(Supervisor supervisor, String name) {
            return active() == 0 ? describe(supervisor.snapshot(name)) : "run still active";
        }

        /** @return the most runs that were ever in progress at once: more than 1 is two runs of one process */
        int mostAtOnce() {
            return mostAtOnce.get();
        }
    }
}
