package org.simplevisor.servlet.it.app;

import org.simplevisor.Supervised;

/** Claims the name "twin", as does its sibling. */
@Supervised(name = "twin")
public class TwinA extends JournalingProcess {
}
