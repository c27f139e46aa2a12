package org.simplevisor.cluster;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.simplevisor.testing.DeafProcess;

/**
 * A real {@code DataSource} whose next borrow can be made to hang, as a borrow from an exhausted pool without a
 * borrow timeout, or a connection whose socket never answers: {@link #hangNextBorrow()} makes the next
 * {@code getConnection} wait, deaf to interrupts, until {@link #release()}. Later borrows answer at once.
 */
public final class HangingDataSource implements DataSource {

    private final DataSource target;
    private final AtomicInteger hanging = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile boolean hangNext;

    public HangingDataSource(DataSource target) {
        this.target = target;
    }

    /** Makes the next borrow hang until {@link #release()}. */
    public void hangNextBorrow() {
        hangNext = true;
    }

    /** {@return how many borrows hang now} */
    public int hanging() {
        return hanging.get();
    }

    /** Lets every hanging borrow go on, to the database. */
    public void release() {
        released.countDown();
    }

    @Override
    public Connection getConnection() throws SQLException {
        hangIfTold();
        return target.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        hangIfTold();
        return target.getConnection(username, password);
    }

    private void hangIfTold() {
        synchronized (this) {
            if (!hangNext) {
                return;
            }
            hangNext = false;
        }
        hanging.incrementAndGet();
        try {
            DeafProcess.awaitIgnoringInterrupts(released);
        } finally {
            hanging.decrementAndGet();
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
