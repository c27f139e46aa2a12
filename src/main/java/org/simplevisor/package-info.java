/**
 * simplevisor's core: a {@link org.simplevisor.Supervisor} starts, watches, restarts and stops named
 * {@link org.simplevisor.SupervisedProcess}es by the {@link org.simplevisor.ProcessOption}s they were registered
 * with, and tells {@link org.simplevisor.SupervisorListener}s every step as a {@link org.simplevisor.SupervisorEvent}.
 * Plain Java: it needs the JDK and {@code log4j-api} only.
 *
 * <p>Nothing in this package is {@code null} unless marked {@link org.jspecify.annotations.Nullable @Nullable}.
 */
@NullMarked
package org.simplevisor;

import org.jspecify.annotations.NullMarked;
