package org.simplevisor.servlet.it.app;

import org.simplevisor.Supervised;

/** In a group whose strategy web.xml does not declare: the deployment fails. */
@Supervised(name = "stray", group = "nowhere")
public class InUndeclaredGroup extends JournalingProcess {
}
