package org.simplevisor;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** The validated, immutable settings of one registered process: what its options amount to. */
final class ProcessSpec {

    final RestartPolicy policy;
    final int maxRestarts;
    final Duration restartDelay;
    final Duration maxRestartDelay;
    final double jitter;
    final Duration healthyDuration;
    final @Nullable Duration restartWindow; // null: every restart since the last reset counts
    final @Nullable Duration watchdog;      // null: not watched
    final int priority;
    final List<Class<? extends Throwable>> noRestartOn;
    final @Nullable Consumer<Throwable> recoverHandler; // null: the crash is only logged
    final boolean singleton;                  // runs only while its node holds its lease
    final @Nullable String group;       // null: in no group

    private ProcessSpec(Builder b) {
        policy = b.policy;
        maxRestarts = b.maxRestarts;
        restartDelay = b.restartDelay;
        maxRestartDelay = b.maxRestartDelay == null ? b.restartDelay : b.maxRestartDelay;
        jitter = b.jitter;
        healthyDuration = b.healthyDuration;
        restartWindow = b.restartWindow;
        watchdog = b.watchdog;
        priority = b.priority;
        noRestartOn = b.noRestartOn;
        recoverHandler = b.recoverHandler;
        singleton = b.singleton;
        group = b.group;
        if (maxRestartDelay.compareTo(restartDelay) < 0) {
            throw new IllegalArgumentException("maxRestartDelay (" + maxRestartDelay
                    + ") must not be shorter than restartDelay (" + restartDelay + ")");
        }
    }

    static ProcessSpec of(ProcessOption... options) {
        Builder builder = new Builder();
        for (ProcessOption option : options) {
            option.applyTo(builder);
        }
        return new ProcessSpec(builder);
    }

    /** {@return whether the restart count is unlimited} */
    boolean unlimitedRestarts() {
        return maxRestarts <= 0;
    }

    /**
     * The delay before a restart: the restart delay doubled for each earlier consecutive restart, capped at the
     * maximum restart delay, then spread by the jitter.
     *
     * @param consecutiveRestarts restarts since the last reset (0 for the first)
     * @param random              a number in [0, 1) that picks the point within the jitter's spread
     * @return the delay, never negative
     */
    Duration restartDelay(int consecutiveRestarts, double random) {
        long base = restartDelay.toNanos();
        long cap = maxRestartDelay.toNanos();
        long grown = base;
        // Not for a zero delay, which never grows: the loop would run once per restart of a crash loop.
        for (int i = 0; i < consecutiveRestarts && grown > 0 && grown < cap; i++) {
            grown = grown > cap / 2 ? cap : grown * 2;
        }
        grown = Math.min(grown, cap);
        if (jitter == 0 || grown == 0) {
            return Duration.ofNanos(grown);
        }
        double factor = 1 + jitter * (2 * random - 1);
        return Duration.ofNanos(Math.max(0, Math.round(grown * factor)));
    }

    /** {@return whether {@code error} is of a type that must never be restarted} */
    boolean forbidsRestartAfter(@Nullable Throwable error) {
        if (error == null) {
            return false;
        }
        for (Class<? extends Throwable> type : noRestartOn) {
            if (type.isInstance(error)) {
                return true;
            }
        }
        return false;
    }

    /** Collects option values; defaults are the supervisor's. */
    static final class Builder {
        private RestartPolicy policy = RestartPolicy.NEVER;
        private int maxRestarts = Supervisor.DEFAULT_MAX_RESTARTS;
        private Duration restartDelay = Supervisor.DEFAULT_RESTART_DELAY;
        private @Nullable Duration maxRestartDelay; // null: the restart delay, no growth
        private double jitter;
        private Duration healthyDuration = Supervisor.DEFAULT_HEALTHY_DURATION;
        private @Nullable Duration restartWindow;
        private @Nullable Duration watchdog;
        private int priority;
        private List<Class<? extends Throwable>> noRestartOn = List.of();
        private @Nullable Consumer<Throwable> recoverHandler;
        private boolean singleton;
        private @Nullable String group;

        void restart(RestartPolicy policy, int maxRestarts, Duration delay) {
            this.policy = policy;
            this.maxRestarts = maxRestarts;
            this.restartDelay = delay;
        }

        void recoverHandler(Consumer<Throwable> handler) {
            this.recoverHandler = handler;
        }

        void backoff(Duration maxDelay, double jitter) {
            this.maxRestartDelay = maxDelay;
            this.jitter = jitter;
        }

        void healthyDuration(Duration duration) {
            this.healthyDuration = duration;
        }

        void restartWindow(Duration window) {
            this.restartWindow = window;
        }

        void watchdog(Duration timeout) {
            this.watchdog = timeout;
        }

        void priority(int priority) {
            this.priority = priority;
        }

        void noRestartOn(List<Class<? extends Throwable>> types) {
            this.noRestartOn = types;
        }

        void singleton() {
            this.singleton = true;
    }

        void group(String group) {
            this.group = group;
        }
    }
}
