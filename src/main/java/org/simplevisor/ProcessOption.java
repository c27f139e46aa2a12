package org.simplevisor;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One option of a process registration (Go: {@code Option}). Options are applied in order, so a later option of
 * the same kind wins. Each factory validates its arguments at once and names the one it rejects.
 *
 * <pre>{@code
 * supervisor.register("poller", poller,
 *         ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 5, Duration.ofSeconds(1)),
 *         ProcessOption.withBackoff(Duration.ofMinutes(1), 0.2),
 *         ProcessOption.withWatchdog(Duration.ofSeconds(30)));
 * }</pre>
 */
public final class ProcessOption {

    /** The longest delay or timeout an option accepts: {@code Long.MAX_VALUE} nanoseconds, about 292 years. */
    public static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

    private final Consumer<ProcessSpec.Builder> setting;

    private ProcessOption(Consumer<ProcessSpec.Builder> setting) {
        this.setting = setting;
    }

    void applyTo(ProcessSpec.Builder spec) {
        setting.accept(spec);
    }

    /**
     * Sets the restart policy (Go: {@code WithRestart}).
     *
     * @param policy      when to restart
     * @param maxRestarts how many restarts are allowed before the process is {@link ProcessStatus#FAILED}; 0 or
     *                    less means no limit. With 3, a process that always fails runs 4 times.
     * @param delay       time between the end of a run and the restart; {@link Duration#ZERO} restarts at once
     * @return the option
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public static ProcessOption withRestart(RestartPolicy policy, int maxRestarts, Duration delay) {
        Objects.requireNonNull(policy, "policy");
        requireNotNegative("restartDelay", delay);
        return new ProcessOption(spec -> spec.restart(policy, maxRestarts, delay));
    }

    /**
     * Sets the handler called, on the process's thread, with whatever a crashing run threw (Go:
     * {@code WithRecover}). A handler that throws is logged and counted, never propagated.
     *
     * @param handler the recover handler
     * @return the option
     */
    public static ProcessOption withRecover(Consumer<Throwable> handler) {
        Objects.requireNonNull(handler, "handler");
        return new ProcessOption(spec -> spec.recoverHandler(handler));
    }

    /**
     * Makes the restart delay grow exponentially: it doubles with each consecutive restart, from the restart
     * delay up to {@code maxDelay}, and each delay is spread at random by up to {@code jitter} times itself
     * either way (0.2 gives delays between 80% and 120% of the backoff delay). A healthy run resets the growth.
     *
     * @param maxDelay the cap of the growing delay; must not be shorter than the restart delay
     * @param jitter   the random spread, from 0 (none) to 1
     * @return the option
     * @throws IllegalArgumentException if {@code maxDelay} is negative or {@code jitter} is outside 0..1
     */
    public static ProcessOption withBackoff(Duration maxDelay, double jitter) {
        requireNotNegative("maxRestartDelay", maxDelay);
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, was " + jitter);
        }
        return new ProcessOption(spec -> spec.backoff(maxDelay, jitter));
    }

    /**
     * Sets how long a run must last to count as healthy: a healthy run resets the restart count and the backoff
     * (default {@link Supervisor#DEFAULT_HEALTHY_DURATION}).
     *
     * @param duration a positive duration
     * @return the option
     * @throws IllegalArgumentException if {@code duration} is not positive
     */
    public static ProcessOption withHealthyDuration(Duration duration) {
        requirePositive("healthyDuration", duration);
        return new ProcessOption(spec -> spec.healthyDuration(duration));
    }

    /**
     * Counts only the restarts of the last {@code window} toward the restart limit: at most {@code maxRestarts}
     * restarts per window (Erlang's restart intensity and period).
     *
     * @param window a positive duration
     * @return the option
     * @throws IllegalArgumentException if {@code window} is not positive
     */
    public static ProcessOption withRestartWindow(Duration window) {
        requirePositive("restartWindow", window);
        return new ProcessOption(spec -> spec.restartWindow(window));
    }

    /**
     * Watches the process: a run that does not call {@link ProcessContext#heartbeat()} for {@code timeout} is
     * hung. The supervisor then emits the hung event, cancels the run (see {@link ProcessContext}), and treats its
     * end as a failure, restarted by policy. Once shutdown has begun, no run is declared hung: the shutdown stops
     * it, and its timeout reports a run that does not end.
     *
     * @param timeout a positive duration
     * @return the option
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public static ProcessOption withWatchdog(Duration timeout) {
        requirePositive("watchdog", timeout);
        return new ProcessOption(spec -> spec.watchdog(timeout));
    }

    /**
     * Sets the start order: processes start in ascending priority (then registration order) and stop in the
     * reverse order. Default 0.
     *
     * @param priority any number; lower starts earlier
     * @return the option
     */
    public static ProcessOption withPriority(int priority) {
        return new ProcessOption(spec -> spec.priority(priority));
    }

    /**
     * Names exception types after which the process is never restarted, whatever the policy: a run that fails or
     * crashes with one of them (or a subtype) leaves the process {@link ProcessStatus#FAILED}.
     *
     * @param types exception types
     * @return the option
     */
    @SafeVarargs
    public static ProcessOption noRestartOn(Class<? extends Throwable>... types) {
        for (int i = 0; i < types.length; i++) {
            Objects.requireNonNull(types[i], "noRestartOn: type " + i + " is null");
        }
        List<Class<? extends Throwable>> list = List.of(types);
        return new ProcessOption(spec -> spec.noRestartOn(list));
    }

    /**
     * Makes the process a member of a group that restarts together (see {@link GroupStrategy}). The group must be
     * declared with {@link Supervisor.Builder#group(String, GroupStrategy)}; registering a process in an undeclared
     * group is an {@link IllegalArgumentException}.
     *
     * @param group the name of a declared group
     * @return the option
     * @throws IllegalArgumentException if {@code group} is empty or blank, or begins or ends with whitespace
     */
    public static ProcessOption inGroup(String group) {
        Objects.requireNonNull(group, "group");
        Supervisor.requireName("group", group);
        return new ProcessOption(spec -> spec.group(group));
    }

    /**
     * Checks that options fit together, as {@link Supervisor#register Supervisor.register} checks them, without
     * registering anything: for a layer that reads settings from elsewhere (the servlet container reads
     * {@code web.xml}) and reports every problem before it starts a process.
     *
     * @param options the options of one process
     * @throws IllegalArgumentException if they do not fit together, naming the settings and their values
     */
    public static void validate(ProcessOption... options) {
        ProcessSpec.of(options);
    }

    /**
     * Makes the process a cluster singleton: it runs on one node of those whose supervisors share a
     * {@link LeaseStore} (see {@link Supervisor.Builder#leaseStore(LeaseStore)}), and moves to another node when its
     * node stops or dies. Its node runs it only while holding the process's lease; the others keep it
     * {@link ProcessStatus#STANDBY}. Each run sees the lease's fencing token in {@link ProcessContext#fencingToken()}.
     *
     * @return the option
     */
    public static ProcessOption singleton() {
        return new ProcessOption(ProcessSpec.Builder::singleton);
    }

    private static void requireNotNegative(String property, Duration value) {
        Objects.requireNonNull(value, property);
        if (value.isNegative()) {
            throw new IllegalArgumentException(property + " must not be negative, was " + value);
        }
        requireAtMostLongest(property, value);
    }

    private static void requirePositive(String property, Duration value) {
        Objects.requireNonNull(value, property);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(property + " must be positive, was " + value);
        }
        requireAtMostLongest(property, value);
    }

    /** Delays and timeouts are waited for in nanoseconds, which a {@code long} holds for about 292 years. */
    private static void requireAtMostLongest(String property, Duration value) {
        if (value.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException(property + " must be at most " + LONGEST + ", was " + value);
        }
    }
}
