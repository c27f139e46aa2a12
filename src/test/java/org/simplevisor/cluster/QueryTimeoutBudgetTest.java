package org.simplevisor.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.Lease;
import org.simplevisor.LeaseStoreUnavailableException;

/**
 * The statements of one call of the store share the time the store promises a call takes at most, half the renewal
 * interval (5 s of the 10 s interval set here): a statement gets what the ones before it left, not 5 s of its own. On
 * H2, whose statements are made to take the store's time, measured by a ticker the test moves.
 */
class QueryTimeoutBudgetTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final AtomicLong ticker = new AtomicLong();
    /** Seconds that each next statement takes; a statement takes none when this is empty. */
    private final Queue<Integer> durations = new ArrayDeque<>();
    /** Seconds that each next borrow of a connection takes; none when this is empty. */
    private final Queue<Integer> borrows = new ArrayDeque<>();
    /** The query timeouts statements were given, in order. */
    private final List<Integer> timeouts = new CopyOnWriteArrayList<>();
    private JdbcLeaseStore store;

    @BeforeEach
    void prepare() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:query-timeout-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        store = JdbcLeaseStore.builder(slowed(h2)).renewInterval(Duration.ofSeconds(10)).ticker(ticker::get).build();
        store.prepare();
        timeouts.clear();
    }

    @Test
    void theTakeOverOfAReleasedLeaseGetsWhatItsReadLeft() throws Exception {
        store.release(store.tryAcquire("app/relay", "node-a").orElseThrow());
        timeouts.clear();
        durations.add(3); // the read of the row

        assertThat(store.tryAcquire("app/relay", "node-b")).contains(new Lease("app/relay", "node-b", 2));
        assertThat(timeouts).as("the read, then the take-over").containsExactly(5, 2);
    }

    @Test
    void anAcquisitionWhoseReadUsedUpTheTimeFailsWithoutItsSecondStatement() throws Exception {
        durations.add(5);

        assertThatThrownBy(() -> store.tryAcquire("app/relay", "node-a"))
                .isInstanceOf(LeaseStoreUnavailableException.class).hasMessageContaining("app/relay");
        assertThat(timeouts).as("the read only: no insert").containsExactly(5);
        assertThat(store.holders(List.of("app/relay"))).isEmpty();
    }

    @Test
    void theReadAfterARenewalThatMissedALeaseGetsWhatTheRenewalLeft() throws Exception {
        Lease kept = store.tryAcquire("app/kept", "node-a").orElseThrow();
        Lease lost = store.tryAcquire("app/lost", "node-a").orElseThrow();
        store.release(lost);
        timeouts.clear();
        durations.add(4); // the renewal

        assertThat(store.renew(List.of(kept, lost))).containsExactly(kept);
        assertThat(timeouts).as("the renewal, then the read of which leases it renewed").containsExactly(5, 1);
    }

    @Test
    void theBorrowsOfConnectionsDoNotCount() throws Exception {
        borrows.addAll(List.of(4, 4)); // a pool that makes a new connection for each
        durations.add(2); // the read of the row

        assertThat(store.tryAcquire("app/relay", "node-a")).contains(new Lease("app/relay", "node-a", 1));
        assertThat(timeouts).as("the read, then the insert").containsExactly(5, 3);
    }

    /**
     * {@return the data source, whose borrows take the time {@link #borrows} says, and whose statements record their
     * timeouts and take the time {@link #durations} says}
     */
    private DataSource slowed(DataSource target) {
        return proxy(DataSource.class, target, (method, args, result) -> {
            if (!method.getName().equals("getConnection")) {
                return result;
            }
            take(borrows);
            return slowed((Connection) result);
        });
    }

    private void take(Queue<Integer> seconds) {
        Integer next = seconds.poll();
        ticker.addAndGet(TimeUnit.SECONDS.toNanos(next == null ? 0 : next));
    }

    private Connection slowed(Connection target) {
        return proxy(Connection.class, target, (method, args, result) ->
                method.getName().equals("prepareStatement") ? slowed((PreparedStatement) result) : result);
    }

    private PreparedStatement slowed(PreparedStatement target) {
        return proxy(PreparedStatement.class, target, (method, args, result) -> {
            if (method.getName().equals("setQueryTimeout")) {
                timeouts.add((Integer) args[0]);
            } else if (method.getName().startsWith("execute")) {
                take(durations);
            }
            return result;
        });
    }

    /** What a proxy does with the result of a call it passed on. */
    @FunctionalInterface
    private interface After {
        Object apply(Method method, Object[] args, Object result);
    }

    private <T> T proxy(Class<T> type, T target, After after) {
        return type.cast(Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> {
                    try {
                        return after.apply(method, args, method.invoke(target, args));
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
    }
}
