package org.simplevisor.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.simplevisor.Lease;
import org.simplevisor.LeaseStore;
import org.simplevisor.LeaseStoreException;
import org.simplevisor.LeaseStoreUnavailableException;
import org.simplevisor.LeaseTiming;

/**
 * A {@link LeaseStore} in a table of the application's own relational database: PostgreSQL, H2, MariaDB or MySQL.
 *
 * <pre>{@code
 * LeaseStore leases = JdbcLeaseStore.builder(dataSource)
 *         .table("simplevisor_lease")          // the default
 *         .leaseTime(Duration.ofSeconds(30))   // the default: renew every 5 s, stop work after 20 s without
 *         .build();
 * }</pre>
 *
 * <p>One row per lease: {@code lease_name} (the key), {@code holder} (the node that acquired it last),
 * {@code token} (the fencing token) and {@code expires_at}. Expiry is computed and compared in SQL with the
 * database's clock ({@code CURRENT_TIMESTAMP}; {@code UTC_TIMESTAMP} on MySQL and MariaDB), never a node's. An
 * acquisition sets the token to the previous one plus one, in a statement that succeeds only if the token is still
 * the one read and the lease has expired, so tokens only grow and two nodes never acquire the same expiry. A release
 * moves the expiry to now; rows are never deleted, so a token is never reused.
 *
 * <p>Every statement runs in auto-commit on a connection borrowed from the {@code DataSource} for that statement
 * alone. The statements of one call share half the renewal interval, the most a call may take: each gets as query
 * timeout what the statements before it left (at least one second, JDBC's unit), and one that would get nothing is
 * not run: the call fails as the database not answering in time. Renewing all the
 * leases a node holds takes one {@code UPDATE}, and reading the holders of the leases it waits for one
 * {@code SELECT}, for up to 1,000 leases each.
 *
 * <p>{@link #prepare()} creates the table when it is missing (unless {@link Builder#createTable(boolean)} is off),
 * then checks that it has the four columns, that its expiry does not depend on the session's time zone (a time zone
 * in its type on PostgreSQL and H2, {@code DATETIME} on MariaDB and MySQL) and keeps at least milliseconds (whole
 * seconds would end leases up to a second early), that on MariaDB and MySQL its names
 * compare exactly (a binary collation), that the user may write it, and that it keeps one row per lease name (two
 * first rows of one lease, inserted in a transaction rolled back, are refused); each failure names the table. The DDL,
 * for reference (types per database: {@code TIMESTAMP WITH TIME ZONE} on PostgreSQL, {@code TIMESTAMP(6) WITH TIME
 * ZONE} on H2, {@code DATETIME(6)} in UTC on MariaDB and MySQL, whose names are {@code utf8mb4} with the binary
 * collation {@code utf8mb4_bin}, so that names differing in case only are different leases):
 * <pre>
 * CREATE TABLE simplevisor_lease (
 *     lease_name VARCHAR(255) NOT NULL PRIMARY KEY,
 *     holder     VARCHAR(255) NOT NULL,
 *     token      BIGINT       NOT NULL,
 *     expires_at TIMESTAMP WITH TIME ZONE NOT NULL)
 * </pre>
 */
public final class JdbcLeaseStore implements LeaseStore {

    /** The lease table unless configured otherwise: {@value}. */
    public static final String DEFAULT_TABLE = "simplevisor_lease";
    /** Leases per renewal or holder query: far below every database's limit on statement parameters. */
    static final int LEASES_PER_STATEMENT = 1000;
    private static final List<String> COLUMNS = List.of("lease_name", "holder", "token", "expires_at");
    /** An unquoted SQL identifier, optionally qualified by a schema: nothing else reaches the SQL text. */
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
    /** The class of SQLState of an integrity constraint violation: here, a concurrent first acquisition. */
    private static final String INTEGRITY_CONSTRAINT_VIOLATION = "23";
    /** The fewest fractional digits of a second an expiry must keep: the lease time is in milliseconds. */
    private static final int MIN_EXPIRY_DIGITS = 3;

    private final DataSource dataSource;
    private final String table;
    private final LeaseTiming timing;
    private final boolean createTable;
    private final int queryTimeoutSeconds;
    private final LongSupplier ticker;
    private volatile Sql sql;              // null until prepared
    private volatile boolean closed;

    private JdbcLeaseStore(Builder builder, LeaseTiming timing) {
        dataSource = builder.dataSource;
        table = builder.table;
        createTable = builder.createTable;
        this.timing = timing;
        queryTimeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timing.renewInterval().toSeconds() / 2));
        ticker = builder.ticker;
    }

    /**
     * {@return a builder of a store on the given database}
     *
     * @param dataSource the database, typically the application's JNDI {@code DataSource}; the store never closes it
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Checks a table name as {@link Builder#table(String)} does: nothing but an SQL identifier reaches the SQL text.
     *
     * @param table a table name
     * @return the name
     * @throws IllegalArgumentException if it is not an unquoted SQL identifier, optionally qualified by a schema
     */
    public static String requireTableName(String table) {
        Objects.requireNonNull(table, "table");
        if (!TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("table must be an unquoted SQL identifier, optionally qualified by a "
                    + "schema (letters, digits, underscores), was \"" + table + "\"");
        }
        return table;
    }

    @Override
    public LeaseTiming timing() {
        return timing;
    }

    /** {@return the lease table's name} */
    public String table() {
        return table;
    }

    /** {@return the time the statements of one call share, in seconds: the query timeout of its first} */
    public int queryTimeoutSeconds() {
        return queryTimeoutSeconds;
    }

    // ---------------------------------------------------------------- preparation

    /**
     * Finds out which database this is, creates the table if it is missing and creation is on, and checks that the
     * table has every column, that the user may insert and update its rows, and that it keeps one row per lease name.
     * Uses one connection for all of it.
     *
     * @throws LeaseStoreUnavailableException if the database cannot be reached now
     * @throws LeaseStoreException            if the database is not supported, or the table is missing, lacks a
     *                                        column, has an expiry that depends on the session's time zone or
     *                                        keeps less than milliseconds,
     *                                        compares names ignoring case (a MariaDB or MySQL collation other than
     *                                        a binary one), may not be written, or has no key on the lease name
     *                                        alone (two nodes could acquire a lease at once)
     */
    @Override
    public void prepare() throws LeaseStoreException {
        requireOpen();
        if (sql != null) {
            return;
        }
        String what = "prepare the lease table " + table;
        Budget budget = new Budget();
        try {
            sql = executeOrThrow(what, budget, connection -> prepare(connection, budget));
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    private Sql prepare(Connection connection, Budget budget) throws SQLException, LeaseStoreException {
        Sql statements = new Sql(dialectOf(connection), table, timing.leaseTime().toMillis());
        Map<String, Column> columns = readColumns(connection, budget);
        if (columns == null) {
            create(connection, statements, budget);
            columns = readColumns(connection, budget);
            if (columns == null) {
                throw new LeaseStoreException("lease table " + table + " cannot be read after its creation", null);
            }
        }
        Map<String, Column> present = columns;
        List<String> missing = COLUMNS.stream().filter(c -> !present.containsKey(c)).collect(Collectors.toList());
        if (!missing.isEmpty()) {
            throw new LeaseStoreException("lease table " + table + " lacks column(s) " + String.join(", ", missing)
                    + " of " + String.join(", ", COLUMNS) + "; expected: " + statements.createTable, null);
        }
        String expiryType = present.get("expires_at").type;
        if (!statements.dialect.isExpiryType(expiryType)) {
            // Written and compared through each session's time zone: a node in another zone than the last holder's
            // may see its lease as expired hours early, and take it while the holder still runs.
            throw new LeaseStoreException("lease table " + table + " has column expires_at of type " + expiryType
                    + ", whose values depend on the session's time zone (nodes in different zones would hold a lease "
                    + "at once); it must be " + statements.dialect.timestampType() + "; expected: "
                    + statements.createTable, null);
        }
        OptionalInt expiryDigits = statements.dialect == SqlDialect.MYSQL ? mysqlExpiryDigits(connection, budget)
                : OptionalInt.of(present.get("expires_at").scale);
        if (expiryDigits.orElse(MIN_EXPIRY_DIGITS) < MIN_EXPIRY_DIGITS) {
            // Every expiry cut or rounded to whole seconds may come up to a second before its lease time, out of the
            // time the holder has after its deadline to stop: the next holder could start before the run stops.
            throw new LeaseStoreException("lease table " + table + " has column expires_at with "
                    + expiryDigits.getAsInt() + " fractional digits of a second, to which the database cuts or "
                    + "rounds every expiry (a lease could expire up to a second early, before its holder stops); it "
                    + "must keep at least milliseconds: " + statements.dialect.timestampType() + "; expected: "
                    + statements.createTable, null);
        }
        if (statements.dialect == SqlDialect.MYSQL) {
            checkNamesComparedExactly(connection, statements, budget);
        }
        checkWritable(connection, budget);
        checkOneRowPerName(connection, statements, budget);
        return statements;
    }

    private SqlDialect dialectOf(Connection connection) throws SQLException, LeaseStoreException {
        var database = connection.getMetaData();
        Optional<SqlDialect> dialect = SqlDialect.of(database);
        if (dialect.isEmpty()) {
            throw new LeaseStoreException("JdbcLeaseStore supports PostgreSQL, H2, MariaDB and MySQL; the lease table "
                    + table + " would be in " + database.getDatabaseProductName() + " "
                    + database.getDatabaseProductVersion() + ", which is not supported", null);
        }
        return dialect.get();
    }

    /** A column of the table: its type's name as the driver gives it, and its scale (of a timestamp: its digits). */
    private static final class Column {
        final String type;
        final int scale;

        Column(String type, int scale) {
            this.type = type;
            this.scale = scale;
        }
    }

    /**
     * {@return the table's columns, by lower-case name, or {@code null} if the table cannot be read (missing)}
     */
    private Map<String, Column> readColumns(Connection connection, Budget budget) throws SQLException {
        try (PreparedStatement select = prepareStatement(connection, "SELECT * FROM " + table + " WHERE 1 = 0",
                budget);
                ResultSet empty = select.executeQuery()) {
            ResultSetMetaData metaData = empty.getMetaData();
            Map<String, Column> columns = new HashMap<>();
            for (int i = 1; i <= metaData.getColumnCount(); i++) {
                columns.put(metaData.getColumnLabel(i).toLowerCase(Locale.ROOT),
                        new Column(metaData.getColumnTypeName(i), metaData.getScale(i)));
            }
            return columns;
        } catch (SQLException e) {
            if (isUnavailable(e)) {
                throw e;
            }
            return null;
        }
    }

    /** Creates the missing table, or explains why it is not created. */
    private void create(Connection connection, Sql statements, Budget budget) throws SQLException,
            LeaseStoreException {
        if (!createTable) {
            throw new LeaseStoreException("lease table " + table + " does not exist (or cannot be read) and table "
                    + "creation is off; create it with: " + statements.createTable, null);
        }
        try (PreparedStatement create = prepareStatement(connection, statements.createTable, budget)) {
            create.executeUpdate();
        } catch (SQLException e) {
            if (isUnavailable(e)) {
                throw e;
            }
            if (readColumns(connection, budget) != null) {
                return; // another node created it at the same moment: PostgreSQL reports a duplicate catalog key
            }
            throw new LeaseStoreException("lease table " + table + " does not exist and could not be created ("
                    + e.getMessage() + "); create it with: " + statements.createTable, e);
        }
    }

    /**
     * Refuses a MariaDB or MySQL table whose name columns compare by a collation other than a binary one: created by
     * hand, or by a version before the names were {@code utf8mb4_bin}, with the server's default collation, which
     * ignores case, {@code /Shop/relay} and {@code /shop/relay} would be one lease.
     */
    private void checkNamesComparedExactly(Connection connection, Sql statements, Budget budget)
            throws SQLException, LeaseStoreException {
        int dot = table.indexOf('.');
        List<String> inexact = new ArrayList<>();
        try (PreparedStatement select = prepareStatement(connection, "SELECT column_name, collation_name FROM "
                + "information_schema.columns WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ? "
                + "AND column_name IN ('lease_name', 'holder') ORDER BY column_name DESC", budget)) {
            select.setString(1, dot < 0 ? null : table.substring(0, dot));
            select.setString(2, table.substring(dot + 1));
            try (ResultSet columns = select.executeQuery()) {
                while (columns.next()) {
                    String collation = columns.getString(2); // null: a binary type, compared byte by byte
                    if (collation != null && !collation.toLowerCase(Locale.ROOT).endsWith("_bin")) {
                        inexact.add(columns.getString(1).toLowerCase(Locale.ROOT) + " has collation " + collation);
                    }
                }
            }
        }
        if (!inexact.isEmpty()) {
            throw new LeaseStoreException("lease table " + table + " does not compare names exactly: column "
                    + String.join(", column ", inexact) + ", which may ignore case (/Shop/relay and /shop/relay "
                    + "would be one lease); convert it with: ALTER TABLE " + table + " MODIFY lease_name "
                    + statements.dialect.nameType() + " NOT NULL, MODIFY holder " + statements.dialect.nameType()
                    + " NOT NULL", null);
        }
    }

    /**
     * {@return the fractional digits of a second of a MariaDB or MySQL table's expiry, from the information schema
     * (MySQL's own driver gives a scale for decimal numbers only), or empty if it does not find the column}
     */
    private OptionalInt mysqlExpiryDigits(Connection connection, Budget budget) throws SQLException {
        int dot = table.indexOf('.');
        try (PreparedStatement select = prepareStatement(connection, "SELECT datetime_precision FROM "
                + "information_schema.columns WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ? "
                + "AND column_name = 'expires_at'", budget)) {
            select.setString(1, dot < 0 ? null : table.substring(0, dot));
            select.setString(2, table.substring(dot + 1));
            try (ResultSet column = select.executeQuery()) {
                if (!column.next()) {
                    return OptionalInt.empty();
                }
                int digits = column.getInt(1);
                return column.wasNull() ? OptionalInt.empty() : OptionalInt.of(digits);
            }
        }
    }

    /** Runs an insert and an update that touch no row: they fail, at no cost, where the user lacks the rights. */
    private void checkWritable(Connection connection, Budget budget) throws SQLException, LeaseStoreException {
        String columns = String.join(", ", COLUMNS);
        for (String write : List.of(
                "UPDATE " + table + " SET token = token WHERE 1 = 0",
                "INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM " + table + " WHERE 1 = 0")) {
            try (PreparedStatement statement = prepareStatement(connection, write, budget)) {
                statement.executeUpdate();
            } catch (SQLException e) {
                if (isUnavailable(e)) {
                    throw e;
                }
                throw new LeaseStoreException("lease table " + table + " cannot be written by this DataSource's user ("
                        + e.getMessage() + "); it needs SELECT, INSERT and UPDATE on it", e);
            }
        }
    }

    /**
     * Inserts two first rows of one lease, for two owners, in a transaction it rolls back: the second must be refused
     * as a duplicate. A table made by hand without a key on {@code lease_name} alone would let two nodes insert the
     * first row of a lease at once, and both would hold it. The probe's name is new for each check, so that nodes
     * preparing at once do not wait for each other's rows (MariaDB would even fail some of them as deadlocked).
     */
    private void checkOneRowPerName(Connection connection, Sql statements, Budget budget) throws SQLException,
            LeaseStoreException {
        String probe = "simplevisor-prepare-" + UUID.randomUUID();
        connection.setAutoCommit(false);
        try {
            for (String owner : List.of("probe-1", "probe-2")) {
                try (PreparedStatement insert = prepareStatement(connection, statements.insertFirst, budget)) {
                    insert.setString(1, probe);
                    insert.setString(2, owner);
                    insert.executeUpdate();
                } catch (SQLException e) {
                    if (isUnavailable(e)) {
                        throw e;
                    } else if (owner.equals("probe-2") && isFirstInsertConflict(e)) {
                        return; // one row per name
                    }
                    throw new LeaseStoreException("lease table " + table + " cannot take the first row of a lease ("
                            + e.getMessage() + "); expected: " + statements.createTable, e);
                }
            }
            throw new LeaseStoreException("lease table " + table + " does not keep one row per lease name (no "
                    + "primary key or unique constraint on lease_name alone): two nodes could acquire a lease at "
                    + "once; expected: " + statements.createTable, null);
        } finally {
            connection.rollback();
            connection.setAutoCommit(true);
        }
    }

    // ---------------------------------------------------------------- lease operations

    /**
     * Acquires a lease for {@code owner} if nobody holds it, in one statement when it is held and two when it is
     * free. Reads the lease's row; if it has none, inserts it with token 1; if it has expired, takes it over with the
     * next token, on condition that the token is still the one read.
     *
     * @throws IllegalArgumentException if the name or owner is empty or longer than {@link #MAX_NAME_LENGTH}, or the
     *                                  name ends with a space (MariaDB and MySQL ignore trailing spaces when they
     *                                  compare names: it would acquire the lease of the name without them)
     */
    @Override
    public Optional<Lease> tryAcquire(String name, String owner) throws LeaseStoreException {
        requireName("lease name", name);
        if (name.endsWith(" ")) {
            // MariaDB and MySQL pad names with spaces to compare them: "x " would acquire the lease "x"
            throw new IllegalArgumentException("lease name must not end with a space, was \"" + name + "\"");
        }
        requireName("owner", owner);
        Sql statements = prepared();
        String what = "acquire lease \"" + name + "\" in " + table;
        Budget budget = new Budget();
        Row row = execute(what, budget, connection -> {
            try (PreparedStatement select = prepareStatement(connection, statements.selectOne, budget)) {
                select.setString(1, name);
                try (ResultSet result = select.executeQuery()) {
                    return result.next() ? new Row(result.getLong(1), result.getInt(2) == 1) : null;
                }
            }
        });
        if (row == null) {
            return insertFirst(name, owner, statements, what, budget);
        } else if (row.live) {
            return Optional.empty();
        }
        long next = row.token + 1;
        int taken = execute(what, budget, connection -> {
            try (PreparedStatement update = prepareStatement(connection, statements.takeOver, budget)) {
                update.setString(1, owner);
                update.setLong(2, next);
                update.setString(3, name);
                update.setLong(4, row.token);
                return update.executeUpdate();
            }
        });
        return taken == 1 ? Optional.of(new Lease(name, owner, next)) : Optional.empty();
    }

    /** A lease's row as read before its acquisition: its token, and whether it is held (not expired). */
    private static final class Row {
        final long token;
        final boolean live;

        Row(long token, boolean live) {
            this.token = token;
            this.live = live;
        }
    }

    private Optional<Lease> insertFirst(String name, String owner, Sql statements, String what, Budget budget)
            throws LeaseStoreException {
        try {
            return executeOrThrow(what, budget, connection -> {
                try (PreparedStatement insert = prepareStatement(connection, statements.insertFirst, budget)) {
                    insert.setString(1, name);
                    insert.setString(2, owner);
                    insert.executeUpdate();
                    return Optional.of(new Lease(name, owner, 1));
                }
            });
        } catch (SQLException e) {
            if (isFirstInsertConflict(e)) {
                return Optional.empty(); // another node inserted the row first: the lease is theirs
            }
            throw failure(what, e);
        }
    }

    private static boolean isFirstInsertConflict(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith(INTEGRITY_CONSTRAINT_VIOLATION);
    }

    /**
     * Extends every given lease that is still held by the same acquisition, with one {@code UPDATE} per 1,000
     * leases. When that renews fewer rows than it was given, one {@code SELECT} finds out which: a lease is renewed
     * if it is still held by the same acquisition, since an expired lease cannot become live again without a new
     * acquisition, which changes its token.
     */
    @Override
    public Set<Lease> renew(Collection<Lease> held) throws LeaseStoreException {
        Map<String, Lease> byName = byName(held);
        Sql statements = prepared();
        Budget budget = new Budget();
        Set<Lease> renewed = new LinkedHashSet<>();
        for (List<Lease> chunk : chunks(new ArrayList<>(byName.values()))) {
            String what = "renew " + chunk.size() + " lease(s) in " + table;
            int count = execute(what, budget, connection -> {
                try (PreparedStatement update = prepareStatement(connection, statements.renew(chunk.size()),
                        budget)) {
                    int i = 1;
                    for (Lease lease : chunk) {
                        update.setString(i++, lease.name());
                        update.setString(i++, lease.owner());
                        update.setLong(i++, lease.token());
                    }
                    return update.executeUpdate();
                }
            });
            if (count == chunk.size()) {
                renewed.addAll(chunk);
            } else {
                Map<String, Lease> current = holders(chunk.stream().map(Lease::name).collect(Collectors.toList()),
                        statements, budget);
                chunk.stream().filter(lease -> lease.equals(current.get(lease.name()))).forEach(renewed::add);
            }
        }
        return renewed;
    }

    @Override
    public boolean release(Lease lease) throws LeaseStoreException {
        Objects.requireNonNull(lease, "lease");
        Sql statements = prepared();
        Budget budget = new Budget();
        return execute("release lease \"" + lease.name() + "\" in " + table, budget, connection -> {
            try (PreparedStatement update = prepareStatement(connection, statements.release, budget)) {
                update.setString(1, lease.name());
                update.setString(2, lease.owner());
                update.setLong(3, lease.token());
                return update.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Map<String, Lease> holders(Collection<String> names) throws LeaseStoreException {
        return holders(names, prepared(), new Budget());
    }

    private Map<String, Lease> holders(Collection<String> names, Sql statements, Budget budget)
            throws LeaseStoreException {
        Map<String, Lease> holders = new HashMap<>();
        for (List<String> chunk : chunks(new ArrayList<>(new LinkedHashSet<>(names)))) {
            execute("read " + chunk.size() + " lease(s) in " + table, budget, connection -> {
                try (PreparedStatement select = prepareStatement(connection, statements.holders(chunk.size()),
                        budget)) {
                    for (int i = 0; i < chunk.size(); i++) {
                        select.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet result = select.executeQuery()) {
                        while (result.next()) {
                            Lease lease = new Lease(result.getString(1), result.getString(2), result.getLong(3));
                            holders.put(lease.name(), lease);
                        }
                    }
                }
                return null;
            });
        }
        return holders;
    }

    /** Marks the store closed: later calls fail. The {@code DataSource} is the application's and stays open. */
    @Override
    public void close() {
        closed = true;
    }

    /** {@return the table, the database once prepared, and the lease time, for logs and messages} */
    @Override
    public String toString() {
        Sql statements = sql;
        return "JdbcLeaseStore[table=" + table + ", database=" + (statements == null ? "not prepared"
                : statements.dialect) + ", leaseTime=" + timing.leaseTime() + "]";
    }

    // ---------------------------------------------------------------- JDBC plumbing

    /** Work on a borrowed connection. */
    @FunctionalInterface
    private interface Work<T> {
        T on(Connection connection) throws SQLException, LeaseStoreException;
    }

    /** Runs one statement's work on a connection borrowed for it alone, in auto-commit. */
    private <T> T execute(String what, Budget budget, Work<T> work) throws LeaseStoreException {
        try {
            return executeOrThrow(what, budget, work);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** @param budget the call's time, which the work's statements use, and the borrow does not */
    private <T> T executeOrThrow(String what, Budget budget, Work<T> work) throws SQLException, LeaseStoreException {
        try (Connection connection = connect(what)) {
            boolean autoCommit = connection.getAutoCommit();
            if (!autoCommit) {
                connection.setAutoCommit(true);
            }
            T result;
            try {
                result = work.on(connection);
            } catch (SQLException | LeaseStoreException | RuntimeException failed) {
                if (!autoCommit) {
                    restoreAutoCommit(connection, failed); // the work's failure is what the caller must see
                }
                throw failed;
            } finally {
                budget.pause();
            }
            if (!autoCommit) {
                connection.setAutoCommit(false); // hand the pooled connection back as it was lent
            }
            return result;
        }
    }

    private static void restoreAutoCommit(Connection connection, Exception failed) {
        try {
            connection.setAutoCommit(false);
        } catch (SQLException alsoFailed) {
            failed.addSuppressed(alsoFailed);
        }
    }

    /** Borrows a connection. A failure to connect is the database being unavailable, unless it is a refusal. */
    private Connection connect(String what) throws LeaseStoreException {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            if (isRefusedLogin(e)) {
                throw new LeaseStoreException("could not " + what + ": the database refused the login: "
                        + e.getMessage(), e);
            }
            throw new LeaseStoreUnavailableException("could not " + what + ": no connection to the database: "
                    + e.getMessage(), e);
        }
    }

    private PreparedStatement prepareStatement(Connection connection, String text, Budget budget)
            throws SQLException {
        int timeoutSeconds = budget.secondsLeft();
        PreparedStatement statement = connection.prepareStatement(text);
        try {
            statement.setQueryTimeout(timeoutSeconds);
        } catch (SQLException | RuntimeException e) {
            try { // the caller's try-with-resources does not hold it yet
                statement.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        return statement;
    }

    /**
     * The time the statements of one call have together, {@link #queryTimeoutSeconds}: each statement's own query
     * timeout would let two of them take twice what the store promises. It runs from the first statement to the end of
     * the last, except while a connection is borrowed, which no query timeout bounds.
     */
    private final class Budget {
        private final long totalNanos = TimeUnit.SECONDS.toNanos(queryTimeoutSeconds);
        private long spentNanos;
        private boolean running;
        private long runningSince;

        /**
         * Runs the budget, if paused, for the next statement.
         *
         * @return the statement's query timeout: the time left, rounded up to JDBC's whole seconds
         * @throws SQLTimeoutException if no time is left: the statement is not run
         */
        int secondsLeft() throws SQLTimeoutException {
            long now = ticker.getAsLong();
            if (!running) {
                running = true;
                runningSince = now;
            }
            long leftNanos = totalNanos - spentNanos - (now - runningSince);
            if (leftNanos <= 0) {
                throw new SQLTimeoutException("the " + queryTimeoutSeconds + " s that the statements of a call of the "
                        + "lease store may take are used up", "HYT00");
            }
            long second = TimeUnit.SECONDS.toNanos(1);
            return (int) Math.min(queryTimeoutSeconds, (leftNanos + second - 1) / second);
        }

        /** Pauses the budget, while the next connection is borrowed. */
        void pause() {
            if (running) {
                spentNanos += ticker.getAsLong() - runningSince;
                running = false;
            }
        }
    }

    private static LeaseStoreException failure(String what, SQLException e) {
        String message = "could not " + what + ": " + e.getMessage();
        return isUnavailable(e) ? new LeaseStoreUnavailableException(message, e) : new LeaseStoreException(message, e);
    }

    /**
     * {@return whether an exception says the database could not be reached or did not answer in time, rather than
     * that it refused the statement}: by exception class, which JDBC 4 drivers use for connection loss and timeouts,
     * and by SQLState class for drivers that do not: 08 connection exception, 40 transaction rollback (deadlock,
     * serialization), 53 insufficient resources, 57 operator intervention (shutdown, cancel), HYT timeout.
     */
    static boolean isUnavailable(SQLException e) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException
                || e instanceof SQLNonTransientConnectionException) {
            return true;
        }
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
                || state.startsWith("57") || state.startsWith("HYT"));
    }

    /** SQLState class 28: invalid authorization. Trying again with the same credentials will not help. */
    private static boolean isRefusedLogin(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("28");
    }

    private Sql prepared() {
        requireOpen();
        Sql statements = sql;
        if (statements == null) {
            throw new IllegalStateException("JdbcLeaseStore on " + table + " is not prepared: call prepare() first");
        }
        return statements;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("JdbcLeaseStore on " + table + " is closed");
        }
    }

    private static void requireName(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty() || value.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(what + " must have 1 to " + MAX_NAME_LENGTH + " characters, was \""
                    + value + "\"");
        }
    }

    private static Map<String, Lease> byName(Collection<Lease> leases) {
        Map<String, Lease> byName = new LinkedHashMap<>();
        for (Lease lease : leases) {
            if (byName.putIfAbsent(lease.name(), lease) != null) {
                throw new IllegalArgumentException("two acquisitions of lease \"" + lease.name() + "\" to renew");
            }
        }
        return byName;
    }

    private static <T> List<List<T>> chunks(List<T> all) {
        List<List<T>> chunks = new ArrayList<>();
        for (int from = 0; from < all.size(); from += LEASES_PER_STATEMENT) {
            chunks.add(all.subList(from, Math.min(all.size(), from + LEASES_PER_STATEMENT)));
        }
        return chunks;
    }

    /** The statements of one table on one database, built once: only validated names and numbers are in the text. */
    private static final class Sql {
        final SqlDialect dialect;
        final String table;
        final String later;
        final String createTable;
        final String selectOne;
        final String insertFirst;
        final String takeOver;
        final String release;

        Sql(SqlDialect dialect, String table, long leaseMillis) {
            this.dialect = dialect;
            this.table = table;
            String now = dialect.now();
            later = dialect.nowPlusMillis(leaseMillis);
            createTable = "CREATE TABLE IF NOT EXISTS " + table + " (lease_name " + dialect.nameType()
                    + " NOT NULL PRIMARY KEY, holder " + dialect.nameType() + " NOT NULL, token BIGINT NOT NULL, "
                    + "expires_at " + dialect.timestampType() + " NOT NULL)";
            selectOne = "SELECT token, CASE WHEN expires_at > " + now + " THEN 1 ELSE 0 END FROM " + table
                    + " WHERE lease_name = ?";
            insertFirst = "INSERT INTO " + table + " (lease_name, holder, token, expires_at) VALUES (?, ?, 1, " + later
                    + ")";
            takeOver = "UPDATE " + table + " SET holder = ?, token = ?, expires_at = " + later
                    + " WHERE lease_name = ? AND token = ? AND expires_at <= " + now;
            release = "UPDATE " + table + " SET expires_at = " + now
                    + " WHERE lease_name = ? AND holder = ? AND token = ? AND expires_at > " + now;
        }

        String renew(int leases) {
            return "UPDATE " + table + " SET expires_at = " + later + " WHERE expires_at > " + dialect.now() + " AND ("
                    + String.join(" OR ", Collections.nCopies(leases,
                            "(lease_name = ? AND holder = ? AND token = ?)")) + ")";
        }

        String holders(int names) {
            return "SELECT lease_name, holder, token FROM " + table + " WHERE expires_at > " + dialect.now()
                    + " AND lease_name IN (" + String.join(", ", Collections.nCopies(names, "?")) + ")";
        }
    }

    /** Settings of a {@link JdbcLeaseStore}; all but the {@code DataSource} are optional. */
    public static final class Builder {
        private final DataSource dataSource;
        private String table = DEFAULT_TABLE;
        private Duration leaseTime = LeaseTiming.DEFAULT_LEASE_TIME;
        private Duration renewDeadline;
        private Duration renewInterval;
        private boolean createTable = true;
        private LongSupplier ticker = System::nanoTime;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * Sets the lease table.
         *
         * @param table the lease table, an unquoted SQL identifier, optionally qualified by its schema
         *              ({@code myschema.simplevisor_lease}); default {@value JdbcLeaseStore#DEFAULT_TABLE}
         * @return this builder
         * @throws IllegalArgumentException if the name is not such an identifier
         */
        public Builder table(String table) {
            this.table = requireTableName(table);
            return this;
        }

        /**
         * Sets how long a lease lasts, and with it, unless they are set on their own, the renewal interval and
         * deadline.
         *
         * @param leaseTime how long a lease lasts after its acquisition or last renewal, in the database's time;
         *                  default 30 s. Unless set on their own, holders renew every sixth of it and stop their
         *                  work after two thirds of it without a successful renewal.
         * @return this builder
         */
        public Builder leaseTime(Duration leaseTime) {
            this.leaseTime = Objects.requireNonNull(leaseTime, "leaseTime");
            return this;
        }

        /**
         * Sets how long a holder goes on without a successful renewal before it stops its work.
         *
         * @param renewDeadline how long a holder goes on without a successful renewal before it stops its work;
         *                      default two thirds of the lease time
         * @return this builder
         */
        public Builder renewDeadline(Duration renewDeadline) {
            this.renewDeadline = Objects.requireNonNull(renewDeadline, "renewDeadline");
            return this;
        }

        /**
         * Sets how often a holder renews and a waiting node tries to acquire.
         *
         * @param renewInterval how often a holder renews and a waiting node tries to acquire; default a sixth of
         *                      the lease time
         * @return this builder
         */
        public Builder renewInterval(Duration renewInterval) {
            this.renewInterval = Objects.requireNonNull(renewInterval, "renewInterval");
            return this;
        }

        /**
         * Sets whether {@link JdbcLeaseStore#prepare()} creates the lease table when it is missing.
         *
         * @param createTable whether {@link JdbcLeaseStore#prepare()} creates the table when it is missing (default
         *                    {@code true}); when off, a missing table fails it
         * @return this builder
         */
        public Builder createTable(boolean createTable) {
            this.createTable = createTable;
            return this;
        }

        /** For tests: the monotonic nanoseconds the store measures its statements' time with. */
        Builder ticker(LongSupplier ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Builds the store without touching the database: {@link JdbcLeaseStore#prepare()} does that.
         *
         * @return a new store
         * @throws IllegalArgumentException if the times do not satisfy
         *                                  {@code leaseTime > renewDeadline > 1.2 × renewInterval}
         */
        public JdbcLeaseStore build() {
            LeaseTiming defaults = LeaseTiming.of(leaseTime);
            return new JdbcLeaseStore(this, new LeaseTiming(leaseTime,
                    renewDeadline == null ? defaults.renewDeadline() : renewDeadline,
                    renewInterval == null ? defaults.renewInterval() : renewInterval));
        }
    }
}
