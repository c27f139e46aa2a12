package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core depends on the JDK and log4j-api only: observers depend on it, never the reverse (docs/architecture.md);
 * the cluster layer on the core and java.sql. Besides, both use annotations that compilers and readers use and the
 * JVM does not need at run time: JSpecify's nullness and Error Prone's {@code @GuardedBy}
 * (src/it/plain-java-consumer runs the core without them).
 */
class CorePackageDependenciesTest {

    private static final Set<String> COMPILE_TIME_ANNOTATIONS = Set.of("org.jspecify.annotations.NullMarked",
            "org.jspecify.annotations.Nullable", "com.google.errorprone.annotations.concurrent.GuardedBy");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+)", Pattern.MULTILINE);

    @Test
    void coreImportsOnlyTheJdkAndLog4jApi() throws IOException {
        assertThat(importsOf("src/main/java/org/simplevisor"))
                .allMatch(i -> i.startsWith("java.") || i.startsWith("org.apache.logging.log4j."));
    }

    @Test
    void clusterImportsOnlyTheCoreAndJavaSql() throws IOException {
        assertThat(importsOf("src/main/java/org/simplevisor/cluster")).isNotEmpty()
                .allMatch(i -> i.startsWith("java.") || i.startsWith("javax.sql.")
                        || i.matches("org\\.simplevisor\\.[A-Z]\\w*"));
    }

    private static List<String> importsOf(String directory) throws IOException {
        try (Stream<Path> sources = Files.list(Path.of(directory))) {
            return sources.filter(p -> p.toString().endsWith(".java"))
                    .flatMap(CorePackageDependenciesTest::imports)
                    .filter(i -> !COMPILE_TIME_ANNOTATIONS.contains(i))
                    .collect(Collectors.toList());
        }
    }

    private static Stream<String> imports(Path source) {
        try {
            return IMPORT.matcher(Files.readString(source)).results()
                    .map(m -> source.getFileName() + ": " + m.group(2))
                    .map(s -> s.substring(s.indexOf(": ") + 2));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
