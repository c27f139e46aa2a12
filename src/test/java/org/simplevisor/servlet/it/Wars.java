package org.simplevisor.servlet.it;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ExplodedImporter;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.simplevisor.servlet.it.app.ProbeListener;

/** Builds the test web applications: the simplevisor JAR in WEB-INF/lib, as a developer would drop it there. */
public final class Wars {

    private Wars() {
    }

    /** @return the library as built by this build (target/classes), services file included */
    public static JavaArchive library() {
        File classes = new File(System.getProperty("it.library.classes", "target/classes"));
        return ShrinkWrap.create(ExplodedImporter.class, "simplevisor.jar").importDirectory(classes)
                .as(JavaArchive.class);
    }

    /**
     * @param name    the WAR's name, also its context path
     * @param webXml  its web.xml
     * @param classes its classes in WEB-INF/classes
     * @return the WAR, with the library and the {@link ProbeListener}
     */
    public static WebArchive war(String name, String webXml, Class<?>... classes) {
        return ShrinkWrap.create(WebArchive.class, name + ".war")
                .addAsLibraries(library())
                .addClasses(ProbeListener.class)
                .addClasses(classes)
                .setWebXML(new StringAsset(webXml));
    }

    /**
     * @param metadataComplete the web.xml's metadata-complete
     * @param parameters       context parameters: name, value, name, value, ...
     * @return a web.xml with these parameters and the {@link ProbeListener}
     */
    public static String webXml(boolean metadataComplete, String... parameters) {
        StringBuilder xml = new StringBuilder()
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\"\n")
                .append("         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n")
                .append("         xsi:schemaLocation=\"https://jakarta.ee/xml/ns/jakartaee")
                .append(" https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd\"\n")
                .append("         version=\"6.0\" metadata-complete=\"").append(metadataComplete).append("\">\n");
        for (int i = 0; i < parameters.length; i += 2) {
            xml.append("  <context-param><param-name>").append(parameters[i]).append("</param-name><param-value>")
                    .append(parameters[i + 1]).append("</param-value></context-param>\n");
        }
        xml.append("  <listener><listener-class>").append(ProbeListener.class.getName())
                .append("</listener-class></listener>\n")
                .append("</web-app>\n");
        return xml.toString();
    }

    /** @return a META-INF/context.xml that binds the test's {@link RecordingExecutor} under {@code jndiName} */
    public static StringAsset contextXmlWithExecutor(String jndiName) {
        return new StringAsset("<Context>\n"
                + "  <Resource name=\"" + jndiName + "\" auth=\"Container\"\n"
                + "            type=\"jakarta.enterprise.concurrent.ManagedExecutorService\"\n"
                + "            factory=\"" + SharedExecutorFactory.class.getName() + "\"/>\n"
                + "</Context>\n");
    }
}
