package org.simplevisor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.simplevisor.LeaseStoreException;

/**
 * A statement whose query timeout cannot be set (the connection broke just then, or a driver that refuses it) is
 * closed by the store, although no try-with-resources holds it yet: a pool that keeps the connection must not keep
 * the statement too. And a connection that breaks as the store hands it back does not hide what the statement said.
 */
class StatementLeakTest {

    @Test
    void aStatementWhoseQueryTimeoutFailsIsClosed() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:statement-leak;DB_CLOSE_DELAY=-1");
        List<PreparedStatement> prepared = new CopyOnWriteArrayList<>();
        DataSource failingTimeouts = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class}, (ds, dsMethod, dsArgs) -> {
                    Object result = invoke(h2, dsMethod, dsArgs);
                    if (!dsMethod.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection connection = (Connection) result;
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                            (c, cMethod, cArgs) -> {
                                Object made = invoke(connection, cMethod, cArgs);
                                if (!cMethod.getName().equals("prepareStatement")) {
                                    return made;
                                }
                                PreparedStatement statement = (PreparedStatement) made;
                                prepared.add(statement);
                                return Proxy.newProxyInstance(getClass().getClassLoader(),
                                        new Class<?>[] {PreparedStatement.class}, (s, sMethod, sArgs) -> {
                                            if (sMethod.getName().equals("setQueryTimeout")) {
                                                throw new SQLException("connection reset", "08006");
                                            }
                                            return invoke(statement, sMethod, sArgs);
                                        });
                            });
                });
        JdbcLeaseStore store = JdbcLeaseStore.builder(failingTimeouts).build();

        assertThatThrownBy(store::prepare).isInstanceOf(LeaseStoreException.class);

        assertThat(prepared).isNotEmpty();
        assertThat(prepared).as("statements the store prepared: each must be closed by the store")
                .allMatch(StatementLeakTest::closed);
    }

    /**
     * On a connection the pool lends without auto-commit, another node's insert of the first row is still told as a
     * lost race (no lease), not a store failure, when the connection then breaks as the store hands it back.
     */
    @Test
    void aFirstInsertConflictIsToldAsSuchWhenTheConnectionBreaksAfterIt() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:insert-conflict;DB_CLOSE_DELAY=-1");
        JdbcLeaseStore other = JdbcLeaseStore.builder(h2).build();
        other.prepare();
        AtomicBoolean armed = new AtomicBoolean();
        AtomicBoolean broken = new AtomicBoolean();
        DataSource lentWithoutAutoCommit = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSource.class}, (ds, dsMethod, dsArgs) -> {
                    Object result = invoke(h2, dsMethod, dsArgs);
                    if (!dsMethod.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection connection = (Connection) result;
                    connection.setAutoCommit(false);
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                            (c, cMethod, cArgs) -> {
                                if (armed.get() && cMethod.getName().equals("prepareStatement")
                                        && ((String) cArgs[0]).startsWith("INSERT")) {
                                    other.tryAcquire("app/relay", "node-b"); // another node was first
                                    broken.set(true);
                                } else if (broken.get() && cMethod.getName().equals("setAutoCommit")) {
                                    throw new SQLException("connection reset", "08006");
                                }
                                return invoke(connection, cMethod, cArgs);
                            });
                });
        JdbcLeaseStore store = JdbcLeaseStore.builder(lentWithoutAutoCommit).build();
        store.prepare();
        armed.set(true);

        assertThat(store.tryAcquire("app/relay", "node-a")).as("the lease is the other node's").isEmpty();
        assertThat(broken).isTrue();
    }

    private static boolean closed(PreparedStatement statement) {
        try {
            return statement.isClosed();
        } catch (SQLException e) {
            return false;
        }
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
