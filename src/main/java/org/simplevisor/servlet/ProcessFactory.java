package org.simplevisor.servlet;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.simplevisor.SupervisedProcess;

/**
 * Creates process instances with their public no-arg constructor and calls their {@code @PostConstruct} methods;
 * later calls their {@code @PreDestroy} methods.
 */
final class ProcessFactory {

    private static final Logger LOG = LogManager.getLogger(ProcessFactory.class);

    /** One created process. */
    record Instance(ProcessDeclaration declaration, SupervisedProcess process, LifecycleMethods lifecycle) {
    }

    private ProcessFactory() {
    }

    /**
     * Creates and initialises every process. If one fails, those already initialised are destroyed again.
     *
     * @param declarations the processes
     * @return the instances, in the order of the declarations
     * @throws IllegalStateException naming the process and class that could not be created or initialised
     */
    static List<Instance> createAll(List<ProcessDeclaration> declarations) {
        List<Instance> created = new ArrayList<>();
        for (ProcessDeclaration declaration : declarations) {
            try {
                created.add(create(declaration));
            } catch (RuntimeException | LinkageError e) {
                destroyAll(created);
                throw e;
            }
        }
        return created;
    }

    private static Instance create(ProcessDeclaration declaration) {
        Class<? extends SupervisedProcess> type = declaration.type();
        LifecycleMethods lifecycle = LifecycleMethods.of(type);
        SupervisedProcess process;
        try {
            process = type.getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("process \"" + declaration.name() + "\" (" + declaration.origin()
                    + "): the constructor of " + type.getName() + " failed: " + e.getCause(), e.getCause());
        } catch (ExceptionInInitializerError e) {
            // The first construction initialises the class (configuration only loaded it): without this, a throwing
            // static initializer failed the deployment with an error that named neither the process nor the class.
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
        return new Instance(declaration, process, lifecycle);
    }

    /**
     * Calls the {@code @PreDestroy} methods of every instance, the last created first. A failure is logged and the
     * others are still destroyed.
     *
     * @param instances the instances
     */
    static void destroyAll(List<Instance> instances) {
        for (int i = instances.size() - 1; i >= 0; i--) {
            Instance instance = instances.get(i);
            try {
                instance.lifecycle().preDestroy(instance.process());
            } catch (InvocationTargetException e) {
                LOG.error("Process \"{}\": @PreDestroy {}", instance.declaration().name(), e.getMessage(),
                        e.getCause());
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                LOG.error("Process \"{}\": cannot call @PreDestroy of {}", instance.declaration().name(),
                        instance.process().getClass().getName(), e);
            }
        }
    }
}
