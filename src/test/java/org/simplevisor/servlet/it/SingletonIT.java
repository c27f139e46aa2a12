package org.simplevisor.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.h2.jdbcx.JdbcDataSource;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.simplevisor.servlet.it.app.JournalingProcess;
import org.simplevisor.servlet.it.app.PlainTicker;

/**
 * A singleton declared in web.xml, its lease in the application's JNDI {@code DataSource} (an H2 database bound in
 * the WAR's context.xml): it runs under its lease, shows it over JMX, and undeploy releases the lease and leaves
 * nothing behind.
 */
@ExtendWith({ArquillianExtension.class, InContainerFixture.class})
@RunAsClient
class SingletonIT {

    private static final String CONTEXT = "/singleton";
    private static final String DATABASE = "jdbc:h2:mem:singleton-it;DB_CLOSE_DELAY=-1";

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = "singleton", managed = false, testable = false)
    static WebArchive singleton() {
        return Wars.war("singleton", Wars.webXml(false,
                        "simplevisor.process.relay.class", PlainTicker.class.getName(),
                        "simplevisor.process.relay.singleton", "true",
                        "simplevisor.cluster.datasource", "jdbc/leases",
                        "simplevisor.cluster.lease-time", "3s",
                        "simplevisor.cluster.node-id", "tomcat-it"),
                PlainTicker.class, JournalingProcess.class)
                .addAsManifestResource(new StringAsset("<Context>\n"
                        + "  <Resource name=\"jdbc/leases\" auth=\"Container\" type=\"org.h2.jdbcx.JdbcDataSource\"\n"
                        + "            factory=\"org.h2.jdbcx.JdbcDataSourceFactory\" url=\"" + DATABASE + "\"\n"
                        + "            user=\"sa\" password=\"\" description=\"leases\" loginTimeout=\"0\"/>\n"
                        + "</Context>\n"), "context.xml");
    }

    @Test
    void aSingletonRunsUnderItsLeaseInTheApplicationsDataSourceAndUndeployReleasesIt() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName relay = new ObjectName("org.simplevisor:type=Process,context=" + CONTEXT + ",name=relay");
        deployer.deploy("singleton");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> ItJournal.count("run:relay") == 1);
            assertThat(server.getAttribute(relay, "Singleton")).isEqualTo(true);
            assertThat(server.getAttribute(relay, "LeaseHolder")).isEqualTo("tomcat-it");
            assertThat(server.getAttribute(relay, "FencingToken")).isEqualTo(1L);
            assertThat(lease()).isEqualTo("singleton/relay tomcat-it 1 held");
        } finally {
            deployer.undeploy("singleton");
        }
        assertThat(ItJournal.entries()).contains("end:relay");
        assertThat(lease()).as("released on undeploy").isEqualTo("singleton/relay tomcat-it 1 free");
        Leaks.assertNothingLeft(CONTEXT);
        assertThat(Leaks.leakWarnings(TomcatLog.lines())).as("Tomcat's leak warnings").isEmpty();
    }

    private static String lease() throws SQLException {
        JdbcDataSource database = new JdbcDataSource();
        database.setURL(DATABASE);
        database.setUser("sa");
        try (Connection connection = database.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT lease_name, holder, token, CASE WHEN "
                        + "expires_at > CURRENT_TIMESTAMP THEN 'held' ELSE 'free' END FROM simplevisor_lease");
                ResultSet row = select.executeQuery()) {
            assertThat(row.next()).isTrue();
            return row.getString(1) + " " + row.getString(2) + " " + row.getLong(3) + " " + row.getString(4);
        }
    }
}
