package org.simplevisor.servlet.it.app;

import jakarta.annotation.Priority;
import org.simplevisor.Supervised;

/** One of three processes of different priorities. */
@Supervised
@Priority(10)
public class Late extends JournalingProcess {
}
