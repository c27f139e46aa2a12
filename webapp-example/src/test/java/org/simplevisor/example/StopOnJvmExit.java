package org.simplevisor.example;

/**
 * A shutdown hook that stops a server a test started, should the test JVM end before the test stops it; removed
 * once the server is stopped.
 */
public final class StopOnJvmExit {

    private final Thread hook;

    private StopOnJvmExit(Thread hook) {
        this.hook = hook;
    }

    /** Installs a hook, a thread called {@code name}, that runs {@code stop}; {@return it} */
    public static StopOnJvmExit install(String name, Runnable stop) {
        Thread hook = new Thread(stop, name);
        Runtime.getRuntime().addShutdownHook(hook);
        return new StopOnJvmExit(hook);
    }

    /** Removes the hook, unless the JVM is ending already (then the hook runs, or is this thread). */
    public void remove() {
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException jvmStopping) {
                // the hook runs anyway
            }
        }
    }
}
