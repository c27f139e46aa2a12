package org.simplevisor.example.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.simplevisor.ProcessOption;
import org.simplevisor.ProcessStatus;
import org.simplevisor.RestartPolicy;
import org.simplevisor.Supervisor;
import org.simplevisor.cluster.JdbcLeaseStore;

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
                .doesNotContain("<form").doesNotContain("<button")
                .doesNotContain("<th>Lease</th>").doesNotContain(" on node ");
    }

    @Test
    void singletonsShowTheNodeTheLeaseHolderAndTheToken() throws Exception {
        JdbcDataSource database = new JdbcDataSource();
        database.setURL("jdbc:h2:mem:status-report;DB_CLOSE_DELAY=-1");
        Supervisor holder = clusterNode("node-1", database);
        // node-2 starts once node-1 holds the lease: started together, either could take it first
        await().atMost(Duration.ofSeconds(10)).until(() -> holder.status("relay") == ProcessStatus.RUNNING);
        Supervisor standby = clusterNode("node-2", database);
        try {
            await().atMost(Duration.ofSeconds(10)).until(
                    () -> "node-1".equals(standby.snapshot("relay").lease().holder()));

            JsonNode held = new ObjectMapper().readTree(StatusReport.of(holder, "/shop").toJson());
            assertThat(held.get("nodeId").asText()).isEqualTo("node-1");
            assertThat(held.get("processes").get(0).get("singleton").asBoolean()).isTrue();
            assertThat(held.get("processes").get(0).get("leaseHolder").asText()).isEqualTo("node-1");
            assertThat(held.get("processes").get(0).get("fencingToken").asLong()).isEqualTo(1);
            JsonNode waiting = new ObjectMapper().readTree(StatusReport.of(standby, "/shop").toJson());
            assertThat(waiting.get("processes").get(0).get("status").asText()).isEqualTo("STANDBY");
            assertThat(waiting.get("processes").get(0).get("leaseHolder").asText()).isEqualTo("node-1");
            assertThat(waiting.get("processes").get(0).get("fencingToken").asLong()).isZero();

            assertThat(StatusReport.of(holder, "/shop").toHtml(5)).contains(" on node <code>node-1</code>")
                    .contains("<th>Lease</th>").contains("held here, fencing token 1");
            assertThat(StatusReport.of(standby, "/shop").toHtml(5)).contains(" on node <code>node-2</code>")
                    .contains("<td class=\"STANDBY\">STANDBY</td>").contains("held by <code>node-1</code>");
        } finally {
            standby.shutdown();
            holder.shutdown();
        }
    }

    private static Supervisor clusterNode(String nodeId, JdbcDataSource database) {
        Supervisor node = Supervisor.builder().name("status-report-cluster").nodeId(nodeId) // a standby polls every 1 s
                .leaseStore(JdbcLeaseStore.builder(database).leaseTime(Duration.ofSeconds(3)).build()).build();
        node.register("relay", ctx -> ctx.awaitCancellation(), ProcessOption.singleton());
        node.run();
        return node;
    }

    @Test
    void uptimeReadsAsAClock() {
        assertThat(StatusReport.uptime(Duration.ofSeconds(3 * 3600 + 4 * 60 + 5))).isEqualTo("03:04:05");
        assertThat(StatusReport.uptime(Duration.ofDays(2).plusSeconds(61))).isEqualTo("2d 00:01:01");
    }
}
