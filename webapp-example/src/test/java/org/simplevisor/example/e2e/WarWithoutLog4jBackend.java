package org.simplevisor.example.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The example WAR as a developer makes one who drops the simplevisor JAR into an application without a Log4j
 * backend: {@code log4j-api} only, no {@code log4j-core} (nor the Log4j web and JSON layout JARs that go with it), no {@code log4j2.xml}, and a {@code web.xml} without the Log4j listener and filter.
 */
final class WarWithoutLog4jBackend {

    private static final List<String> BACKEND_JARS = List.of("WEB-INF/lib/log4j-core-",
            "WEB-INF/lib/log4j-jakarta-web-", "WEB-INF/lib/log4j-layout-template-json-");
    /** The web.xml's Log4j section, from its heading comment to the next. */
    private static final Pattern LOG4J_SECTION = Pattern.compile("(?s)<!-- =+ Log4j 2 -->.*?(?=<!-- =+ )");

    private WarWithoutLog4jBackend() {
    }

    /**
     * @param war the example WAR
     * @param out where to write the WAR without a backend
     * @return {@code out}
     */
    static Path of(Path war, Path out) throws IOException {
        Files.createDirectories(out.getParent());
        try (ZipFile in = new ZipFile(war.toFile()); OutputStream file = Files.newOutputStream(out);
                ZipOutputStream zip = new ZipOutputStream(file)) {
            for (Enumeration<? extends ZipEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (BACKEND_JARS.stream().anyMatch(name::startsWith) || name.equals("WEB-INF/log4j2.xml")) {
                    continue;
                }
                zip.putNextEntry(new ZipEntry(name));
                try (InputStream content = in.getInputStream(entry)) {
                    if (name.equals("WEB-INF/web.xml")) {
                        zip.write(withoutLog4j(new String(content.readAllBytes(), StandardCharsets.UTF_8))
                                .getBytes(StandardCharsets.UTF_8));
                    } else {
                        content.transferTo(zip);
                    }
                }
                zip.closeEntry();
            }
        }
        return out;
    }

    private static String withoutLog4j(String webXml) {
        String stripped = LOG4J_SECTION.matcher(webXml).replaceFirst("");
        if (stripped.contains("org.apache.logging.log4j")) {
            throw new IllegalStateException("the example's web.xml still names Log4j after its Log4j section was "
                    + "removed: has its layout changed?");
        }
        return stripped;
    }
}
