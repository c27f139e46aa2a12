package org.simplevisor.servlet;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code @PostConstruct} and {@code @PreDestroy} methods of a process class, found as Jakarta Annotations
 * specifies them: methods without parameters of the class and its superclasses, a superclass's first, a method
 * overridden by a subclass only in its overriding version.
 */
final class LifecycleMethods {

    private final List<Method> postConstruct;
    private final List<Method> preDestroy;

    private LifecycleMethods(List<Method> postConstruct, List<Method> preDestroy) {
        this.postConstruct = postConstruct;
        this.preDestroy = preDestroy;
    }

    /**
     * Finds the life-cycle methods of a process class.
     *
     * @param type a process class
     * @return its life-cycle methods
     * @throws IllegalArgumentException naming a life-cycle method that takes parameters or is static
     */
    static LifecycleMethods of(Class<?> type) {
        Deque<Class<?>> hierarchy = new ArrayDeque<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            hierarchy.push(c); // superclass first
        }
        return new LifecycleMethods(find(type, hierarchy, PostConstruct.class),
                find(type, hierarchy, PreDestroy.class));
    }

    private static List<Method> find(Class<?> type, Deque<Class<?>> hierarchy,
                                     Class<? extends Annotation> annotation) {
        List<Method> found = new ArrayList<>();
        for (Class<?> declaring : hierarchy) {
            for (Method method : declaring.getDeclaredMethods()) {
                if (!method.isAnnotationPresent(annotation)) {
                    continue;
                }
                String where = "@" + annotation.getSimpleName() + " method " + declaring.getName() + "."
                        + method.getName();
                if (method.getParameterCount() != 0) {
                    throw new IllegalArgumentException(where + " must not take parameters");
                }
                if (Modifier.isStatic(method.getModifiers())) {
                    throw new IllegalArgumentException(where + " must not be static");
                }
                if (!isOverridden(method, declaring, type)) {
                    found.add(method);
                }
            }
        }
        return List.copyOf(found);
    }

    private static boolean isOverridden(Method method, Class<?> declaring, Class<?> type) {
        if (Modifier.isPrivate(method.getModifiers())) {
            return false;
        }
        Set<Class<?>> below = new HashSet<>();
        for (Class<?> c = type; c != declaring; c = c.getSuperclass()) {
            below.add(c);
        }
        for (Class<?> c : below) {
            try {
                c.getDeclaredMethod(method.getName());
                return true;
            } catch (NoSuchMethodException e) {
                // not overridden here
            }
        }
        return false;
    }

    /** Calls the {@code @PostConstruct} methods, superclass first. */
    void postConstruct(Object instance) throws ReflectiveOperationException {
        invokeAll(postConstruct, instance);
    }

    /** Calls the {@code @PreDestroy} methods, superclass first. */
    void preDestroy(Object instance) throws ReflectiveOperationException {
        invokeAll(preDestroy, instance);
    }

    private static void invokeAll(List<Method> methods, Object instance) throws ReflectiveOperationException {
        for (Method method : methods) {
            method.setAccessible(true);
            try {
                method.invoke(instance);
            } catch (InvocationTargetException e) {
                throw new InvocationTargetException(e.getCause(), method.getDeclaringClass().getName() + "."
                        + method.getName() + "() failed: " + e.getCause());
            }
        }
    }
}
