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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.ThreadContext;

/**
 * The executor the supervisor is given: hands each run to a {@code ManagedExecutorService} as a long-running
 * managed task ({@link ManagedTask#LONGRUNNING_HINT}), and runs it with the web application's class loader as
 * the thread's context class loader and the context path in Log4j's {@code ThreadContext} (key
 * {@value #THREAD_CONTEXT_KEY}); both are restored afterwards, so a pooled container thread keeps nothing.
 *
 * <p>Its own life cycle never reaches the managed executor: shutting this wrapper down only makes it refuse
 * further runs.
 */
final class ManagedTaskExecutor extends AbstractExecutorService {

    /** The {@code ThreadContext} key of the context path on process threads. */
    static final String THREAD_CONTEXT_KEY = "context";

    private static final MethodHandle EXECUTE;
    private static final MethodHandle COUNT_DOWN;

    static {
        try {
            EXECUTE = MethodHandles.publicLookup().findVirtual(Executor.class, "execute",
                    MethodType.methodType(void.class, Runnable.class));
            COUNT_DOWN = MethodHandles.publicLookup().findVirtual(CountDownLatch.class, "countDown",
                    MethodType.methodType(void.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ExecutorService managed;
    private final boolean handOverCleanly;
    private ForkJoinPool handOverPool; // guarded by this; only for a container's executor
    private final String identity;
    private final String contextPath;
    private final Object idle = new Object();
    private ClassLoader loader;      // guarded by idle; null once released
    private int active;              // guarded by idle: runs on a thread now
    private volatile boolean shutdown;

    /**
     * @param managed        where runs execute
     * @param containerOwned whether the container owns {@code managed} (its threads outlive the web application)
     * @param loader         the web application's class loader
     * @param contextPath    the web application's context path, {@code /} for the root
     */
    ManagedTaskExecutor(ExecutorService managed, boolean containerOwned, ClassLoader loader, String contextPath) {
        this.managed = managed;
        this.handOverCleanly = containerOwned;
        this.loader = loader;
        this.contextPath = contextPath;
        this.identity = "simplevisor process of " + contextPath;
    }

    @Override
    public void execute(Runnable command) {
        if (shutdown) {
            throw new RejectedExecutionException("the supervisor of " + contextPath + " has shut down");
        }
        Map<String, String> properties = new HashMap<>();
        properties.put(ManagedTask.LONGRUNNING_HINT, "true");
        properties.put(ManagedTask.IDENTITY_NAME, identity);
        Runnable task = ManagedExecutors.managedTask(() -> runInContext(command), properties, null);
        if (handOverCleanly) {
            handOver(task);
        } else {
            managed.execute(task);
        }
    }

    /**
     * Calls {@code managed.execute(task)} on a thread of a pool of the JDK's own making, through JDK classes only.
     * A thread that the container's executor creates during the call inherits the calling thread's context class
     * loader and access-control context, which holds the protection domains of the classes on the stack, and so
     * their class loaders: made from a web application's thread, a pooled container thread would keep the web
     * application's class loader alive after undeploy, as long as the thread lives. A {@link ForkJoinPool}'s
     * default workers are created privileged, with the system class loader; the call is a method-handle proxy, so
     * no class of the web application is on their stack.
     */
    private void handOver(Runnable task) {
        CountDownLatch called = new CountDownLatch(1);
        MethodHandle execute = EXECUTE.bindTo(managed).bindTo(task);
        MethodHandle countDown = COUNT_DOWN.bindTo(called);
        Runnable call = MethodHandleProxies.asInterfaceInstance(Runnable.class,
                MethodHandles.tryFinally(execute, MethodHandles.dropArguments(countDown, 0, Throwable.class)));
        ForkJoinTask<?> submitted;
        try {
            submitted = handOverPool().submit(call);
            called.await(); // not submitted.get(): a waiting thread may run the task itself, with its own stack
            submitted.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new RejectedExecutionException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException("interrupted while handing a run to the container's executor", e);
        }
    }

    private synchronized ForkJoinPool handOverPool() {
        if (handOverPool == null) {
            handOverPool = new ForkJoinPool(1);
        }
        return handOverPool;
    }

    private void runInContext(Runnable command) {
        synchronized (idle) {
            if (loader == null) {
                return; // released: the web application is gone
            }
            active++;
        }
        Thread thread = Thread.currentThread();
        ClassLoader previousLoader = thread.getContextClassLoader();
        String previousContext = ThreadContext.get(THREAD_CONTEXT_KEY);
        try {
            thread.setContextClassLoader(loader);
            ThreadContext.put(THREAD_CONTEXT_KEY, contextPath);
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
     * has left its thread with the thread's context class loader and {@code ThreadContext} restored: the
     * supervisor's shutdown returns when the runs have ended, a moment before that.
     *
     * @param deadlineNanos when to stop waiting, in {@link System#nanoTime()} terms
     * @return whether no run is left on a thread
     */
    boolean release(long deadlineNanos) {
        shutdown = true;
        synchronized (this) {
            if (handOverPool != null) {
                handOverPool.shutdown();
            }
        }
        synchronized (idle) {
            loader = null;
            try {
                long remaining;
                while (active > 0 && (remaining = deadlineNanos - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(idle, remaining);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return active == 0;
        }
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
        long deadline = System.nanoTime() + unit.toNanos(timeout);
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
