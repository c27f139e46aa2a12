package org.simplevisor.example.e2e;

/** The end-to-end tests on the standalone Apache Tomcat 11 distribution (Servlet 6.1). */
class Tomcat11EndToEndIT extends TomcatEndToEndIT {
    Tomcat11EndToEndIT() {
        super("e2e.tomcat11.home");
    }

    @Override
    String expectedVersion() {
        return EndToEndSetup.requiredProperty("e2e.tomcat11.version");
    }
}
