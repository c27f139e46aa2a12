package org.simplevisor.servlet;

import jakarta.enterprise.concurrent.ManagedExecutors;
import jakarta.enterprise.concurrent.ManagedTask;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinPool.ForkJoinWorkerThreadFactory;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.ThreadContext;
import org.simplevisor.OwnedThreads;

/**
 * The executor the supervisor is given: hands each run to a {@code ManagedExecutorService} as a long-running
 * managed task ({@link ManagedTask#LONGRUNNING_HINT}), and runs it with the web application's class loader as
 * the thread's context class loader and the context name (the path, and the version in a parallel deployment) in
 * Log4j's {@code ThreadContext} (key {@value #THREAD_CONTEXT_KEY}); both are restored afterwards, so a pooled
 * container thread keeps nothing.
 *
 * <p>A container's executor is called from a hand-over thread of its own (see {@link #handOver}), never from the
 * thread that submits the run. Its own life cycle never reaches the managed executor: shutting this wrapper down
 * only makes it refuse further runs. A run the container takes and then drops without throwing (a discard policy,
 * {@code shutdownNow()}) is not noticed here: the supervisor refuses a run that has not begun in time.
 */
final class ManagedTaskExecutor extends AbstractExecutorService {

    /** The {@code ThreadContext} key of the context name on process threads. */
    static final String THREAD_CONTEXT_KEY = "context";

    /** How long a run may wait for the hand-over thread to take it before it is refused. */
    static final long HAND_OVER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** What a run's command is replaced with when the container ran its task on the hand-over thread. */
    private static final Runnable RAN_ON_HAND_OVER = () -> { };

    private static final MethodHandle EXECUTE;
    private static final MethodHandle CURRENT_THREAD;
    private static final MethodHandle SET_CONTEXT_CLASS_LOADER;
    private static final MethodHandle CLAIM;
    private static final MethodHandle SET_FAILURE;
    private static final MethodHandle COUNT_DOWN;

    static {
        MethodHandles.Lookup jdk = MethodHandles.publicLookup();
        try {
            EXECUTE = jdk.findVirtual(Executor.class, "execute", MethodType.methodType(void.class, Runnable.class));
            CURRENT_THREAD = jdk.findStatic(Thread.class, "currentThread", MethodType.methodType(Thread.class));
            SET_CONTEXT_CLASS_LOADER = jdk.findVirtual(Thread.class, "setContextClassLoader",
                    MethodType.methodType(void.class, ClassLoader.class));
            CLAIM = jdk.findVirtual(AtomicBoolean.class, "compareAndSet",
                    MethodType.methodType(boolean.class, boolean.class, boolean.class));
            SET_FAILURE = jdk.findVirtual(AtomicReference.class, "set",
                    MethodType.methodType(void.class, Object.class));
            COUNT_DOWN = jdk.findVirtual(CountDownLatch.class, "countDown", MethodType.methodType(void.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ExecutorService managed;
    private final ForkJoinWorkerThreadFactory handOverThreads; // null: runs are handed to managed directly
    private ForkJoinPool handOverPool; // guarded by this
    private final String identity;
    private final String contextName;
    private final Object idle = new Object();
    private ClassLoader loader;      // guarded by idle; null once released
    private int active;              // guarded by idle: runs on a thread now
    // Guarded by idle: the commands of runs handed over and not begun, by their task's token. A task holds only its
    // token: one left in a saturated container's queue at undeploy must not keep the process instance (and what it
    // holds) as long as it stays there. Cleared on release; a refused run's command is removed, so it never runs.
    private final Map<Object, Runnable> pending = new HashMap<>();
    private volatile boolean shutdown;

    /**
     * @param managed         where runs execute
     * @param handOverThreads where the thread that calls a container's {@code managed} comes from (see
     *                        {@link #handOver}); {@code null} for an executor of the web application's own, which is
     *                        called directly
     * @param loader          the web application's class loader
     * @param contextName     the web application's context path, {@code /} for the root, and {@code ##<version>} in
     *                        a parallel deployment
     */
    ManagedTaskExecutor(ExecutorService managed, ForkJoinWorkerThreadFactory handOverThreads, ClassLoader loader,
            String contextName) {
        this.managed = managed;
        this.handOverThreads = handOverThreads;
        this.loader = loader;
        this.contextName = contextName;
        this.identity = "simplevisor process of " + contextName;
    }

    @Override
    public void execute(Runnable command) {
        Object token = new Object();
        synchronized (idle) {
            if (shutdown) {
                throw new RejectedExecutionException("the supervisor of " + contextName + " has shut down");
            }
            pending.put(token, command);
        }
        Map<String, String> properties = new HashMap<>();
        properties.put(ManagedTask.LONGRUNNING_HINT, "true");
        properties.put(ManagedTask.IDENTITY_NAME, identity);
        Runnable task = ManagedExecutors.managedTask(() -> runInContext(token), properties, null);
        try {
            if (handOverThreads != null) {
                handOver(task);
            } else {
                managed.execute(task);
            }
        } catch (RuntimeException | Error notTaken) {
            synchronized (idle) {
                pending.remove(token); // refused: it does not run, even if the container runs the task after all
            }
            throw notTaken;
        }
        synchronized (idle) {
            if (pending.get(token) == RAN_ON_HAND_OVER) { // whether the container let an exception through or not
                pending.remove(token);
                throw refused("the container's executor ran it on the calling thread, the hand-over thread", null);
            }
        }
    }

    /**
     * Calls {@code managed.execute(task)} on the hand-over thread, and returns or throws as that call did.
     *
     * <p>Why another thread: a thread that the container's executor creates during the call inherits the calling
     * thread's context class loader and (before Java 24) its access-control context, which holds the protection
     * domains of the classes on the stack, and so their class loaders. Made from a web application's thread, a
     * pooled container thread would keep the web application's class loader alive after undeploy, as long as the
     * thread lives. On the hand-over thread the call is a chain of method handles behind a JDK proxy, so no class of
     * the web application is on its stack, and it sets the thread's context class loader to the executor's own
     * first. The hand-over thread is also one that nobody else interrupts, so no interrupt of a caller (the
     * cancellation of the run that ends and hands its successor over, an operator's thread) can make the container
     * refuse a run.
     *
     * <p>The caller waits without being interruptible: the run is either taken or refused, never lost in between
     * (the supervisor would count as refused a run that begins anyway), and its interrupt status is restored. The
     * call happens at most once: a call still queued when the pool could not be reached, or after
     * {@link #HAND_OVER_TIMEOUT_NANOS}, is claimed by the caller, refused, and does nothing when its turn comes.
     */
    private void handOver(Runnable task) {
        AtomicBoolean claimed = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch called = new CountDownLatch(1);
        Runnable call = MethodHandleProxies.asInterfaceInstance(Runnable.class,
                callOnce(managed, task, claimed, failure, called));
        try {
            handOverPool().execute(call);
        } catch (RuntimeException | Error notQueued) {
            if (claimed.compareAndSet(false, true)) {
                throw refused("the hand-over thread could not be reached", notQueued);
            }
        }
        if (!awaitUninterruptibly(called, HAND_OVER_TIMEOUT_NANOS)) {
            if (claimed.compareAndSet(false, true)) {
                throw refused("the hand-over thread did not take the run within "
                        + TimeUnit.NANOSECONDS.toSeconds(HAND_OVER_TIMEOUT_NANOS) + " s", null);
            }
            awaitUninterruptibly(called, Long.MAX_VALUE); // taken just now: its call decides
        }
        Throwable thrown = failure.get();
        if (thrown instanceof Error) {
            throw (Error) thrown;
        } else if (thrown instanceof RejectedExecutionException) {
            throw (RejectedExecutionException) thrown;
        } else if (thrown != null) {
            throw refused("the container's executor threw", thrown);
        }
    }

    /**
     * {@return {@code if (claimed.compareAndSet(false, true)) try { current thread's context class loader = the
     * executor's; managed.execute(task) } catch (Throwable t) { failure.set(t) } finally { called.countDown() }},
     * made of JDK method handles only}
     */
    private static MethodHandle callOnce(ExecutorService managed, Runnable task, AtomicBoolean claimed,
            AtomicReference<Throwable> failure, CountDownLatch called) {
        MethodHandle execute = EXECUTE.bindTo(managed).bindTo(task);
        MethodHandle neutralLoader = MethodHandles.foldArguments(
                MethodHandles.insertArguments(SET_CONTEXT_CLASS_LOADER, 1, managed.getClass().getClassLoader()),
                CURRENT_THREAD);
        MethodHandle recorded = MethodHandles.catchException(MethodHandles.foldArguments(execute, neutralLoader),
                Throwable.class,
                SET_FAILURE.bindTo(failure).asType(MethodType.methodType(void.class, Throwable.class)));
        MethodHandle counted = MethodHandles.tryFinally(recorded,
                MethodHandles.dropArguments(COUNT_DOWN.bindTo(called), 0, Throwable.class));
        return MethodHandles.guardWithTest(MethodHandles.insertArguments(CLAIM.bindTo(claimed), 0, false, true),
                counted, MethodHandles.empty(MethodType.methodType(void.class)));
    }

    private RejectedExecutionException refused(String why, Throwable cause) {
        return new RejectedExecutionException("a run of " + contextName + " was not handed to the container's "
                + "executor: " + why, cause);
    }

    /** @return whether the latch opened within the time; an interrupt meanwhile is kept, not acted on */
    private static boolean awaitUninterruptibly(CountDownLatch latch, long timeoutNanos) {
        boolean interrupted = false;
        long start = System.nanoTime();
        try {
            while (true) {
                try {
                    return latch.await(timeoutNanos - (System.nanoTime() - start), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized boolean isHandOverThread(Thread thread) {
        return handOverPool != null && thread instanceof ForkJoinWorkerThread
                && ((ForkJoinWorkerThread) thread).getPool() == handOverPool;
    }

    private synchronized ForkJoinPool handOverPool() {
        if (handOverPool == null) {
            handOverPool = new ForkJoinPool(1, handOverThreads, null, false);
        }
        return handOverPool;
    }

    private void runInContext(Object token) {
        Thread thread = Thread.currentThread();
        boolean onHandOver = isHandOverThread(thread);
        Runnable command;
        ClassLoader runLoader;
        synchronized (idle) {
            if (onHandOver) {
                // The container ran the task on its caller (a saturated executor's CallerRunsPolicy): the run would
                // hold the hand-over thread, and so every later hand-over and its submitter, for as long as it
                // lasts. It does not run; execute() refuses it.
                pending.replace(token, RAN_ON_HAND_OVER);
                return;
            }
            command = pending.remove(token);
            if (command == null) {
                return; // refused, or released: the web application is gone
            }
            runLoader = loader; // not null: release clears pending as it drops the loader
            active++;
        }
        ClassLoader previousLoader = thread.getContextClassLoader();
        String previousContext = ThreadContext.get(THREAD_CONTEXT_KEY);
        try {
            thread.setContextClassLoader(runLoader);
            ThreadContext.put(THREAD_CONTEXT_KEY, contextName);
            command.run();
        } finally {
            if (previousContext == null) {
                ThreadContext.remove(THREAD_CONTEXT_KEY);
            } else {
                ThreadContext.put(THREAD_CONTEXT_KEY, previousContext);
            }
            thread.setContextClassLoader(previousLoader);
            synchronized (idle) {
                if (--active == 0) {
                    idle.notifyAll();
                }
            }
        }
    }

    /**
     * Refuses further runs, drops the reference to the web application's class loader, and waits until every run
     * has left its thread with the thread's context class loader and {@code ThreadContext} restored (the
     * supervisor's shutdown returns when the runs have ended, a moment before that) and the hand-over thread has
     * ended.
     *
     * @param deadlineNanos when to stop waiting, in {@link System#nanoTime()} terms
     * @return whether no run is left on a thread
     */
    boolean release(long deadlineNanos) {
        shutdown = true;
        ForkJoinPool pool;
        synchronized (this) {
            pool = handOverPool;
        }
        if (pool != null) {
            pool.shutdown(); // a hand-over already queued still happens: its caller is waiting for it
        }
        boolean left;
        synchronized (idle) {
            loader = null;
            pending.clear(); // the runs not begun never will: their tasks, wherever queued, no longer hold them
            try {
                long remaining;
                while (active > 0 && (remaining = deadlineNanos - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(idle, remaining);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            left = active == 0;
        }
        try {
            if (pool != null) {
                pool.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return left;
    }

    @Override
    public void shutdown() {
        refuseRuns();
    }

    @Override
    public List<Runnable> shutdownNow() {
        refuseRuns();
        return List.of();
    }

    private void refuseRuns() {
        synchronized (idle) {
            shutdown = true;
            idle.notifyAll(); // wakes awaitTermination when no run is on a thread
        }
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    /** {@return whether this executor is shut down and no run is left on a thread} */
    @Override
    public boolean isTerminated() {
        synchronized (idle) {
            return shutdown && active == 0;
        }
    }

    /**
     * Waits until this executor is shut down and no run is left on a thread, or the timeout passes.
     *
     * @return whether it has terminated
     * @throws InterruptedException if interrupted while waiting
     */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = OwnedThreads.deadlineAfter(unit.toNanos(timeout));
        synchronized (idle) {
            long remaining;
            while (!isTerminated()) {
                if ((remaining = deadline - System.nanoTime()) <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, remaining);
            }
            return true;
        }
    }
}
