package org.simplevisor.servlet.it;

import java.util.Hashtable;
import javax.naming.Context;
import javax.naming.Name;
import javax.naming.spi.ObjectFactory;

/**
 * The JNDI object factory of the {@code <Resource>} in the test WAR's {@code META-INF/context.xml}: hands out the
 * executor the test made, as a container would hand out its own.
 */
public final class SharedExecutorFactory implements ObjectFactory {

    private static volatile RecordingExecutor executor;

    public static void share(RecordingExecutor shared) {
        executor = shared;
    }

    @Override
    public Object getObjectInstance(Object reference, Name name, Context context, Hashtable<?, ?> environment) {
        return executor;
    }
}
