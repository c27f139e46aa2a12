package org.simplevisor.logging;

import org.apache.logging.log4j.spi.Provider;

/**
 * The Log4j API provider of last resort, found through {@code META-INF/services}: logs to {@code java.util.logging}.
 * Log4j picks the provider of highest priority; this one's, {@value #PRIORITY}, is below every backend's (Log4j
 * Core's is 10, its bridges to SLF4J and to {@code java.util.logging} 15 and 20), so it is used only where the
 * application has none, instead of Log4j's fallback that prints errors only, on standard error.
 */
public final class JulProvider extends Provider {

    /** The provider's priority, {@value}: below every Log4j backend's, so that any backend is preferred. */
    public static final int PRIORITY = 1;

    /** Creates the provider; called by Log4j's service look-up. */
    public JulProvider() {
        super(PRIORITY, CURRENT_VERSION, JulLoggerContextFactory.class);
    }
}
