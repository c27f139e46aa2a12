package org.simplevisor.servlet.it.app;

import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervised;

/** Joins its group by annotation; restarted with it. */
@Supervised(name = "processor", group = "pipeline", restart = RestartPolicy.ALWAYS, restartDelay = "0s")
public class GroupProcessor extends JournalingProcess {
}
