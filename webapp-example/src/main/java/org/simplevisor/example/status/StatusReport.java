package org.simplevisor.example.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.ProcessStatus;
import org.simplevisor.Supervisor;

/**
 * What the status page shows, read from the supervisor's non-blocking snapshots, rendered as HTML or JSON.
 * Read-only: nothing here changes a process.
 */
final class StatusReport {

    private final String context;
    private final String nodeId;
    private final Instant takenAt;
    private final List<ProcessSnapshot> processes;

    private StatusReport(String context, String nodeId, Instant takenAt, List<ProcessSnapshot> processes) {
        this.context = context;
        this.nodeId = nodeId;
        this.takenAt = takenAt;
        this.processes = processes;
    }

    /**
     * {@return every process's snapshot, by name}
     *
     * @param supervisor the supervisor
     * @param context    the web application's context path, {@code /} for the root
     */
    static StatusReport of(Supervisor supervisor, String context) {
        List<ProcessSnapshot> snapshots = new ArrayList<>();
        for (String name : supervisor.processNames()) {
            try {
                snapshots.add(supervisor.snapshot(name));
            } catch (NoSuchElementException gone) {
                // not there any more: nothing to show
            }
        }
        snapshots.sort(Comparator.comparing(ProcessSnapshot::name));
        return new StatusReport(context, supervisor.nodeId(), Instant.now(), snapshots);
    }

    List<ProcessSnapshot> processes() {
        return processes;
    }

    long runningCount() {
        return processes.stream().filter(ProcessSnapshot::running).count();
    }

    long count(ProcessStatus status) {
        return processes.stream().filter(p -> p.status() == status).count();
    }

    /** {@return whether a process is a cluster singleton: then the page shows the node and the leases} */
    boolean hasSingletons() {
        return processes.stream().anyMatch(ProcessSnapshot::singleton);
    }

    /** {@return the holder of a singleton's lease as this node last saw it, e.g. {@code node-1}; empty if none} */
    static String leaseHolder(ProcessSnapshot p) {
        return p.lease() == null ? "" : p.lease().holder();
    }

    /** {@return the fencing token this node holds a singleton's lease with; 0 if it does not hold it} */
    static long fencingToken(ProcessSnapshot p) {
        return p.lease() == null ? 0 : p.lease().fencingToken();
    }

    // ---------------------------------------------------------------- JSON

    String toJson() {
        StringBuilder json = new StringBuilder(256 + 512 * processes.size());
        json.append("{\"context\":").append(jsonString(context))
                .append(",\"nodeId\":").append(jsonString(nodeId))
                .append(",\"takenAt\":").append(jsonString(takenAt.toString()))
                .append(",\"processCount\":").append(processes.size())
                .append(",\"runningCount\":").append(runningCount())
                .append(",\"failedCount\":").append(count(ProcessStatus.FAILED))
                .append(",\"processes\":[");
        for (int i = 0; i < processes.size(); i++) {
            ProcessSnapshot p = processes.get(i);
            if (i > 0) {
                json.append(',');
            }
            json.append("{\"name\":").append(jsonString(p.name()))
                    .append(",\"status\":").append(jsonString(p.status().name()))
                    .append(",\"running\":").append(p.running())
                    .append(",\"group\":").append(jsonString(p.group()))
                    .append(",\"restartPolicy\":").append(jsonString(p.restartPolicy().name()))
                    .append(",\"restartCount\":").append(p.restartCount())
                    .append(",\"maxRestarts\":").append(p.maxRestarts())
                    .append(",\"restartDelayMillis\":").append(p.restartDelay().toMillis())
                    .append(",\"totalStarts\":").append(p.totalStarts())
                    .append(",\"totalRestarts\":").append(p.totalRestarts())
                    .append(",\"totalFailures\":").append(p.totalFailures())
                    .append(",\"totalCrashes\":").append(p.totalCrashes())
                    .append(",\"lastExitReason\":").append(jsonString(
                            p.lastExitReason() == null ? null : p.lastExitReason().name()))
                    .append(",\"lastFailure\":").append(jsonString(p.lastFailureDescription()))
                    .append(",\"lastFailureTime\":").append(jsonString(text(p.lastFailureTime())))
                    .append(",\"lastStartTime\":").append(jsonString(text(p.lastStartTime())))
                    .append(",\"uptimeMillis\":").append(p.uptime().toMillis())
                    .append(",\"singleton\":").append(p.singleton())
                    .append(",\"leaseHolder\":").append(jsonString(p.singleton() ? leaseHolder(p) : null))
                    .append(",\"fencingToken\":").append(fencingToken(p))
                    .append('}');
        }
        return json.append("]}").toString();
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    static String jsonString(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // control characters, and < > & so that the JSON is safe inside HTML too
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    // ---------------------------------------------------------------- HTML

    /**
     * {@return a complete HTML page}
     *
     * @param refreshSeconds how often the page reloads itself
     */
    String toHtml(int refreshSeconds) {
        StringBuilder html = new StringBuilder(2048 + 1024 * processes.size());
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"refresh\" content=\"").append(refreshSeconds).append("\">\n")
                .append("<title>simplevisor: ").append(html(context)).append("</title>\n")
                .append("<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}\n")
                .append("table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.35em .7em;")
                .append("text-align:left;vertical-align:top}\n")
                .append("th{background:#f3f3f3}td.num{text-align:right;white-space:nowrap}")
                .append("td code{white-space:nowrap}\n")
                .append(".RUNNING{color:#186a18;font-weight:bold}.FAILED{color:#b00020;font-weight:bold}\n")
                .append(".RESTARTING,.STARTING{color:#a05a00;font-weight:bold}.STOPPED,.STANDBY{color:#555}\n")
                .append("small{color:#666}\n</style>\n</head>\n<body>\n")
                .append("<h1>simplevisor: <code>").append(html(context)).append("</code>");
        boolean leases = hasSingletons();
        if (leases) {
            html.append(" on node <code>").append(html(nodeId)).append("</code>");
        }
        html.append("</h1>\n")
                .append("<p>").append(processes.size()).append(" processes, ").append(runningCount())
                .append(" running, ").append(count(ProcessStatus.FAILED)).append(" failed. ")
                .append("<small>Taken at ").append(html(seconds(takenAt)))
                .append("; this page reloads every ").append(refreshSeconds).append(" s. ")
                .append("Also as <a href=\"status.json\">JSON</a>. Read-only: processes are started, stopped ")
                .append("and restarted over JMX (role <code>control</code>).</small></p>\n")
                .append("<table>\n<thead><tr><th>Process</th><th>Status</th><th>Group</th><th>Restart policy</th>")
                .append("<th>Restarts</th><th>Starts</th><th>Failures</th><th>Crashes</th><th>Uptime</th>")
                .append("<th>Last failure</th>").append(leases ? "<th>Lease</th>" : "")
                .append("</tr></thead>\n<tbody>\n");
        for (ProcessSnapshot p : processes) {
            String status = p.status().name();
            html.append("<tr id=\"process-").append(html(p.name())).append("\">")
                    .append("<td><code>").append(html(p.name())).append("</code></td>")
                    .append("<td class=\"").append(status).append("\">").append(status).append("</td>")
                    .append("<td>").append(p.group() == null ? "&ndash;" : html(p.group())).append("</td>")
                    .append("<td>").append(p.restartPolicy().name()).append("</td>")
                    .append("<td class=\"num\">").append(p.restartCount()).append(" / ")
                    .append(p.maxRestarts() > 0 ? String.valueOf(p.maxRestarts()) : "&infin;").append("</td>")
                    .append("<td class=\"num\">").append(p.totalStarts()).append("</td>")
                    .append("<td class=\"num\">").append(p.totalFailures()).append("</td>")
                    .append("<td class=\"num\">").append(p.totalCrashes()).append("</td>")
                    .append("<td class=\"num\">").append(p.running() ? uptime(p.uptime()) : "&ndash;")
                    .append("</td><td>");
            if (p.lastFailure() == null) {
                html.append("&ndash;");
            } else {
                html.append(html(p.lastFailureDescription()));
                if (p.lastFailureTime() != null) {
                    html.append("<br><small>").append(html(seconds(p.lastFailureTime()))).append("</small>");
                }
            }
            html.append("</td>");
            if (leases) {
                html.append("<td>").append(lease(p)).append("</td>");
            }
            html.append("</tr>\n");
        }
        return html.append("</tbody>\n</table>\n</body>\n</html>\n").toString();
    }

    /** {@return a singleton's lease as HTML: who holds it, and this node's token while it does} */
    private static String lease(ProcessSnapshot p) {
        if (!p.singleton()) {
            return "&ndash;";
        }
        String holder = leaseHolder(p);
        if (fencingToken(p) > 0) {
            return "held here, fencing token " + fencingToken(p);
        }
        return holder.isEmpty() ? "free" : "held by <code>" + html(holder) + "</code>";
    }

    /** {@return the instant to the second, e.g. {@code 2026-11-24T17:52:16Z}} */
    static String seconds(Instant instant) {
        return instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    /** {@return e.g. {@code 2d 03:04:05}, {@code 03:04:05}} */
    static String uptime(Duration uptime) {
        long seconds = uptime.toSeconds();
        String clock = String.format("%02d:%02d:%02d", seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
        long days = seconds / 86_400;
        return days > 0 ? days + "d " + clock : clock;
    }

    static String html(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
