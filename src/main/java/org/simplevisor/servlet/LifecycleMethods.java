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
import java.util.List;

/**
 * The {@code @PostConstruct} and {@code @PreDestroy} methods of a process class, found as Jakarta Annotations
 * specifies them: methods without parameters of the class and its superclasses, a superclass's first, a method
 * overridden by a subclass only in its overriding version (a package-private method is not overridden from another
 * package: both are called).
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

    /** {@return whether a class between {@code type} and {@code declaring} overrides the method} */
    private static boolean isOverridden(Method method, Class<?> declaring, Class<?> type) {
        for (Class<?> c = type; c != declaring; c = c.getSuperclass()) {
            try {
                if (overrides(c.getDeclaredMethod(method.getName()), method)) {
                    return true;
                }
            } catch (NoSuchMethodException e) {
                // not declared here
            }
        }
        return false;
    }

    /**
     * {@return whether a subclass's method of the same name and no parameters overrides the superclass's, by the Java
     * language's rules} A private or static method overrides nothing; a private method is never overridden, nor a
     * package-private one from another package (of the same name, or of another class loader): both are called.
     */
    private static boolean overrides(Method sub, Method sup) {
        int subModifiers = sub.getModifiers();
        int supModifiers = sup.getModifiers();
        if (Modifier.isPrivate(subModifiers) || Modifier.isStatic(subModifiers) || Modifier.isPrivate(supModifiers)) {
            return false;
        }
        if (Modifier.isPublic(supModifiers) || Modifier.isProtected(supModifiers)) {
            return true;
        }
        Class<?> subClass = sub.getDeclaringClass();
        Class<?> supClass = sup.getDeclaringClass();
        return subClass.getPackageName().equals(supClass.getPackageName())
                && subClass.getClassLoader() == supClass.getClassLoader();
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
