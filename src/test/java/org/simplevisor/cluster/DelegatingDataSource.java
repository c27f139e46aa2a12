package org.simplevisor.cluster;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** A real {@code DataSource} that a test can step in front of: {@link #beforeBorrow()} runs before each borrow. */
public abstract class DelegatingDataSource implements DataSource {

    private final DataSource target;

    protected DelegatingDataSource(DataSource target) {
        this.target = target;
    }

    /** Runs before each {@code getConnection}: may count, wait or fail the borrow. */
    protected abstract void beforeBorrow() throws SQLException;

    @Override
    public final Connection getConnection() throws SQLException {
        beforeBorrow();
        return target.getConnection();
    }

    @Override
    public final Connection getConnection(String username, String password) throws SQLException {
        beforeBorrow();
        return target.getConnection(username, password);
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
