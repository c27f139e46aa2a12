package org.simplevisor.example.tomcat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.simplevisor.example.StopOnJvmExit;

/**
 * A standalone Apache Tomcat, as an operator runs it: the unpacked distribution as {@code CATALINA_HOME}, a fresh
 * {@code CATALINA_BASE} with {@code tomcat-config/} applied to it, started with {@code catalina.sh run} (which
 * {@code exec}s the JVM, so the child's PID is Tomcat's) and stopped by that PID: SIGTERM, Tomcat's own orderly
 * shutdown, then SIGKILL if it is not gone within a minute. A JVM shutdown hook stops it too if the JVM that
 * started it ends first. Every port is on 127.0.0.1. Uses only the JDK, so the run command's launcher
 * ({@link RunExample}) and the end-to-end tests share it.
 */
public final class StandaloneTomcat implements AutoCloseable {

    /** Where the example is deployed. */
    public static final String EXAMPLE_PATH = "/simplevisor-example";
    /** The Prometheus JMX exporter's configuration in {@code tomcat-config/}. */
    public static final String EXPORTER_CONFIG = "jmx-exporter.yaml";
    /** The manager user of {@code tomcat-config/conf/tomcat-users.xml}. */
    public static final String MANAGER_USER = "deployer";

    /**
     * What Tomcat logs when an application it stops leaves something behind (a thread, a ThreadLocal, a JDBC driver,
     * an MBean), and what the manager's {@code findleaks} logs about a class loader still reachable.
     */
    public static final List<String> LEAK_WARNINGS = List.of(
            "appears to have started a thread", "failed to stop it", "created a ThreadLocal with key",
            "failed to unregister it", "memory leak", "Found potential memory leaks");

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Path home;
    private final Path base;
    private final Path config;
    private final int httpPort;
    private final int jmxPort;
    private final int jmxRmiPort;
    private final Path consoleLog;
    private final Path exporterAgent;
    private final int exporterPort;
    private final boolean keepCallerOptions;
    private final Map<String, String> systemProperties;
    private final List<Path> libraries;
    private final Map<String, String> credentials;
    private Process process;
    private StopOnJvmExit stopOnJvmExit;

    private StandaloneTomcat(Builder builder) {
        this.home = builder.home.toAbsolutePath().normalize();
        this.base = builder.base.toAbsolutePath().normalize();
        this.config = builder.config.toAbsolutePath().normalize();
        this.httpPort = builder.httpPort;
        this.jmxPort = builder.jmxPort;
        this.jmxRmiPort = builder.jmxRmiPort;
        this.consoleLog = builder.consoleLog;
        this.exporterAgent = builder.exporterAgent == null ? null : builder.exporterAgent.toAbsolutePath().normalize();
        this.exporterPort = builder.exporterPort;
        this.keepCallerOptions = builder.keepCallerOptions;
        this.systemProperties = Map.copyOf(builder.systemProperties);
        this.libraries = List.copyOf(builder.libraries);
        this.credentials = readCredentials(config.resolve("conf/jmxremote.password"));
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** How to lay out and start a Tomcat. */
    public static final class Builder {
        private Path home;
        private Path base;
        private Path config;
        private int httpPort;
        private int jmxPort;
        private int jmxRmiPort;
        private Path consoleLog;
        private Path exporterAgent;
        private int exporterPort;
        private boolean keepCallerOptions;
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final List<Path> libraries = new ArrayList<>();

        /** @param home the unpacked distribution, {@code CATALINA_HOME} @return this */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** @param base the {@code CATALINA_BASE} to create (emptied first) @return this */
        public Builder base(Path base) {
            this.base = base;
            return this;
        }

        /** @param config the {@code tomcat-config/} directory @return this */
        public Builder config(Path config) {
            this.config = config;
            return this;
        }

        /** @param http the HTTP port, @param jmx the JMX registry port, @param jmxRmi the JMX RMI port @return this */
        public Builder ports(int http, int jmx, int jmxRmi) {
            this.httpPort = http;
            this.jmxPort = jmx;
            this.jmxRmiPort = jmxRmi;
            return this;
        }

        /** Picks three free loopback ports. @return this */
        public Builder freePorts() throws IOException {
            return ports(freePort(), freePort(), freePort());
        }

        /**
         * @param consoleLog where Tomcat's console output goes ({@code catalina.out}); {@code null}: this process's
         *                   console
         * @return this
         */
        public Builder consoleLog(Path consoleLog) {
            this.consoleLog = consoleLog;
            return this;
        }

        /**
         * Attaches the Prometheus JMX exporter with {@code tomcat-config/jmx-exporter.yaml}, serving on 127.0.0.1.
         *
         * @param agent the exporter's agent JAR ({@code jmx_prometheus_javaagent})
         * @param port  its HTTP port; 0 picks a free one
         * @return this
         */
        public Builder prometheusExporter(Path agent, int port) throws IOException {
            this.exporterAgent = agent;
            this.exporterPort = port == 0 ? freePort() : port;
            return this;
        }

        /**
         * Passes this process's {@code CATALINA_OPTS} and {@code JAVA_OPTS} on to Tomcat (before the options of its
         * own), as an operator's launcher does; by default Tomcat starts without them, as a test needs.
         *
         * @return this
         */
        public Builder keepCallerOptions() {
            this.keepCallerOptions = true;
            return this;
        }

        /**
         * Sets a system property of Tomcat's JVM, which its configuration files can use as {@code ${key}}.
         *
         * @param key   the property, e.g. {@code simplevisor.example.node-id}
         * @param value its value, without spaces or quotes
         * @return this
         */
        public Builder systemProperty(String key, String value) {
            this.systemProperties.put(key, value);
            return this;
        }

        /** @param jar a JAR for {@code $CATALINA_BASE/lib}, e.g. a JDBC driver of a container resource @return this */
        public Builder library(Path jar) {
            this.libraries.add(jar);
            return this;
        }

        /** Lays out {@code CATALINA_BASE} and applies {@code tomcat-config/}. @return the Tomcat, not started */
        public StandaloneTomcat prepare() throws IOException {
            Objects.requireNonNull(home, "home");
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(config, "config");
            if (httpPort == 0) {
                freePorts();
            }
            StandaloneTomcat tomcat = new StandaloneTomcat(this);
            tomcat.layOut();
            return tomcat;
        }
    }

    // ---------------------------------------------------------------- layout

    private void layOut() throws IOException {
        if (!Files.isRegularFile(home.resolve("bin/catalina.sh"))) {
            throw new IOException("not a Tomcat distribution (no bin/catalina.sh): " + home);
        }
        deleteTree(base);
        for (String dir : List.of("bin", "conf", "lib", "logs", "temp", "webapps", "work")) {
            Files.createDirectories(base.resolve(dir));
        }
        // The distribution's configuration, then tomcat-config/ over it: what an operator does.
        copyTree(home.resolve("conf"), base.resolve("conf"));
        copyTree(config.resolve("conf"), base.resolve("conf"));
        copyTree(config.resolve("bin"), base.resolve("bin"));
        // git does not keep file modes, and the JVM refuses a password file others can read.
        Files.setPosixFilePermissions(base.resolve("conf/jmxremote.password"),
                PosixFilePermissions.fromString("rw-------"));
        // The manager application (the text API deploys, undeploys and finds leaks).
        copyTree(home.resolve("webapps/manager"), base.resolve("webapps/manager"));
        for (Path jar : libraries) {
            Files.copy(jar, base.resolve("lib").resolve(jar.getFileName().toString()));
        }
    }

    /**
     * Installs a context descriptor, {@code conf/Catalina/localhost/<name>.xml}: the application's container
     * configuration (resources, parameters), used instead of the WAR's {@code META-INF/context.xml}.
     *
     * @param descriptor the descriptor
     * @param path       the context path it configures, e.g. {@code /simplevisor-example}
     */
    public void installContextDescriptor(Path descriptor, String path) throws IOException {
        Path hostConfig = base.resolve("conf/Catalina/localhost");
        Files.createDirectories(hostConfig);
        Files.copy(descriptor, hostConfig.resolve(path.substring(1) + ".xml"), StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Copies a WAR into {@code webapps/}, deployed when Tomcat starts (or at the next auto-deploy scan).
     *
     * @param war  the WAR
     * @param path the context path, e.g. {@code /simplevisor-example}
     */
    public void installWar(Path war, String path) throws IOException {
        Files.copy(war, base.resolve("webapps").resolve(path.substring(1) + ".war"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    // ---------------------------------------------------------------- start and stop

    /**
     * Starts {@code catalina.sh run} and waits until the HTTP connector accepts connections, which Tomcat opens
     * after deploying what is in {@code webapps/}.
     *
     * @param timeout the longest wait
     */
    public void start(Duration timeout) throws IOException {
        if (process != null) {
            throw new IllegalStateException("already started");
        }
        ProcessBuilder builder = new ProcessBuilder("sh", home.resolve("bin/catalina.sh").toString(), "run")
                .directory(base.toFile())
                .redirectErrorStream(true);
        if (consoleLog != null) {
            Files.createDirectories(consoleLog.getParent());
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog.toFile()));
        } else {
            builder.inheritIO();
        }
        Map<String, String> env = builder.environment();
        String callerCatalinaOpts = keepCallerOptions ? env.getOrDefault("CATALINA_OPTS", "") : "";
        String callerJavaOpts = keepCallerOptions ? env.getOrDefault("JAVA_OPTS", "") : "";
        for (String inherited : List.of("CATALINA_OPTS", "JAVA_OPTS", "JRE_HOME", "CATALINA_PID", "CATALINA_TMPDIR",
                "CATALINA_OUT", "JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "LOGGING_CONFIG", "LOGGING_MANAGER")) {
            env.remove(inherited);
        }
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("CATALINA_HOME", home.toString());
        env.put("CATALINA_BASE", base.toString());
        env.put("JMX_PORT", String.valueOf(jmxPort));
        env.put("JMX_RMI_PORT", String.valueOf(jmxRmiPort));
        env.put("JAVA_OPTS", callerJavaOpts);
        // -1: no shutdown port; this Tomcat is stopped by its PID.
        String options = "-Dhttp.port=" + httpPort + " -Dshutdown.port=-1 -Xmx512m" + systemProperties.entrySet()
                .stream().map(p -> " -D" + p.getKey() + "=" + p.getValue()).collect(Collectors.joining());
        if (exporterAgent != null) {
            // catalina.sh evaluates CATALINA_OPTS, so the quotes keep a path with spaces in one argument
            options += " -javaagent:\"" + exporterAgent + "=127.0.0.1:" + exporterPort + ":"
                    + config.resolve(EXPORTER_CONFIG) + "\"";
        }
        env.put("CATALINA_OPTS", (callerCatalinaOpts + " " + options).strip());
        process = builder.start();
        stopOnJvmExit = StopOnJvmExit.install("stop-tomcat-" + process.pid(), this::stopQuietly);
        // The port is bound early (bindOnInit), but answers only once Tomcat has deployed webapps/ and started
        // its connector.
        waitFor(() -> answersHttp(httpUrl() + "/"), timeout, "an HTTP answer from " + httpUrl());
    }

    /** @return whether an HTTP GET of the URL gets any answer (whatever its status) within ten seconds */
    public static boolean answersHttp(String url) {
        try {
            java.net.HttpURLConnection connection =
                    (java.net.HttpURLConnection) java.net.URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(1_000);
            connection.setReadTimeout(10_000);
            try {
                return connection.getResponseCode() > 0;
            } finally {
                connection.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }

    /**
     * Waits for a condition while checking that Tomcat is still alive; the pause between checks is a wait on
     * Tomcat's process, so a Tomcat that dies ends the wait at once.
     */
    public void waitFor(BooleanSupplier condition, Duration timeout, String what) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("gave up waiting for " + what + " after " + timeout.toSeconds() + " s"
                        + logHint());
            }
            try {
                if (process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IOException("Tomcat exited with code " + process.exitValue() + " while waiting for "
                            + what + logHint());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + what, e);
            }
        }
    }

    private String logHint() {
        return consoleLog != null ? "; see " + consoleLog : "";
    }

    /** Stops Tomcat by its PID (SIGTERM, then SIGKILL after a minute); idempotent. @return its exit code */
    public int stop() {
        if (process == null) {
            return 0;
        }
        try {
            if (process.isAlive()) {
                List<ProcessHandle> descendants = process.descendants().toList();
                process.destroy(); // SIGTERM: Tomcat's shutdown hook stops it in order
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
                descendants.forEach(ProcessHandle::destroyForcibly);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return -1;
        } finally {
            if (stopOnJvmExit != null) {
                stopOnJvmExit.remove();
            }
        }
    }

    private void stopQuietly() {
        stop();
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Waits for Tomcat to exit on its own (e.g. after Ctrl-C reached it).
     *
     * @return its exit code
     */
    public int awaitExit() throws InterruptedException {
        return process.waitFor();
    }

    // ---------------------------------------------------------------- what it is

    /** @return Tomcat's PID */
    public long pid() {
        return process.pid();
    }

    /** @return whether Tomcat's process is alive */
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** @return {@code CATALINA_HOME} */
    public Path home() {
        return home;
    }

    /** @return {@code CATALINA_BASE} */
    public Path base() {
        return base;
    }

    /** @return Tomcat's console output file, or {@code null} when it goes to this process's console */
    public Path consoleLog() {
        return consoleLog;
    }

    /** @return the HTTP port on 127.0.0.1 */
    public int httpPort() {
        return httpPort;
    }

    /** @return the JMX registry port on 127.0.0.1 */
    public int jmxPort() {
        return jmxPort;
    }

    /** @return the JMX RMI server port on 127.0.0.1 */
    public int jmxRmiPort() {
        return jmxRmiPort;
    }

    /** @return e.g. {@code http://127.0.0.1:8080} */
    public String httpUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** @return the address Prometheus scrapes, or {@code null} without the exporter */
    public String metricsUrl() {
        return exporterAgent == null ? null : "http://127.0.0.1:" + exporterPort + "/metrics";
    }

    /** @return the JMX service URL JConsole and VisualVM connect to */
    public String jmxUrl() {
        return "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi";
    }

    /** @param role {@code monitor} or {@code control} @return its password in {@code tomcat-config/} */
    public String jmxPassword(String role) {
        String password = credentials.get(role);
        if (password == null) {
            throw new IllegalArgumentException("no JMX role " + role + " in " + config.resolve("conf/jmxremote.password"));
        }
        return password;
    }

    /** @return the manager user's password in {@code tomcat-config/conf/tomcat-users.xml} */
    public String managerPassword() throws IOException {
        String users = Files.readString(config.resolve("conf/tomcat-users.xml"));
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("username=\"" + MANAGER_USER + "\"\\s+password=\"([^\"]*)\"").matcher(users);
        if (!m.find()) {
            throw new IOException("no user " + MANAGER_USER + " in tomcat-config/conf/tomcat-users.xml");
        }
        return m.group(1);
    }

    /** @return the distribution's version, e.g. {@code 11.0.24}, from {@code lib/catalina.jar} */
    public String version() throws IOException {
        try (JarFile jar = new JarFile(home.resolve("lib/catalina.jar").toFile())) {
            return jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
    }

    /** @return the text of every log: console output and {@code logs/*.log} */
    public String allLogs() throws IOException {
        StringBuilder text = new StringBuilder();
        if (consoleLog != null && Files.exists(consoleLog)) {
            text.append(Files.readString(consoleLog));
        }
        try (Stream<Path> logs = Files.list(base.resolve("logs"))) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                text.append(Files.readString(log));
            }
        }
        return text.toString();
    }

    /**
     * The log entries that contain one of the phrases: each is the matching line with the indented lines after it
     * (a stack trace).
     *
     * @param phrases what to look for, literally
     * @return the entries, in log order
     */
    public List<String> logEntriesContaining(List<String> phrases) throws IOException {
        Matcher entry = Pattern.compile("(?m)^.*(?:" + phrases.stream().map(Pattern::quote)
                .collect(Collectors.joining("|")) + ").*$(?:\\R[ \\t].*$)*").matcher(allLogs());
        List<String> entries = new ArrayList<>();
        while (entry.find()) {
            entries.add(entry.group());
        }
        return entries;
    }

    /**
     * The leak warnings ({@link #LEAK_WARNINGS}) in Tomcat's logs. One warning is Tomcat's own race, not a leak, and is
     * left out: Tomcat's background processor ({@code Catalina-utility-N}) sets a context's class loader on its
     * thread before calling the synchronized {@code StandardContext.backgroundProcess()}; if its ten-second tick falls
     * while that context is stopping, it waits there for the stop's lock, and the stop's thread check sees it.
     *
     * @return the warnings, each with its stack trace
     */
    public List<String> leakWarnings() throws IOException {
        return logEntriesContaining(LEAK_WARNINGS).stream()
                .filter(warning -> !isBackgroundProcessorRace(warning))
                .toList();
    }

    private static boolean isBackgroundProcessorRace(String warning) {
        return warning.contains("started a thread named [Catalina-utility-")
                && warning.contains("Stack trace of thread:")
                && warning.lines().skip(1).findFirst().orElse("")
                        .contains("org.apache.catalina.core.StandardContext.backgroundProcess(");
    }

    // ---------------------------------------------------------------- JMX

    /**
     * Connects to Tomcat's remote JMX as a role of {@code tomcat-config/conf/jmxremote.password}.
     *
     * @param role {@code monitor} (read-only) or {@code control} (read-write)
     * @return the connector; the caller closes it
     */
    public JMXConnector connectJmx(String role) throws IOException {
        return JMXConnectorFactory.connect(new JMXServiceURL(jmxUrl()),
                Map.of(JMXConnector.CREDENTIALS, new String[] {role, jmxPassword(role)}));
    }

    // ---------------------------------------------------------------- helpers

    /** @return a port free on 127.0.0.1 right now */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** @return whether something accepts connections on 127.0.0.1:port */
    public static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads {@code role password} lines of a (clear-text) JMX password file. */
    static Map<String, String> readCredentials(Path passwordFile) {
        Map<String, String> credentials = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(passwordFile)) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] fields = trimmed.split("\\s+");
                if (fields.length >= 2) {
                    credentials.put(fields[0], fields[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return credentials;
    }

    static void copyTree(Path from, Path to) throws IOException {
        if (!Files.exists(from)) {
            return;
        }
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.forEach(paths::add);
        }
        for (int i = paths.size() - 1; i >= 0; i--) {
            Files.delete(paths.get(i));
        }
    }
}
