package org.simplevisor.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * A private MariaDB server: Debian's {@code mariadbd} (installed by {@code .ci/install-test-databases}) on a free
 * port of 127.0.0.1, with a new data directory in a temporary directory, stopped by its PID and its directory
 * deleted. Where MariaDB is not installed, {@link #start()} skips the test, saying why.
 */
public final class MariaDbDatabase implements TestDatabase {

    private static final Path SERVER = Path.of("/usr/sbin/mariadbd");
    private static final Path INSTALL_DB = Path.of("/usr/bin/mariadb-install-db");
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Path directory;
    private final int port;
    private final Process process;
    private final Thread killOnExit;

    private MariaDbDatabase(Path directory, int port, Process process) {
        this.directory = directory;
        this.port = port;
        this.process = process;
        killOnExit = new Thread(process::destroyForcibly, "mariadb-" + process.pid() + "-kill-on-exit");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Starts a server, or skips the calling test if MariaDB is not installed. */
    public static MariaDbDatabase start() throws IOException, InterruptedException {
        if (!Files.isExecutable(SERVER) || !Files.isExecutable(INSTALL_DB)) {
            String reason = "MariaDB is not installed (" + SERVER + " not found): its lease store tests are skipped; "
                    + ".ci/install-test-databases installs it (as root, from Debian's mariadb-server)";
            System.err.println("SKIPPED: " + reason);
            Assumptions.abort(reason);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path directory = Files.createTempDirectory("simplevisor-mariadb-");
        Path data = directory.resolve("data");
        Path log = directory.resolve("server.log");
        List<String> install = new ArrayList<>(List.of(INSTALL_DB.toString(), "--no-defaults",
                "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db"));
        if (root) {
            install.add("--user=root");
        }
        run(install, directory.resolve("install.log"));
        Path init = directory.resolve("init.sql");
        Files.writeString(init, String.join("\n",
                "CREATE DATABASE leases;",
                "CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'app';",
                "GRANT ALL ON leases.* TO 'app'@'127.0.0.1';",
                "CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY 'reader';",
                "GRANT SELECT ON leases.* TO 'reader'@'127.0.0.1';", ""));
        int port = TestDatabase.freePort();
        List<String> command = new ArrayList<>(List.of(SERVER.toString(), "--no-defaults", "--datadir=" + data,
                "--bind-address=127.0.0.1", "--port=" + port, "--socket=" + directory.resolve("mariadb.sock"),
                "--pid-file=" + directory.resolve("mariadb.pid"), "--skip-name-resolve", "--init-file=" + init,
                "--log-error=" + log, "--skip-log-bin", "--innodb-buffer-pool-size=16M",
                "--performance-schema=OFF"));
        if (root) {
            command.add("--user=root"); // mariadbd refuses to run as root unless told to
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(directory.resolve("stdout.log").toFile()).start();
        MariaDbDatabase database = new MariaDbDatabase(directory, port, process);
        try {
            database.awaitReady(log);
        } catch (RuntimeException | Error e) {
            database.close();
            throw e;
        }
        return database;
    }

    private static void run(List<String> command, Path log) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(command.get(0) + " failed:\n" + Files.readString(log));
        }
    }

    private void awaitReady(Path log) {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mariadbd exited with " + process.exitValue() + ":\n" + read(log));
            }
            try (Connection connection = dataSource().getConnection()) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS); // returns early if the server dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while MariaDB started", e);
            }
        }
        throw new IllegalStateException("MariaDB did not accept connections within " + STARTUP + ":\n" + read(log),
                last);
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public String name() {
        return "MariaDB";
    }

    @Override
    public DataSource dataSource() {
        return dataSource(port, "app");
    }

    @Override
    public DataSource readOnlyDataSource() {
        return dataSource(port, "reader");
    }

    @Override
    public DataSource unreachableDataSource() {
        return dataSource(TestDatabase.freePort(), "app");
    }

    private static DataSource dataSource(int port, String user) {
        try {
            return new MariaDbDataSource("jdbc:mariadb://127.0.0.1:" + port + "/leases?user=" + user + "&password="
                    + user + "&connectTimeout=5000");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server by its PID (SIGTERM, then SIGKILL after 30 s) and deletes its directory. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().removeShutdownHook(killOnExit);
        TestDatabase.deleteRecursively(directory);
    }
}
