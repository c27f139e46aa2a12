package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The library lets go of the class loader that loaded it: a web application that brings it in {@code WEB-INF/lib}
 * is collected after its undeploy. On JDK 17 the {@code equals} a record gets from the compiler (and its
 * {@code hashCode} and {@code toString}, when a component's type is one of the application's) leaves the record's
 * class in a JDK-wide method handle cache until another record takes its place, which keeps its class loader alive;
 * on later JDKs, softly, so that a full collection still leaves it. So no record of the library has them generated.
 */
class ClassLoaderReleaseTest {

    static final String OBJECT_METHODS = "java/lang/runtime/ObjectMethods";

    /**
     * Log4j is the container's here (the parent loader's), and up before any application starts, as in a container:
     * when a class of the application's loader is the first to initialise it, that loader stays reachable, and this
     * test failed whenever it ran first in its JVM.
     */
    @BeforeAll
    static void loggingIsUpBeforeTheApplication() {
        LogManager.getLogger(ClassLoaderReleaseTest.class);
    }

    @Test
    void noRecordOfTheLibraryHasItsObjectMethodsGenerated() throws IOException {
        Path classes = location(Supervisor.class);
        try (Stream<Path> files = Files.walk(classes)) {
            List<String> generated = files.filter(f -> f.toString().endsWith(".class"))
                    .filter(ClassLoaderReleaseTest::linksObjectMethods)
                    .map(f -> classes.relativize(f).toString()).sorted().toList();
            assertThat(generated).as("classes whose equals, hashCode or toString is %s's bootstrap: declare them",
                    OBJECT_METHODS).isEmpty();
        }
    }

    /**
     * A supervisor's whole life in a class loader of its own, as in a web application: a crash loop logged in full
     * and in repeats, then shutdown, and the lease values compared, hashed and printed; once nothing
     * references the loader, it is collected.
     */
    @Test
    void theClassLoaderOfASupervisorThatShutDownIsCollected() throws Exception {
        WeakReference<ClassLoader> loader = runInAClassLoaderOfItsOwn(ReleaseScenario.class.getName());
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            System.gc();
            return loader.get() == null;
        });
    }

    private static WeakReference<ClassLoader> runInAClassLoaderOfItsOwn(String scenario) throws Exception {
        URL[] path = {location(Supervisor.class).toUri().toURL(), location(ReleaseScenario.class).toUri().toURL()};
        try (URLClassLoader isolated = new LibraryFirstClassLoader(path,
                ClassLoaderReleaseTest.class.getClassLoader())) {
            Class<?> type = isolated.loadClass(scenario);
            assertThat(type.getClassLoader()).isSameAs(isolated);
            ((Runnable) type.getConstructor().newInstance()).run();
            return new WeakReference<>(isolated);
        }
    }

    /** Loads the library's classes (and the tests') itself, as a web application's loader does from WEB-INF. */
    static final class LibraryFirstClassLoader extends URLClassLoader {
        LibraryFirstClassLoader(URL[] path, ClassLoader parent) {
            super(path, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("org.simplevisor.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                return loaded != null ? loaded : findClass(name);
            }
        }
    }

    private static boolean linksObjectMethods(Path classFile) {
        try {
            // The class's constant pool names the bootstrap's class in modified UTF-8, which is ASCII here.
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains(OBJECT_METHODS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
