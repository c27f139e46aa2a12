package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quick start must compile against the library as it is. */
class ReadmeQuickStartTest {

    @Test
    void quickStartCompiles(@TempDir Path dir) throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher block = Pattern.compile("## Quick start\\s+```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(block.find()).as("README.md has a java block under '## Quick start'").isTrue();
        Path source = dir.resolve("QuickStart.java");
        Files.writeString(source, block.group(1));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        boolean compiled = javac.getTask(diagnostics, null, null,
                List.of("-classpath", System.getProperty("java.class.path"), "-d", dir.toString()), null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjects(source.toFile())).call();

        assertThat(compiled).as(diagnostics.toString()).isTrue();
        assertThat(dir.resolve("QuickStart.class")).exists();
    }
}
