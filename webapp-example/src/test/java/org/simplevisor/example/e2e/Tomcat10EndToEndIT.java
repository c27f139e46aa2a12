package org.simplevisor.example.e2e;

/** The end-to-end tests on the standalone Apache Tomcat 10.1 distribution (Servlet 6.0). */
class Tomcat10EndToEndIT extends TomcatEndToEndIT {
    Tomcat10EndToEndIT() {
        super("e2e.tomcat10.home");
    }

    @Override
    String expectedVersion() {
        return EndToEndSetup.requiredProperty("e2e.tomcat10.version");
    }
}
