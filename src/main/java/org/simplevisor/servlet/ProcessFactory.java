package org.simplevisor.servlet;

import jakarta.enterprise.concurrent.ContextService;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.simplevisor.OwnedThreads;
import org.simplevisor.SupervisedProcess;
import org.simplevisor.Supervisor;

/**
 * Creates process instances with their public no-arg constructor and calls their {@code @PostConstruct} methods;
 * later calls their {@code @PreDestroy} methods.
 */
final class ProcessFactory {

    private static final Logger LOG = LogManager.getLogger(ProcessFactory.class);
    /** How far the destroyer has got: the {@code @PreDestroy} methods have not begun, are being called, have ended. */
    private static final int NOT_BEGUN = 0;
    private static final int BEGUN = 1;
    private static final int ENDED = 2;

    /** One created process: registered with the supervisor, destroyed at the undeploy. */
    static final class Instance {
        private final ProcessDeclaration declaration;
        private final SupervisedProcess process;
        private final LifecycleMethods lifecycle;

        /**
         * Creates the process with its public no-arg constructor and calls its {@code @PostConstruct} methods.
         *
         * @throws IllegalStateException naming the process and class that could not be created or initialised
         */
        private Instance(ProcessDeclaration declaration) {
            this.declaration = declaration;
            Class<? extends SupervisedProcess> type = declaration.type();
            lifecycle = LifecycleMethods.of(type);
            try {
                process = type.getConstructor().newInstance();
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("process \"" + declaration.name() + "\" (" + declaration.origin()
                        + "): the constructor of " + type.getName() + " failed: " + e.getCause(), e.getCause());
            } catch (ExceptionInInitializerError e) {
                // The first construction initialises the class (configuration only loaded it): without this, a
                // throwing static initializer failed the deployment with an error that named neither the process nor
                // the class.
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new IllegalStateException("process \"" + declaration.name() + "\" (" + declaration.origin()
                        + "): the static initializer of " + type.getName() + " failed: " + cause, cause);
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new IllegalStateException("process \"" + declaration.name() + "\" (" + declaration.origin()
                        + "): cannot create " + type.getName() + ": " + e, e);
            }
            try {
                lifecycle.postConstruct(process);
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("process \"" + declaration.name() + "\" (" + declaration.origin()
                        + "): @PostConstruct " + e.getMessage(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("process \"" + declaration.name() + "\" (" + declaration.origin()
                        + "): cannot call @PostConstruct of " + type.getName() + ": " + e, e);
            }
        }

        void register(Supervisor supervisor) {
            supervisor.register(declaration.name(), process, declaration.options());
        }

        private void destroy() {
            try {
                lifecycle.preDestroy(process);
            } catch (InvocationTargetException e) {
                LOG.error("Process \"{}\": @PreDestroy {}", declaration.name(), e.getMessage(), e.getCause());
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                LOG.error("Process \"{}\": cannot call @PreDestroy of {}", declaration.name(),
                        process.getClass().getName(), e);
            }
        }
    }

    private ProcessFactory() {
    }

    /**
     * Creates and initialises every process. If one fails, those already initialised are destroyed again, as
     * {@link #destroyAll} does.
     *
     * @param declarations    the processes
     * @param destroyerName   the name of the thread that calls the {@code @PreDestroy} methods after a failure
     * @param destroyTimeout  how long to wait for them then
     * @param jndi            where the container's context service is looked up then
     * @return the instances, in the order of the declarations
     * @throws IllegalStateException naming the process and class that could not be created or initialised
     */
    static List<Instance> createAll(List<ProcessDeclaration> declarations, String destroyerName,
            Duration destroyTimeout, ExecutorLookup.Jndi jndi) {
        List<Instance> created = new ArrayList<>();
        for (ProcessDeclaration declaration : declarations) {
            try {
                created.add(new Instance(declaration));
            } catch (RuntimeException | LinkageError e) {
                destroyAll(created, destroyerName, OwnedThreads.deadlineAfter(destroyTimeout.toNanos()), jndi);
                throw e;
            }
        }
        return created;
    }

    /**
     * Calls the {@code @PreDestroy} methods of every instance, the last created first, on a thread of their own, and
     * waits for them until the deadline. A failure is logged and the others are still destroyed. Methods still
     * running at the deadline are reported at ERROR with where they are stuck, and interrupted; the caller goes on,
     * so that a blocking method cannot hang the undeploy.
     *
     * <p>They run with the context of the calling thread, the container's: its context class loader, which the thread
     * inherits, and, on a full Jakarta EE server, the application component's context ({@code java:comp},
     * {@code java:app}, CDI, security), captured here by a contextual proxy of the container's
     * {@value ExecutorLookup#DEFAULT_CONTEXT_SERVICE}: the Jakarta Concurrency way to carry it to a thread that is
     * not the container's. Without one (Tomcat) they run without further context. If the container refuses to set
     * the context up on that thread, they run without it, and this is logged at WARN.
     *
     * @param instances     the instances
     * @param threadName    the name of the thread that calls them
     * @param deadlineNanos when to stop waiting, in {@link System#nanoTime()} terms
     * @param jndi          where the container's context service is looked up
     */
    static void destroyAll(List<Instance> instances, String threadName, long deadlineNanos,
            ExecutorLookup.Jndi jndi) {
        if (instances.isEmpty()) {
            return;
        }
        AtomicReference<Instance> current = new AtomicReference<>();
        AtomicInteger stage = new AtomicInteger(NOT_BEGUN);
        Runnable destroyInOrder = () -> {
            stage.set(BEGUN);
            for (int i = instances.size() - 1; i >= 0; i--) {
                current.set(instances.get(i));
                instances.get(i).destroy();
            }
            current.set(null);
            stage.set(ENDED);
        };
        Runnable contextual = withCallersContext(destroyInOrder, jndi); // captured on this, the container's, thread
        Thread destroyer = new Thread(() -> runInContext(contextual, destroyInOrder, stage), threadName);
        destroyer.setDaemon(true);
        long started = System.nanoTime();
        destroyer.start();
        boolean interrupted = false;
        long remaining;
        while (destroyer.isAlive() && (remaining = deadlineNanos - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.timedJoin(destroyer, remaining);
            } catch (InterruptedException e) {
                interrupted = true; // the undeploy goes on, bounded by the deadline all the same
            }
        }
        Instance stuck = current.get();
        if (destroyer.isAlive() && stuck != null) {
            LOG.error("Process \"{}\": @PreDestroy did not return within the shutdown timeout; the undeploy goes "
                    + "on without it", stuck.declaration.name(), new PreDestroyNotReturnedException(
                    stuck.declaration.name(), Duration.ofNanos(System.nanoTime() - started), destroyer));
            destroyer.interrupt();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@return the task with the calling thread's application component context: a contextual proxy of the
     * container's {@value ExecutorLookup#DEFAULT_CONTEXT_SERVICE}, or the task itself when the container binds none
     * (Tomcat) or cannot capture the context}
     */
    private static Runnable withCallersContext(Runnable task, ExecutorLookup.Jndi jndi) {
        ContextService contexts = ExecutorLookup.defaultContextService(jndi);
        if (contexts == null) {
            return task;
        }
        try {
            return contexts.createContextualProxy(task, Runnable.class);
        } catch (RuntimeException e) {
            LOG.warn("simplevisor: {} could not capture the application's context for the @PreDestroy methods; "
                    + "they run without it", ExecutorLookup.DEFAULT_CONTEXT_SERVICE, e);
            return task;
        }
    }

    /**
     * Runs the destruction in the container's context; if the container refuses to set it up (a server throws
     * {@code IllegalStateException} for an application it no longer counts as running), runs it without. A failure
     * while the context is torn down afterwards is logged; one of the destruction itself is thrown on.
     */
    private static void runInContext(Runnable contextual, Runnable plain, AtomicInteger stage) {
        try {
            contextual.run();
        } catch (RuntimeException | Error e) {
            if (contextual == plain || stage.get() == BEGUN) {
                throw e;
            }
            if (stage.get() == ENDED) {
                LOG.warn("simplevisor: the container's context could not be reset after the @PreDestroy methods", e);
                return;
            }
            LOG.warn("simplevisor: the container did not set up the application's context for the @PreDestroy "
                    + "methods; they run without it", e);
            plain.run();
        }
    }

    /**
     * Reports {@code @PreDestroy} methods that had not returned by the deadline. Its stack trace is the stack of the
     * thread calling them at that moment: where they are stuck.
     */
    static final class PreDestroyNotReturnedException extends Exception {
        private static final long serialVersionUID = 1L;

        PreDestroyNotReturnedException(String process, Duration running, Thread thread) {
            super("@PreDestroy of process \"" + process + "\" had not returned " + running.toMillis()
                    + " ms after the destruction began; thread \"" + thread.getName()
                    + "\" is at the stack trace below");
            setStackTrace(thread.getStackTrace());
        }
    }
}
