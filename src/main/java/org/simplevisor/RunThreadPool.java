package org.simplevisor;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The platform threads of a supervisor's runs: a thread per run, kept idle for a while after its run so that the
 * next run submitted meanwhile (a restart without delay) reuses it, and ended after the keep-alive time or at
 * shutdown. A thread takes no lock on its way out: when thousands of runs end together at shutdown, the threads of
 * a {@code ThreadPoolExecutor} all queue for its main lock as they leave, and every hand-over of that lock is one
 * more wake-up competing with their exits.
 */
final class RunThreadPool extends AbstractExecutorService {

    private static final int BUSY = 0;
    private static final int IDLE = 1;
    private static final int RETIRED = 2;

    private final OwnedThreads threads;
    private final long keepAliveNanos;
    /** Idle workers, the latest first: reusing those lets the others stay idle long enough to end. */
    private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
    /** Guards {@link #shutdown} against a task accepted after it (whose thread the shutdown would not wait for). */
    private final Object submissionLock = new Object();
    private volatile boolean shutdown;

    RunThreadPool(OwnedThreads threads, long keepAlive, TimeUnit unit) {
        this.threads = threads;
        this.keepAliveNanos = unit.toNanos(keepAlive);
    }

    @Override
    public void execute(Runnable task) {
        Worker handedTo = null;
        synchronized (submissionLock) {
            if (shutdown) {
                throw new RejectedExecutionException("the supervisor's run threads are shut down");
            }
            for (Worker worker; handedTo == null && (worker = idle.pollFirst()) != null; ) {
                if (worker.hand(task)) {
                    handedTo = worker;
                }
            }
            if (handedTo == null) {
                threads.newThread(new Worker(task)).start(); // started under the lock: shutdown waits for it
                return;
            }
        }
        handedTo.wake(); // outside the lock: the run it starts may end and submit the next before this returns
    }

    /** Accepts no more tasks and ends the idle threads; a busy thread ends when its run does. */
    @Override
    public void shutdown() {
        synchronized (submissionLock) {
            shutdown = true;
        }
        for (Worker worker; (worker = idle.pollFirst()) != null; ) {
            worker.retire();
        }
    }

    /** Shuts down and interrupts the threads still running a task; no task waits for a thread, so none is returned. */
    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        threads.alive().forEach(Thread::interrupt);
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && threads.alive().isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return threads.joinAll(OwnedThreads.deadlineAfter(unit.toNanos(timeout)));
    }

    /**
     * A thread's loop: its first task, then each task handed to it while idle, until it retires. Its own value is its
     * state: {@link #BUSY}, {@link #IDLE} or {@link #RETIRED}.
     */
    @SuppressWarnings("serial") // never serialized
    private final class Worker extends AtomicInteger implements Runnable {

        private volatile @Nullable Runnable task;
        private volatile @Nullable Thread thread;

        Worker(Runnable firstTask) {
            super(BUSY);
            task = firstTask;
        }

        /**
         * Nothing but a call after the first run returns: this method is compiled while thousands of first runs are
         * still running, so a branch after the run would be compiled as never taken, and each thread leaving at
         * shutdown would be deoptimized on its own.
         */
        @Override
        public void run() {
            thread = Thread.currentThread();
            runTask(Objects.requireNonNull(task)); // set by the constructor
            runHandedTasks();
        }

        private void runHandedTasks() {
            for (Runnable next; (next = awaitTask()) != null; ) {
                runTask(next);
            }
        }

        private void runTask(Runnable next) {
            task = null;
            Thread.interrupted(); // an interrupt meant for the previous run is not the next one's
            next.run();
        }

        /** Hands {@code next} to this idle worker, to be woken next; false if it has retired meanwhile. */
        boolean hand(Runnable next) {
            if (!compareAndSet(IDLE, BUSY)) {
                return false;
            }
            task = next;
            return true;
        }

        void wake() {
            LockSupport.unpark(thread);
        }

        /** Ends this worker if it is idle. */
        void retire() {
            if (compareAndSet(IDLE, RETIRED)) {
                LockSupport.unpark(thread);
            }
        }

        /** Waits idle for the next task; {@code null} once retired, by shutdown or after the keep-alive time. */
        private @Nullable Runnable awaitTask() {
            if (shutdown) {
                return null; // nothing to wait for, and nothing allocated on the way out (see ShutdownLevel)
            }
            set(IDLE);
            idle.offerFirst(this);
            if (shutdown) {
                retire(); // shutdown may have emptied the idle list before this worker joined it
            }
            long deadline = OwnedThreads.deadlineAfter(keepAliveNanos);
            while (true) {
                Runnable next = task;
                if (next != null) {
                    return next;
                }
                int current = get();
                if (current == RETIRED) {
                    return null;
                }
                Thread.interrupted(); // an idle thread has nothing to interrupt: a set status would make park spin
                long remaining = deadline - System.nanoTime();
                if (current == BUSY) {
                    LockSupport.park(this); // handed a task that is being set
                } else if (remaining > 0) {
                    LockSupport.parkNanos(this, remaining);
                } else if (compareAndSet(IDLE, RETIRED)) {
                    idle.removeLastOccurrence(this); // the longest idle are at the end
                    return null;
                }
            }
        }
    }
}
