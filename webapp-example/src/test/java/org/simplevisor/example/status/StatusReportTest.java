package org.simplevisor.example.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessStatus;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;

/** The status page's content, from a real supervisor outside a container. */
class StatusReportTest {

    private final Supervisor supervisor = Supervisor.builder().name("status-report-test").build();

    @AfterEach
    void shutDown() {
        supervisor.shutdown();
    }

    private void runTwoProcesses() {
        supervisor.register("ticker", ctx -> ctx.awaitCancellation());
        supervisor.register("broken <b>\"quoted\"</b>", ctx -> {
            throw new IllegalStateException("bad\nconfig & <script>");
        }, ProcessOption.withRestart(RestartPolicy.NEVER, 0, Duration.ZERO));
        supervisor.run();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                supervisor.status("ticker") == ProcessStatus.RUNNING
                        && supervisor.status("broken <b>\"quoted\"</b>") == ProcessStatus.FAILED);
    }

    @Test
    void jsonHasEveryProcessWithItsCountsAndIsValid() throws Exception {
        runTwoProcesses();

        JsonNode root = new ObjectMapper().readTree(StatusReport.of(supervisor, "/shop").toJson());

        assertThat(root.get("context").asText()).isEqualTo("/shop");
        assertThat(root.get("processCount").asInt()).isEqualTo(2);
        assertThat(root.get("runningCount").asInt()).isEqualTo(1);
        assertThat(root.get("failedCount").asInt()).isEqualTo(1);
        JsonNode broken = root.get("processes").get(0);
        assertThat(broken.get("name").asText()).isEqualTo("broken <b>\"quoted\"</b>");
        assertThat(broken.get("status").asText()).isEqualTo("FAILED");
        assertThat(broken.get("totalCrashes").asLong()).isEqualTo(1);
        assertThat(broken.get("lastFailure").asText())
                .isEqualTo("java.lang.IllegalStateException: bad\nconfig & <script>");
        assertThat(broken.get("lastFailureTime").isTextual()).isTrue();
        JsonNode ticker = root.get("processes").get(1);
        assertThat(ticker.get("name").asText()).isEqualTo("ticker");
        assertThat(ticker.get("running").asBoolean()).isTrue();
        assertThat(ticker.get("lastFailure").isNull()).isTrue();
        assertThat(ticker.get("restartPolicy").asText()).isEqualTo("NEVER");
    }

    @Test
    void htmlIsATableThatRefreshesItselfWithEverythingEscaped() {
        runTwoProcesses();

        String html = StatusReport.of(supervisor, "/shop").toHtml(5);

        assertThat(html).contains("<meta http-equiv=\"refresh\" content=\"5\">")
                .contains("<tr id=\"process-ticker\">")
                .contains("&lt;b&gt;&quot;quoted&quot;&lt;/b&gt;")
                .contains("bad\nconfig &amp; &lt;script&gt;")
                .doesNotContain("<script>").doesNotContain("<b>")
                .doesNotContain("<form").doesNotContain("<button");
    }

    @Test
    void uptimeReadsAsAClock() {
        assertThat(StatusReport.uptime(Duration.ofSeconds(3 * 3600 + 4 * 60 + 5))).isEqualTo("03:04:05");
        assertThat(StatusReport.uptime(Duration.ofDays(2).plusSeconds(61))).isEqualTo("2d 00:01:01");
    }
}
