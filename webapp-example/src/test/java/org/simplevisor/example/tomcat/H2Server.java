package org.simplevisor.example.tomcat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An H2 database server in a JVM of its own (the H2 JAR from Maven Central), TCP on 127.0.0.1 only, its databases
 * in memory, stopped by its PID. Where {@code setsid} exists it runs in a session of its own, so that a Ctrl-C at
 * the terminal reaches the Tomcats first and the database is still there when they give their leases back.
 * Uses only the JDK.
 */
public final class H2Server implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final Process process;
    private final int port;

    private H2Server(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts the server and waits until it accepts connections.
     *
     * @param h2Jar   the H2 JAR ({@code com.h2database:h2})
     * @param port    its TCP port on 127.0.0.1
     * @param log     where its output goes
     * @param timeout the longest wait
     * @return the running server
     */
    public static H2Server start(Path h2Jar, int port, Path log, Duration timeout) throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString()); // not a process group leader, so it execs in place: the PID stays
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dh2.bindAddress=127.0.0.1", "-Xmx256m", "-cp", h2Jar.toAbsolutePath().toString(),
                "org.h2.tools.Server", "-tcp", "-tcpPort", String.valueOf(port), "-ifNotExists"));
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        H2Server server = new H2Server(process, port);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!StandaloneTomcat.isListening(port)) {
                if (System.nanoTime() - deadline > 0 || process.waitFor(100, TimeUnit.MILLISECONDS)) {
                    throw new IOException("the H2 server did not start on 127.0.0.1:" + port + "; see " + log);
                }
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        } catch (InterruptedException e) {
            server.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the H2 server", e);
        }
        return server;
    }

    /** {@return the JDBC URL of one of its in-memory databases, kept while the server runs} @param name its name */
    public String url(String name) {
        return "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:" + name + ";DB_CLOSE_DELAY=-1";
    }

    /** {@return its TCP port on 127.0.0.1} */
    public int port() {
        return port;
    }

    /** {@return its PID} */
    public long pid() {
        return process.pid();
    }

    /** Stops the server by its PID: SIGTERM, then SIGKILL if it is still there after 30 s. Idempotent. */
    @Override
    public void close() {
        try {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
