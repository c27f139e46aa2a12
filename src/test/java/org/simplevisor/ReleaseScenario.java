package org.simplevisor;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What {@link ClassLoaderReleaseTest} runs in a class loader of its own: public so that loader can create it, a
 * {@link Runnable} so that the test calls it through a type both loaders share, and with nothing but the JDK for its
 * checks, so that no test library's caches see the loader's classes.
 */
public final class ReleaseScenario implements Runnable {

    @Override
    public void run() {
        Supervisor supervisor = Supervisor.builder().name("release").shutdownTimeout(Duration.ofSeconds(10)).build();
        CountDownLatch limitExceeded = new CountDownLatch(1);
        try {
            supervisor.addListener(event -> {
                if (event.type() == SupervisorEvent.Type.RESTART_LIMIT_EXCEEDED) {
                    limitExceeded.countDown();
                }
            });
            supervisor.register("crasher", ctx -> {
                throw new IllegalStateException("crash " + ctx.restartCount());
            }, ProcessOption.withRestart(RestartPolicy.ON_FAILURE, 5, Duration.ZERO));
            supervisor.run();
            check(limitExceeded.await(20, TimeUnit.SECONDS), "crasher exceeded its restart limit");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            supervisor.shutdown();
        }
        everyValueMethod(new Lease("release", "node-a", 1), new Lease("release", "node-a", 1));
        everyValueMethod(new LeaseState("node-a", 1, LeaseLoss.EXPIRED),
                new LeaseState("node-a", 1, LeaseLoss.EXPIRED));
        everyValueMethod(LeaseTiming.of(Duration.ofSeconds(30)), LeaseTiming.of(Duration.ofSeconds(30)));
    }

    private static void everyValueMethod(Object one, Object same) {
        check(one.equals(same) && one.hashCode() == same.hashCode() && Set.of(one).contains(same)
                && one.toString().equals(same.toString()), one + " equal to " + same);
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("not so: " + what);
        }
    }
}
