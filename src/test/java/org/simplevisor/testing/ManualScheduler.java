package org.simplevisor.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scheduler on virtual time: tasks run on the test's thread when {@link #advance(Duration)} moves the
 * {@link ManualClock} past their due time. Only one-shot schedules are supported, which is all the supervisor
 * uses.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    private final ManualClock clock;
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>(
            Comparator.<Task<?>, Instant>comparing(t -> t.due).thenComparingLong(t -> t.sequence));
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean shutdown;
    private volatile Error scheduleFailure;

    public ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    /** Moves time forward, running every task that falls due, in due order, at its due time. */
    public void advance(Duration duration) {
        runUntil(clock.instant().plus(duration));
    }

    /**
     * Runs every task due now without moving time: those that other threads scheduled for now (a delay of zero)
     * after the last {@link #advance} had looked at the queue.
     *
     * @return whether any task ran
     */
    public boolean runDue() {
        return runUntil(clock.instant()) > 0;
    }

    /** {@return how many tasks ran, in due order, each at its due time, until time reached the target} */
    private int runUntil(Instant target) {
        int ran = 0;
        while (true) {
            Task<?> next;
            synchronized (queue) {
                next = queue.peek();
                if (next == null || next.due.isAfter(target)) {
                    break;
                }
                queue.poll();
            }
            Duration untilDue = Duration.between(clock.instant(), next.due);
            if (!untilDue.isNegative()) {
                clock.advance(untilDue);
            }
            next.run();
            ran++;
        }
        Duration rest = Duration.between(clock.instant(), target);
        if (!rest.isNegative()) {
            clock.advance(rest);
        }
        return ran;
    }

    /** @return how many scheduled tasks wait (cancelled ones excluded) */
    public int pendingTasks() {
        synchronized (queue) {
            return (int) queue.stream().filter(t -> !t.isCancelled()).count();
        }
    }

    /** @return the delay until the next pending task, or null if there is none */
    public Duration nextDelay() {
        synchronized (queue) {
            return queue.stream().filter(t -> !t.isCancelled()).map(t -> Duration.between(clock.instant(), t.due))
                    .min(Comparator.naturalOrder()).orElse(null);
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return schedule(() -> {
            command.run();
            return null;
        }, delay, unit);
    }

    /**
     * Makes every schedule from now on throw this, as a scheduler that cannot make the thread it needs does
     * ({@code OutOfMemoryError: unable to create native thread}); {@code null}: schedules are taken again.
     */
    public void failSchedules(Error failure) {
        scheduleFailure = failure;
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Error failure = scheduleFailure;
        if (failure != null) {
            throw failure;
        }
        Task<V> task = new Task<>(callable, clock.instant().plusNanos(unit.toNanos(delay)),
                sequence.incrementAndGet());
        synchronized (queue) {
            queue.add(task);
        }
        return task;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("not used by the supervisor");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
            TimeUnit unit) {
        throw new UnsupportedOperationException("not used by the supervisor");
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        synchronized (queue) {
            List<Runnable> pending = new ArrayList<>(queue);
            queue.clear();
            return pending;
        }
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }

    private final class Task<V> implements ScheduledFuture<V>, Runnable {
        final Callable<V> callable;
        final Instant due;
        final long sequence;
        private volatile boolean cancelled;
        private volatile boolean done;
        private V result;
        private Throwable failure;

        Task(Callable<V> callable, Instant due, long sequence) {
            this.callable = callable;
            this.due = due;
            this.sequence = sequence;
        }

        @Override
        public void run() {
            if (cancelled) {
                return;
            }
            try {
                result = callable.call();
            } catch (Throwable t) {
                failure = t;
            } finally {
                done = true;
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(clock.instant(), due));
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (done) {
                return false;
            }
            cancelled = true;
            synchronized (queue) {
                queue.remove(this);
            }
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public V get() throws ExecutionException {
            if (cancelled) {
                throw new CancellationException();
            }
            if (!done) {
                throw new IllegalStateException("a manual task completes only when the test advances time");
            }
            if (failure != null) {
                throw new ExecutionException(failure);
            }
            return result;
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws ExecutionException {
            return get();
        }
    }
}
