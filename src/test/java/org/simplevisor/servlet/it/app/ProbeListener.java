package org.simplevisor.servlet.it.app;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextAttributeEvent;
import jakarta.servlet.ServletContextAttributeListener;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.Supervisor;
import org.simplevisor.servlet.it.ItJournal;

/**
 * Declared in every test WAR's web.xml: lets the tests ask the web application about its supervisor, and leaves a
 * weak reference to the web application's class loader. On destroy it journals how long the supervisor's listener
 * took from removing the supervisor attribute to its end (this listener is declared in web.xml, so it is destroyed
 * after the listener the initializer added) and how every process ended: {@code destroyed:<context>:<millis>} and
 * {@code final:<context>:<name> <status> <totalStarts> <totalExits>}.
 */
public class ProbeListener implements ServletContextListener, ServletContextAttributeListener {

    private static final String SUPERVISOR_ATTRIBUTE = "org.simplevisor.Supervisor";

    private volatile Supervisor supervisor;
    private volatile long destroyBegan;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        ItJournal.publishProbe(context.getContextPath(), () -> describe(context), getClass().getClassLoader());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        String contextPath = event.getServletContext().getContextPath();
        ItJournal.withdrawProbe(contextPath);
        Supervisor stopped = supervisor;
        supervisor = null;
        if (stopped != null) {
            ItJournal.record("destroyed:" + contextPath + ":"
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - destroyBegan));
            for (ProcessSnapshot s : stopped.snapshots()) {
                ItJournal.record("final:" + contextPath + ":" + s.name() + " " + s.status() + " " + s.totalStarts()
                        + " " + s.totalExits());
            }
        }
    }

    @Override
    public void attributeAdded(ServletContextAttributeEvent event) {
        if (SUPERVISOR_ATTRIBUTE.equals(event.getName()) && event.getValue() instanceof Supervisor) {
            supervisor = (Supervisor) event.getValue();
        }
    }

    @Override
    public void attributeRemoved(ServletContextAttributeEvent event) {
        if (SUPERVISOR_ATTRIBUTE.equals(event.getName())) {
            destroyBegan = System.nanoTime(); // the supervisor's listener shuts it down right after
        }
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
