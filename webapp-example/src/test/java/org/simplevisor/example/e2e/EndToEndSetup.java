package org.simplevisor.example.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.simplevisor.example.tomcat.ExampleCluster;
import org.simplevisor.example.tomcat.StandaloneTomcat;

/** What Maven Failsafe hands the end-to-end tests (see webapp-example/pom.xml): the WAR, the Tomcats, work space. */
final class EndToEndSetup {

    private EndToEndSetup() {
    }

    /** @return the example WAR this build made */
    static Path war() {
        return Path.of(requiredProperty("e2e.war"));
    }

    /**
     * Lays out a fresh {@code CATALINA_BASE} with {@code tomcat-config/} on free loopback ports, not started.
     *
     * @param homeProperty the system property that names the unpacked distribution ({@code e2e.tomcat11.home}, ...)
     * @param workPrefix   prefix of its work directory under {@code target/e2e/}, so that two tests on the same
     *                     distribution keep their logs apart ({@code ""} for none)
     */
    static StandaloneTomcat prepareTomcat(String homeProperty, String workPrefix) throws IOException {
        return prepare(builder(homeProperty, workPrefix));
    }

    /** As {@link #prepareTomcat}, with the Prometheus JMX exporter and {@code tomcat-config/jmx-exporter.yaml}. */
    static StandaloneTomcat prepareTomcatWithExporter(String homeProperty, String workPrefix) throws IOException {
        return prepare(builder(homeProperty, workPrefix)
                .prometheusExporter(Path.of(requiredProperty("e2e.exporter.agent")), 0));
    }

    /** {@return what the example's cluster is made of, on Tomcat 11, its work under {@code target/e2e/cluster}} */
    static ExampleCluster.Files clusterFiles() {
        return new ExampleCluster.Files(Path.of(requiredProperty("e2e.tomcat11.home")),
                Path.of(requiredProperty("e2e.tomcat.config")), Path.of(requiredProperty("e2e.cluster.descriptor")),
                war(), Path.of(requiredProperty("e2e.h2.jar")), Path.of(requiredProperty("e2e.work"), "cluster"));
    }

    private static StandaloneTomcat.Builder builder(String homeProperty, String workPrefix) throws IOException {
        Path home = Path.of(requiredProperty(homeProperty));
        Path work = Path.of(requiredProperty("e2e.work")).resolve(workPrefix + home.getFileName());
        return StandaloneTomcat.builder()
                .home(home)
                .base(work.resolve("base"))
                .config(Path.of(requiredProperty("e2e.tomcat.config")))
                .consoleLog(work.resolve("catalina.out"))
                .freePorts();
    }

    private static StandaloneTomcat prepare(StandaloneTomcat.Builder builder) throws IOException {
        StandaloneTomcat tomcat = builder.prepare();
        Files.deleteIfExists(tomcat.consoleLog());
        return tomcat;
    }

    static String requiredProperty(String key) {
        String value = System.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + key + " is not set (run through Maven failsafe)");
        }
        return value;
    }
}
