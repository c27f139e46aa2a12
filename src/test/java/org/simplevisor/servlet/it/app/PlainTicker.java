package org.simplevisor.servlet.it.app;

/** Not annotated: declared in web.xml only. */
public class PlainTicker extends JournalingProcess {
}
