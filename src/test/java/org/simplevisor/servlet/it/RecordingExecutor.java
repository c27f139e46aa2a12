package org.simplevisor.servlet.it;

import jakarta.enterprise.concurrent.ManagedTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.concurro.AbstractManagedExecutorService.RejectPolicy;
import org.glassfish.concurro.ManagedExecutorServiceImpl;

/**
 * A container-owned {@code ManagedExecutorService} stand-in, made by the test and bound in the web application's
 * JNDI environment by {@link SharedExecutorFactory}: counts what is submitted and how.
 */
@SuppressWarnings({"unchecked", "rawtypes"}) // concurro's own raw override of getNewTaskFor
public class RecordingExecutor extends ManagedExecutorServiceImpl {

    public static final String THREAD_PREFIX = "it-container-executor";

    private final AtomicInteger submitted = new AtomicInteger();
    private final AtomicInteger longRunning = new AtomicInteger();

    public RecordingExecutor() {
        super(THREAD_PREFIX, null, 0, true, 0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, 0, 0, null,
                RejectPolicy.ABORT);
    }

    @Override
    public void execute(Runnable command) {
        submitted.incrementAndGet();
        if (command instanceof ManagedTask managed
                && "true".equals(managed.getExecutionProperties().get(ManagedTask.LONGRUNNING_HINT))) {
            longRunning.incrementAndGet();
        }
        super.execute(command);
    }

    public int submitted() {
        return submitted.get();
    }

    public int longRunning() {
        return longRunning.get();
    }
}
