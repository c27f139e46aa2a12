/**
 * JMX for simplevisor: a supervisor and each of its processes as MXBeans with descriptions, operations and
 * notifications, for JConsole, VisualVM and monitoring (docs/contract.md, JMX). An observer of the core's events;
 * the core does not know it. Start with
 * {@link org.simplevisor.jmx.SupervisorJmx#register(org.simplevisor.Supervisor) SupervisorJmx.register(Supervisor)}.
 *
 * <p>Nothing in this package is {@code null} unless marked {@link org.jspecify.annotations.Nullable @Nullable}.
 */
@NullMarked
package org.simplevisor.jmx;

import org.jspecify.annotations.NullMarked;
