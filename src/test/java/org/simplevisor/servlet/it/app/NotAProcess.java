package org.simplevisor.servlet.it.app;

/** Named in web.xml as a process class, but is none. */
public class NotAProcess {
}
