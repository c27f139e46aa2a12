package org.simplevisor.jmx;

import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.Descriptor;
import javax.management.DynamicMBean;
import javax.management.ListenerNotFoundException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanException;
import javax.management.MBeanFeatureInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.NotificationEmitter;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.openmbean.SimpleType;
import org.jspecify.annotations.Nullable;

/**
 * An MXBean whose attributes are read-only and whose attributes, parameters and results are all simple open types
 * (strings, primitives, dates), which the MXBean mapping passes on unchanged. It shows what the JDK's MXBean would,
 * with the MXBean's own {@link MBeanInfo} (built once per interface by {@link DescribedMBean}, descriptions
 * included), and calls the interface's methods directly. The JDK's MXBean keeps per instance a support object and an
 * entry in the MBean server's table of MXBean references, made at registration and removed at unregistration: with
 * an MBean per process, a fifth of the MBean's heap and a third of its registration time.
 *
 * @param <T> the MXBean interface
 */
final class ReflectiveMXBean<T> implements DynamicMBean, NotificationEmitter, OwnedMBean {

    private static final Map<Class<?>, Shape> SHAPES = new ConcurrentHashMap<>();

    private final T implementation;
    private final Supplier<? extends T> forOneCall;
    private final NotificationEmitter emitter;
    private final Shape shape;
    private volatile boolean registered;

    /**
     * @param implementation  what the attributes read and the operations call
     * @param forOneCall      gives what one {@code getAttributes} call reads every attribute from: one state of
     *                        what the implementation shows, so that the values of the call hold together
     * @param mxbeanInterface the MXBean interface: read-only, simple open types only
     * @param emitter         what sends the MBean's notifications
     * @throws IllegalArgumentException if the interface is not a compliant MXBean interface of that kind
     */
    ReflectiveMXBean(T implementation, Supplier<? extends T> forOneCall, Class<T> mxbeanInterface,
            NotificationEmitter emitter) {
        this.implementation = implementation;
        this.forOneCall = forOneCall;
        this.emitter = emitter;
        this.shape = SHAPES.computeIfAbsent(mxbeanInterface, type -> Shape.of(type,
                new DescribedMBean<>(implementation, mxbeanInterface, emitter).getMBeanInfo()));
    }

    @Override
    public ObjectName preRegister(MBeanServer server, ObjectName name) {
        return name;
    }

    @Override
    public void postRegister(Boolean registrationDone) {
        registered = registrationDone;
    }

    /** No longer registered from here: the name is freed only after this, for an MBean that is not this one. */
    @Override
    public void preDeregister() {
        registered = false;
    }

    @Override
    public void postDeregister() {
    }

    @Override
    public boolean isRegistered() {
        return registered;
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException, MBeanException,
            ReflectionException {
        return read(implementation, attribute);
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        T oneState = forOneCall.get();
        return MBeanAttributes.readEach(attribute -> read(oneState, attribute), attributes);
    }

    private @Nullable Object read(T target, String attribute) throws AttributeNotFoundException, MBeanException,
            ReflectionException {
        Method getter = shape.getters.get(attribute);
        if (getter == null) {
            throw new AttributeNotFoundException("No such attribute: " + attribute);
        }
        return call(target, getter, null);
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        String name = attribute.getName();
        throw new AttributeNotFoundException(
                (shape.getters.containsKey(name) ? "Read-only attribute: " : "No such attribute: ") + name);
    }

    /** {@return nothing: every attribute is read-only, and one that cannot be set is left out} */
    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public @Nullable Object invoke(String actionName, Object @Nullable [] params, String @Nullable [] signature)
            throws MBeanException, ReflectionException {
        Method operation = shape.operations.get(actionName);
        int arity = params == null ? 0 : params.length;
        if (operation == null || operation.getParameterCount() != arity) {
            throw new ReflectionException(new NoSuchMethodException(actionName),
                    "No such operation: " + actionName + " with " + arity + " parameter(s)");
        }
        return call(implementation, operation, params);
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return shape.info;
    }

    @Override
    public void addNotificationListener(NotificationListener listener, @Nullable NotificationFilter filter,
            @Nullable Object handback) {
        emitter.addNotificationListener(listener, filter, handback);
    }

    @Override
    public void removeNotificationListener(NotificationListener listener) throws ListenerNotFoundException {
        emitter.removeNotificationListener(listener);
    }

    @Override
    public void removeNotificationListener(NotificationListener listener, @Nullable NotificationFilter filter,
            @Nullable Object handback) throws ListenerNotFoundException {
        emitter.removeNotificationListener(listener, filter, handback);
    }

    @Override
    public MBeanNotificationInfo[] getNotificationInfo() {
        return emitter.getNotificationInfo();
    }

    /** As the JDK's MXBean: the method's runtime exceptions and errors as they are, checked ones wrapped. */
    private @Nullable Object call(T target, Method method, Object @Nullable [] args) throws MBeanException,
            ReflectionException {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new MBeanException((Exception) cause, String.valueOf(cause));
        } catch (IllegalAccessException | IllegalArgumentException e) {
            throw new ReflectionException(e, method.getName() + ": " + e);
        }
    }

    /** What an interface has: its MBeanInfo, and the method behind each attribute and operation. */
    private static final class Shape {
        final MBeanInfo info;
        final Map<String, Method> getters = new HashMap<>();     // by attribute name
        final Map<String, Method> operations = new HashMap<>();  // by name: the interfaces have no overloads

        private Shape(MBeanInfo info) {
            this.info = info;
        }

        static Shape of(Class<?> mxbeanInterface, MBeanInfo info) {
            Shape shape = new Shape(info);
            for (MBeanAttributeInfo attribute : info.getAttributes()) {
                if (attribute.isWritable()) {
                    throw unsupported(mxbeanInterface, attribute, "is writable");
                }
                Method getter = method(mxbeanInterface, (attribute.isIs() ? "is" : "get") + attribute.getName(), 0);
                requireUnchanged(mxbeanInterface, attribute, attribute.getDescriptor(), getter.getReturnType());
                shape.getters.put(attribute.getName(), getter);
            }
            for (MBeanOperationInfo operation : info.getOperations()) {
                Method method = method(mxbeanInterface, operation.getName(), operation.getSignature().length);
                requireUnchanged(mxbeanInterface, operation, operation.getDescriptor(), method.getReturnType());
                for (int i = 0; i < method.getParameterCount(); i++) {
                    requireUnchanged(mxbeanInterface, operation, operation.getSignature()[i].getDescriptor(),
                            method.getParameterTypes()[i]);
                }
                if (shape.operations.put(operation.getName(), method) != null) {
                    throw unsupported(mxbeanInterface, operation, "is overloaded");
                }
            }
            return shape;
        }

        private static Method method(Class<?> type, String name, int arity) {
            for (Method method : type.getMethods()) {
                if (method.getName().equals(name) && method.getParameterCount() == arity) {
                    return method;
                }
            }
            throw new IllegalArgumentException(type.getName() + " has no method " + name + " with " + arity
                    + " parameter(s)");
        }

        /** The MXBean mapping leaves a value unchanged exactly when its open type is the simple type of its class. */
        private static void requireUnchanged(Class<?> type, MBeanFeatureInfo feature, Descriptor descriptor,
                Class<?> javaType) {
            Object openType = descriptor.getFieldValue("openType");
            if (!(openType instanceof SimpleType)
                    || !((SimpleType<?>) openType).getClassName().equals(boxed(javaType).getName())) {
                throw unsupported(type, feature, "maps " + javaType.getName() + " to " + openType);
            }
        }

        private static Class<?> boxed(Class<?> javaType) {
            return MethodType.methodType(javaType).wrap().returnType();
        }

        private static IllegalArgumentException unsupported(Class<?> type, MBeanFeatureInfo feature, String why) {
            return new IllegalArgumentException(type.getName() + "." + feature.getName() + " " + why + ": "
                    + ReflectiveMXBean.class.getSimpleName() + " serves read-only interfaces of simple open types");
        }
    }
}
