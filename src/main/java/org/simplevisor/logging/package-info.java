/**
 * Logging for an application that brings no Log4j backend: a Log4j API provider that hands the supervisor's
 * records to {@code java.util.logging}, so that in a container they reach the server's own log (Tomcat's JULI:
 * {@code catalina.out}; Payara and GlassFish: {@code server.log}) at their levels. Its priority is below every
 * Log4j backend's: an application that brings {@code log4j-core} (or another backend) keeps it. Depends on the
 * JDK and log4j-api only; nothing here is for direct use.
 */
package org.simplevisor.logging;
