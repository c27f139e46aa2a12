package org.simplevisor.cluster;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A real {@code DataSource} that counts the connections borrowed from it and can be cut off, as a node whose
 * network to the database fails. {@link JdbcLeaseStore} borrows one connection per statement, so the count is the
 * number of statements.
 */
public final class ObservedDataSource implements DataSource {

    private final DataSource target;
    private final AtomicInteger borrowed = new AtomicInteger();
    private volatile boolean cutOff;

    public ObservedDataSource(DataSource target) {
        this.target = target;
    }

    /** {@return the connections borrowed since the last call, and starts counting afresh} */
    public int takeCount() {
        return borrowed.getAndSet(0);
    }

    /** Makes every later borrow fail as a connection refused does, or succeed again. */
    public void cutOff(boolean cutOff) {
        this.cutOff = cutOff;
    }

    @Override
    public Connection getConnection() throws SQLException {
        borrow();
        return target.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        borrow();
        return target.getConnection(username, password);
    }

    private void borrow() throws SQLException {
        borrowed.incrementAndGet();
        if (cutOff) {
            throw new SQLNonTransientConnectionException("connection refused (cut off by the test)", "08001");
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return target.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return target.isWrapperFor(type);
    }
}
