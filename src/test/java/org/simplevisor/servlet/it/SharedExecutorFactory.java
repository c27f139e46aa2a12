package org.simplevisor.servlet.it;

import java.util.Hashtable;
import java.util.concurrent.TimeUnit;
import javax.naming.Context;
import javax.naming.Name;
import javax.naming.spi.ObjectFactory;

/**
 * The JNDI object factory of the {@code <Resource>} in the test WAR's {@code META-INF/context.xml}: hands out the
 * executor the test made, as a container would hand out its own.
 */
public final class SharedExecutorFactory implements ObjectFactory {

    private static volatile RecordingExecutor executor;

    /** Hands out this executor from now on. @return it */
    public static <E extends RecordingExecutor> E share(E shared) {
        executor = shared;
        return shared;
    }

    /** Hands out none from now on, and shuts the executor down as its container would at its own end. */
    public static void stopSharing(RecordingExecutor shared) throws InterruptedException {
        executor = null;
        shared.shutdownNow();
        if (!shared.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the container's executor did not terminate within 10 s");
        }
    }

    @Override
    public Object getObjectInstance(Object reference, Name name, Context context, Hashtable<?, ?> environment) {
        return executor;
    }
}
