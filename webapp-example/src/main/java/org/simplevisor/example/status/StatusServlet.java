package org.simplevisor.example.status;

import jakarta.servlet.ServletContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.simplevisor.Supervisor;

/**
 * The read-only status page: at the application's root an HTML table of every process that reloads itself,
 * and the same as JSON at {@code status.json}. It reads the {@link Supervisor} the servlet integration publishes
 * as the context attribute {@value #SUPERVISOR_ATTRIBUTE}. It offers no control actions: only GET (and HEAD) are
 * answered; starting, stopping and restarting belong to JMX and its roles.
 */
@WebServlet(name = "status", urlPatterns = {"", StatusServlet.JSON_PATH})
public class StatusServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** The context attribute holding the supervisor (see the README's "In a servlet container"). */
    public static final String SUPERVISOR_ATTRIBUTE = "org.simplevisor.Supervisor";
    static final String JSON_PATH = "/status.json";
    static final int REFRESH_SECONDS = 5;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean json = JSON_PATH.equals(request.getServletPath());
        response.setHeader("Cache-Control", "no-store");
        response.setCharacterEncoding("UTF-8");
        ServletContext context = request.getServletContext();
        Object attribute = context.getAttribute(SUPERVISOR_ATTRIBUTE);
        if (!(attribute instanceof Supervisor supervisor)) {
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            response.setContentType(json ? "application/json" : "text/plain");
            String message = "no supervisor in context attribute " + SUPERVISOR_ATTRIBUTE
                    + " (is simplevisor.enabled false?)";
            response.getWriter().write(json ? "{\"error\":" + StatusReport.jsonString(message) + "}" : message);
            return;
        }
        String path = context.getContextPath().isEmpty() ? "/" : context.getContextPath();
        StatusReport report = StatusReport.of(supervisor, path);
        if (json) {
            response.setContentType("application/json");
            response.getWriter().write(report.toJson());
        } else {
            response.setContentType("text/html");
            response.getWriter().write(report.toHtml(REFRESH_SECONDS));
        }
    }
}
