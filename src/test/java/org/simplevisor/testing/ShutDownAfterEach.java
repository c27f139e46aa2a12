package org.simplevisor.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.simplevisor.Supervisor;

/**
 * Releases, after each test, what the test handed to it, also when the test fails: first every supervisor is shut
 * down (their runs may use the executors), then every executor is shut down now, then everything else is closed,
 * each group in the order it was given.
 *
 * <pre>{@code
 * @RegisterExtension
 * final ShutDownAfterEach shutDown = new ShutDownAfterEach();
 * ...
 * Supervisor supervisor = shutDown.supervisor(Supervisor.builder().build());
 * }</pre>
 */
public final class ShutDownAfterEach implements AfterEachCallback {

    private final List<Supervisor> supervisors = new CopyOnWriteArrayList<>();
    private final List<ExecutorService> executors = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    /** {@return the supervisor, to be shut down after the test} */
    public Supervisor supervisor(Supervisor supervisor) {
        supervisors.add(supervisor);
        return supervisor;
    }

    /** {@return the executor, to be shut down (now) after the test's supervisors} */
    public <E extends ExecutorService> E executor(E executor) {
        executors.add(executor);
        return executor;
    }

    /** {@return the resource, to be closed after the test's supervisors and executors} */
    public <C extends AutoCloseable> C closeable(C closeable) {
        closeables.add(closeable);
        return closeable;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            supervisors.forEach(Supervisor::shutdown);
            executors.forEach(ExecutorService::shutdownNow);
            for (AutoCloseable closeable : closeables) {
                closeable.close();
            }
        } finally {
            supervisors.clear();
            executors.clear();
            closeables.clear();
        }
    }
}
