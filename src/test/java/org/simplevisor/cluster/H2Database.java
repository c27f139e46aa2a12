package org.simplevisor.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.h2.tools.Server;

/**
 * H2, either embedded in this JVM (in memory) or behind its TCP server on 127.0.0.1 (a file database). The server
 * binds to loopback only through the system property {@code h2.bindAddress}, which H2 reads once: the build sets it
 * for every test JVM, and {@link #startServer()} refuses to start without it.
 */
public final class H2Database implements TestDatabase {

    private static final String BIND_ADDRESS = "h2.bindAddress";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final String READER = "LEASE_READER";
    /** Keeps the database when its last connection closes; only an administrator may say so. */
    private static final String KEEP_OPEN = ";DB_CLOSE_DELAY=-1";

    private final String url;
    private final String name;
    private final Path baseDir;          // null when embedded
    private final int port;              // 0 when embedded
    private Server server;               // null when embedded

    private H2Database(String name, String url, Path baseDir, int port) {
        this.name = name;
        this.url = url;
        this.baseDir = baseDir;
        this.port = port;
    }

    /** An in-memory database of this JVM, kept until the JVM ends. */
    public static H2Database embedded() {
        H2Database database = new H2Database("H2 (embedded)",
                "jdbc:h2:mem:leases" + DATABASES.incrementAndGet(), null, 0);
        database.createReader();
        return database;
    }

    /** A TCP server on a free loopback port, with a file database in a new temporary directory. */
    public static H2Database startServer() throws Exception {
        if (!"127.0.0.1".equals(System.getProperty(BIND_ADDRESS))) {
            throw new IllegalStateException("the H2 server would listen on every interface: run the tests with -D"
                    + BIND_ADDRESS + "=127.0.0.1, as the build does");
        }
        Path baseDir = Files.createTempDirectory("simplevisor-h2-");
        int port = TestDatabase.freePort();
        H2Database database = new H2Database("H2 (TCP server)",
                "jdbc:h2:tcp://127.0.0.1:" + port + "/leases", baseDir, port);
        database.restart();
        database.createReader();
        return database;
    }

    /** Starts the TCP server again, on the same port and database, after {@link #stop()}. */
    public void restart() throws SQLException {
        server = Server.createTcpServer("-tcpPort", Integer.toString(port), "-baseDir", baseDir.toString(),
                "-ifNotExists").start();
    }

    /** Stops the TCP server; the database waits in its file. */
    public void stop() {
        server.stop();
    }

    /** {@return the JDBC URL of the user with every right, for another JVM} */
    public String url() {
        return url + KEEP_OPEN;
    }

    private void createReader() {
        execute("CREATE USER " + READER + " PASSWORD '" + READER + "'");
        execute("GRANT SELECT ON SCHEMA PUBLIC TO " + READER);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DataSource dataSource() {
        return dataSource(url + KEEP_OPEN, "sa");
    }

    @Override
    public DataSource readOnlyDataSource() {
        return dataSource(url, READER);
    }

    @Override
    public DataSource unreachableDataSource() {
        return dataSource("jdbc:h2:tcp://127.0.0.1:" + TestDatabase.freePort() + "/leases", "sa");
    }

    private static DataSource dataSource(String url, String user) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(url);
        dataSource.setUser(user);
        dataSource.setPassword(user.equals("sa") ? "" : user);
        return dataSource;
    }

    @Override
    public void close() {
        if (server != null) {
            if (!server.isRunning(false)) {
                try {
                    restart(); // to shut the database down, which the server's stop leaves open
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
            execute("SHUTDOWN");
            server.stop();
            TestDatabase.deleteRecursively(baseDir);
        }
    }
}
