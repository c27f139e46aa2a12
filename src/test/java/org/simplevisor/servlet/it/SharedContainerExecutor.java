package org.simplevisor.servlet.it;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The container's executor of a test class's web applications: made and handed out by {@link SharedExecutorFactory}
 * before the first test, shut down after the last, as its container would at its own end.
 *
 * @param <E> its type
 */
public final class SharedContainerExecutor<E extends RecordingExecutor> implements BeforeAllCallback,
        AfterAllCallback {

    private final Supplier<E> factory;
    private E executor;

    public SharedContainerExecutor(Supplier<E> factory) {
        this.factory = factory;
    }

    /** {@return the executor handed out now} */
    public E get() {
        return executor;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        executor = SharedExecutorFactory.share(factory.get());
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        SharedExecutorFactory.stopSharing(executor);
    }
}
