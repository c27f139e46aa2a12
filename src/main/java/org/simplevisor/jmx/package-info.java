/**
 * JMX for simplevisor: a supervisor and each of its processes as MXBeans with descriptions, operations and
 * notifications, for JConsole, VisualVM and monitoring (docs/contract.md, JMX). An observer of the core's events;
 * the core does not know it. Start with
 * {@link org.simplevisor.jmx.SupervisorJmx#register(org.simplevisor.Supervisor)}.
 */
package org.simplevisor.jmx;
