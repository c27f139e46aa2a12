package org.simplevisor.cluster;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import org.simplevisor.LeaseStore;

/**
 * What differs between the databases {@link JdbcLeaseStore} runs on: the types of the name and expiry columns and
 * how the database's own clock is read. Everything else is standard SQL.
 */
enum SqlDialect {

    /** {@code CURRENT_TIMESTAMP} is the start of the statement's transaction: in auto-commit, of the statement. */
    POSTGRESQL("", "TIMESTAMP WITH TIME ZONE", "timestamptz", "CURRENT_TIMESTAMP") {
        @Override
        String nowPlusMillis(long millis) {
            return "CURRENT_TIMESTAMP + INTERVAL '" + millis + " milliseconds'";
        }
    },
    H2("", "TIMESTAMP(6) WITH TIME ZONE", "TIMESTAMP WITH TIME ZONE", "CURRENT_TIMESTAMP") {
        @Override
        String nowPlusMillis(long millis) {
            return "DATEADD(MILLISECOND, " + millis + ", CURRENT_TIMESTAMP)";
        }
    },
    /**
     * MySQL and MariaDB. The expiry is a {@code DATETIME} in UTC: {@code UTC_TIMESTAMP} does not depend on the
     * session's time zone (which a connection pool may set differently per connection) and {@code DATETIME} has no
     * year-2038 limit. Names are utf8mb4 compared by code point ({@code utf8mb4_bin}, which still ignores trailing
     * spaces): the server's default collation ignores case (MySQL 8's accents too), which made {@code /Shop/relay}
     * and {@code /shop/relay} one lease, and its default character set may be latin1, which cannot hold every name
     * (one such name failed the holders' read of every singleton).
     */
    MYSQL(" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", "DATETIME(6)", "DATETIME", "UTC_TIMESTAMP(6)") {
        @Override
        String nowPlusMillis(long millis) {
            return "UTC_TIMESTAMP(6) + INTERVAL " + Math.multiplyExact(millis, 1000L) + " MICROSECOND";
        }
    };

    private final String nameCollation;
    private final String timestampType;
    private final String expiryTypeName;
    private final String now;

    SqlDialect(String nameCollation, String timestampType, String expiryTypeName, String now) {
        this.nameCollation = nameCollation;
        this.timestampType = timestampType;
        this.expiryTypeName = expiryTypeName;
        this.now = now;
    }

    /** {@return the SQL type of the lease name and holder columns: names differing in case are different names} */
    String nameType() {
        return "VARCHAR(" + LeaseStore.MAX_NAME_LENGTH + ")" + nameCollation;
    }

    /** {@return the SQL type of the expiry column} */
    String timestampType() {
        return timestampType;
    }

    /**
     * {@return whether an expiry column of this type, as the driver names it, holds the same instant whatever the
     * session's time zone} Not a timestamp without time zone on PostgreSQL and H2, nor a {@code TIMESTAMP} on MariaDB
     * and MySQL: each session would write and compare the expiry in its own zone.
     *
     * @param typeName the type's name from the driver's result set metadata
     */
    boolean isExpiryType(String typeName) {
        return expiryTypeName.equalsIgnoreCase(typeName);
    }

    /** {@return an SQL expression of the database's current time, the same throughout one statement} */
    String now() {
        return now;
    }

    /** {@return an SQL expression of the database's current time plus {@code millis} milliseconds} */
    abstract String nowPlusMillis(long millis);

    /** {@return the dialect of the database a connection leads to, if it is one of those supported} */
    static Optional<SqlDialect> of(DatabaseMetaData database) throws SQLException {
        String product = database.getDatabaseProductName().toLowerCase(Locale.ROOT);
        if (product.equals("postgresql")) {
            return Optional.of(POSTGRESQL);
        } else if (product.equals("h2")) {
            return Optional.of(H2);
        } else if (product.equals("mysql") || product.equals("mariadb")) {
            return Optional.of(MYSQL);
        }
        return Optional.empty();
    }
}
