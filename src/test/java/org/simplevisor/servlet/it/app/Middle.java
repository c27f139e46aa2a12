package org.simplevisor.servlet.it.app;

import org.simplevisor.Supervised;

/** One of three processes of different priorities: no @Priority; web.xml gives it one. */
@Supervised
public class Middle extends JournalingProcess {
}
