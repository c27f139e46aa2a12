package org.simplevisor.cluster;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A real {@code DataSource} that counts the connections borrowed from it and can be cut off, as a node whose
 * network to the database fails. {@link JdbcLeaseStore} borrows one connection per statement, so the count is the
 * number of statements.
 */
public final class ObservedDataSource extends DelegatingDataSource {

    private final AtomicInteger borrowed = new AtomicInteger();
    private volatile boolean cutOff;

    public ObservedDataSource(DataSource target) {
        super(target);
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
    protected void beforeBorrow() throws SQLException {
        borrowed.incrementAndGet();
        if (cutOff) {
            throw new SQLNonTransientConnectionException("connection refused (cut off by the test)", "08001");
        }
    }
}
