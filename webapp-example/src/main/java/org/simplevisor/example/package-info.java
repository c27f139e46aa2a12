/**
 * The example's supervised processes, one per feature of simplevisor.
 *
 * <table>
 * <caption>processes</caption>
 * <tr><th>process</th><th>declared in</th><th>shows</th></tr>
 * <tr><td>{@code heartbeat-ticker}</td><td>{@code @Supervised}</td><td>a process that runs until cancelled and
 * calls {@code heartbeat()} for its watchdog</td></tr>
 * <tr><td>{@code inventory-poller}</td><td>{@code @Supervised}</td><td>failing now and then: restarted on failure
 * with exponential backoff and jitter, within a restart window</td></tr>
 * <tr><td>{@code payment-gateway}</td><td>{@code @Supervised}, overridden in {@code web.xml}</td><td>a crash loop
 * that exceeds its restart limit within seconds: status FAILED and the
 * {@code simplevisor.process.restart-limit-exceeded} JMX notification</td></tr>
 * <tr><td>{@code cache-warmup}</td><td>{@code web.xml}</td><td>a one-shot start-up task, never restarted</td></tr>
 * <tr><td>{@code report-uploader}</td><td>{@code web.xml}</td><td>a process that hangs and is caught by the
 * watchdog: declared hung, interrupted and restarted; {@code @PostConstruct} and {@code @PreDestroy} methods that
 * look up an {@code env-entry} in {@code java:comp/env}</td></tr>
 * <tr><td>{@code order-feed-reader}, {@code order-processor}</td><td>{@code @Supervised(group =
 * "order-pipeline")}, the group's strategy in {@code web.xml}</td><td>a {@code ONE_FOR_ALL} process group: when the
 * reader's feed drops, both restart together, in start order, and the supervisor MBean emits
 * {@code simplevisor.group.restarting}</td></tr>
 * </table>
 */
package org.simplevisor.example;
