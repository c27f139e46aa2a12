package org.simplevisor.servlet.it.app;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.ArrayList;
import java.util.List;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.Supervisor;
import org.simplevisor.servlet.it.ItJournal;

/**
 * Declared in every test WAR's web.xml: lets the tests ask the web application about its supervisor, and leaves a
 * weak reference to the web application's class loader.
 */
public class ProbeListener implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        ItJournal.publishProbe(context.getContextPath(), () -> describe(context), getClass().getClassLoader());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ItJournal.withdrawProbe(event.getServletContext().getContextPath());
    }

    /** One line per process: {@code name status policy maxRestarts restartDelayMillis priority totalStarts}. */
    private static List<String> describe(ServletContext context) {
        Object attribute = context.getAttribute("org.simplevisor.Supervisor");
        List<String> lines = new ArrayList<>();
        if (!(attribute instanceof Supervisor)) {
            lines.add("no supervisor: " + attribute);
            return lines;
        }
        Supervisor supervisor = (Supervisor) attribute;
        for (ProcessSnapshot s : supervisor.snapshots()) {
            lines.add(s.name() + " " + s.status() + " " + s.restartPolicy() + " " + s.maxRestarts() + " "
                    + s.restartDelay().toMillis() + " " + s.priority() + " " + s.totalStarts());
        }
        return lines;
    }
}
