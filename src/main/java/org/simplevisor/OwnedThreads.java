package org.simplevisor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A thread factory that remembers the threads it made, so that their owner can join them on shutdown: an
 * executor's termination is reported before its last worker has fully exited, and a servlet container counts
 * such a thread as leaked. It also remembers threads another factory made ({@link #track track}), such as the managed
 * threads of the servlet layer's own executor.
 *
 * <p>Public for the library's own layers; not meant for applications.
 */
public final class OwnedThreads implements ThreadFactory {

    private static final int FIRST_VIRTUAL_THREAD_RELEASE = 21;
    private static final @Nullable MethodHandle IS_VIRTUAL = isVirtualMethod();
    /** Below this many remembered threads, dead ones are not worth a scan. */
    private static final int MIN_PRUNE_SIZE = 64;

    private final String prefix;
    private final boolean daemon;
    private final AtomicInteger count = new AtomicInteger();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger pruneAt = new AtomicInteger(MIN_PRUNE_SIZE);

    /**
     * Creates a factory of platform threads.
     *
     * @param prefix the name of the threads it makes, followed by their number from 1
     * @param daemon whether the threads it makes are daemon threads
     */
    public OwnedThreads(String prefix, boolean daemon) {
        this.prefix = prefix;
        this.daemon = daemon;
    }

    /**
     * {@return a new thread, named with the prefix and its number, remembered until it has ended}
     *
     * @param task what the thread runs
     */
    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, prefix + count.incrementAndGet());
        thread.setDaemon(daemon);
        return track(thread);
    }

    /**
     * Remembers a thread that another factory made, so that {@link #joinAll} waits for it too.
     *
     * @param thread a new thread
     * @return the thread
     */
    public Thread track(Thread thread) {
        pruneDeadThreads();
        threads.add(thread);
        return thread;
    }

    /**
     * Forgets threads that have ended, once the set has doubled since the last scan: a scan per new thread would
     * make starting N processes quadratic in N, and a scan at doubling keeps the cost per thread constant. A thread
     * not started yet is not alive either, but is kept: its executor starts it once the factory has returned it,
     * while other threads may be made.
     */
    private void pruneDeadThreads() {
        int limit = pruneAt.get();
        if (threads.size() >= limit && pruneAt.compareAndSet(limit, Integer.MAX_VALUE)) { // one thread scans
            threads.removeIf(thread -> thread.getState() == Thread.State.TERMINATED);
            pruneAt.set(Math.max(MIN_PRUNE_SIZE, 2 * threads.size()));
        }
    }

    /** {@return how many threads this factory remembers: all alive, and dead ones not yet pruned} */
    int remembered() {
        return threads.size();
    }

    /** {@return whether this factory made {@code thread}} */
    boolean isOwn(Thread thread) {
        return threads.contains(thread);
    }

    /** {@return the remembered threads that are still alive} */
    public List<Thread> alive() {
        return threads.stream().filter(Thread::isAlive).collect(Collectors.toList());
    }

    /**
     * {@return the {@link System#nanoTime()} deadline {@code timeoutNanos} from now, at most {@link Long#MAX_VALUE}}
     * Saturated: a timeout near the longest accepted ({@link ProcessOption#LONGEST}) would wrap the sum around to a
     * deadline before every other, which {@code Math.max} with a grace period then passes over. The one place
     * deadlines are made.
     *
     * @param timeoutNanos how long from now
     */
    public static long deadlineAfter(long timeoutNanos) {
        long now = System.nanoTime();
        long deadline = now + timeoutNanos;
        return timeoutNanos > 0 && deadline < now ? Long.MAX_VALUE : deadline;
    }

    /**
     * {@return {@code deadline}, or the deadline {@code leastNanos} from now if that is later} A step that must not
     * be skipped thus gets at least a moment when the steps before it used up the time.
     *
     * @param deadline   a {@link System#nanoTime()} deadline
     * @param leastNanos the least time from now
     */
    public static long deadlineAtLeast(long deadline, long leastNanos) {
        return Math.max(deadline, deadlineAfter(leastNanos));
    }

    /**
     * Waits for every thread this factory made or tracks to end, except the calling thread.
     *
     * @param deadlineNanos when to stop waiting, in {@link System#nanoTime()} terms
     * @return whether all of them have ended
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean joinAll(long deadlineNanos) throws InterruptedException {
        return joinAll(deadlineNanos, Set.of());
    }

    /**
     * Waits as {@link #joinAll(long)} does, but not for the threads in {@code notWaitedFor}.
     *
     * @param deadlineNanos when to stop waiting, in {@link System#nanoTime()} terms
     * @param notWaitedFor  threads not to wait for (those of runs already given up on)
     * @return whether all of them have ended
     * @throws InterruptedException if interrupted while waiting
     */
    boolean joinAll(long deadlineNanos, Set<Thread> notWaitedFor) throws InterruptedException {
        for (Thread thread : threads) {
            if (thread == Thread.currentThread() || notWaitedFor.contains(thread)) {
                continue; // the caller (shutdown from one of our threads: it ends after the call), or given up on
            }
            long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (remainingMillis > 0) {
                thread.join(remainingMillis);
            }
        }
        threads.removeIf(thread -> !thread.isAlive() || thread == Thread.currentThread());
        return threads.isEmpty();
    }

    /** {@return whether {@code thread} is a virtual thread} Always false before Java 21. */
    static boolean isVirtual(Thread thread) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(thread);
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.isVirtual() failed", e);
        }
    }

    private static @Nullable MethodHandle isVirtualMethod() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            return null; // before Java 21: no virtual threads
        }
    }

    /** A pool of platform threads for process runs: runs are long, so each holds a thread. */
    ExecutorService newPlatformExecutor() {
        return new RunThreadPool(this, 60, TimeUnit.SECONDS);
    }

    /**
     * A virtual thread per run, each remembered here, so that shutdown joins them as it joins platform ones (the
     * executor's termination comes before its threads have ended, and cannot leave out the thread that waits for it).
     * Built by reflection so that the library stays Java 17 bytecode.
     *
     * @throws IllegalArgumentException on a JVM older than Java 21
     */
    ExecutorService newVirtualThreadExecutor() {
        int release = Runtime.version().feature();
        if (release < FIRST_VIRTUAL_THREAD_RELEASE) {
            throw new IllegalArgumentException("virtualThreads=true needs Java " + FIRST_VIRTUAL_THREAD_RELEASE
                    + " or later; this JVM is Java " + release);
        }
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            builder = builderType.getMethod("name", String.class, long.class).invoke(builder, prefix, 1L);
            ThreadFactory factory = (ThreadFactory) builderType.getMethod("factory").invoke(builder);
            Method perTask = Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class);
            return (ExecutorService) perTask.invoke(null, (ThreadFactory) task -> track(factory.newThread(task)));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Java " + release + " has no usable virtual-thread API", e);
        }
    }
}
