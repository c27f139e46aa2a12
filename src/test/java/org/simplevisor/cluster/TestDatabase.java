package org.simplevisor.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * A real database server or engine a test runs the lease store on, bound to 127.0.0.1 where it listens. Each has a
 * user with every right, a user that may only read every table (present and future), and an address where nothing
 * answers.
 */
public interface TestDatabase extends AutoCloseable {

    /** {@return the database's name, for test names and messages} */
    String name();

    /** {@return a user with every right on the test schema} */
    DataSource dataSource();

    /** {@return a user that may read every table of the test schema and write none, nor create one} */
    DataSource readOnlyDataSource();

    /** {@return the same driver, pointed at a loopback port where no server listens} */
    DataSource unreachableDataSource();

    /** Stops the server (by its PID, where it is a process of its own). */
    @Override
    void close();

    /** Runs one statement as the user with every right. */
    default void execute(String sql) {
        try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(name() + ": " + sql, e);
        }
    }

    /** {@return a loopback port that was free a moment ago} */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }

    /** Deletes a directory a test made, with everything in it. */
    static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not delete " + directory, e);
        }
    }
}
