/**
 * Micrometer metrics of a {@link org.simplevisor.Supervisor}, under the names of the Go package
 * {@code simplevisor} (docs/contract.md, Metrics).
 *
 * <p>{@link org.simplevisor.metrics.SupervisorMetrics} is a Micrometer {@code MeterBinder} and an observer of the
 * supervisor's events: the core knows nothing of Micrometer. Gauges read the supervisor's process snapshots, so
 * they always show the true state; counters count events. Closing the binder removes every meter it created (not
 * one the registry already had under the same name and tags).
 * {@link org.simplevisor.metrics.SupervisorMeterMBeans} publishes the same series as MBeans, one per process and
 * one per declared group, without Micrometer (a servlet container's default): a few numbers per process instead of
 * a meter per series.
 *
 * <pre>{@code
 * Supervisor supervisor = new Supervisor(Duration.ofSeconds(5));
 * try (SupervisorMetrics metrics = SupervisorMetrics.monitor(registry, supervisor, Tags.of("context", "/app"))) {
 *     supervisor.register("ticker", ctx -> ...,
 *             ProcessOption.withRestart(RestartPolicy.ALWAYS, 5, Duration.ofSeconds(1)));
 *     supervisor.run();
 *     ...
 *     supervisor.shutdown();
 * }
 * }</pre>
 *
 * <p>Nothing in this package is {@code null} unless marked {@link org.jspecify.annotations.Nullable @Nullable}.
 */
@NullMarked
package org.simplevisor.metrics;

import org.jspecify.annotations.NullMarked;
