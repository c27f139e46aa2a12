package org.simplevisor.jmx;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.NotificationEmitter;
import javax.management.StandardEmitterMBean;
import org.jspecify.annotations.Nullable;

/**
 * An MXBean that emits notifications and takes its descriptions (the tooltips of JConsole and VisualVM) and
 * parameter names from {@link Description} annotations on its interface. Without them an MXBean's descriptions
 * are the bare attribute and operation names, and its parameters are called {@code p0}, {@code p1}, ...
 *
 * @param <T> the MXBean interface
 */
class DescribedMBean<T> extends StandardEmitterMBean implements OwnedMBean {

    /**
     * One MBeanInfo per interface, shared by every MBean of it: it depends only on the interface, and a supervisor
     * with thousands of processes would otherwise keep thousands of identical copies.
     */
    private static final Map<Class<?>, MBeanInfo> SHARED_INFO = new ConcurrentHashMap<>();

    private final Class<T> mxbeanInterface;
    private volatile boolean registered;

    DescribedMBean(T implementation, Class<T> mxbeanInterface, NotificationEmitter emitter) {
        super(implementation, mxbeanInterface, true, emitter);
        this.mxbeanInterface = mxbeanInterface;
    }

    @Override
    public void postRegister(Boolean registrationDone) {
        super.postRegister(registrationDone);
        registered = registrationDone;
    }

    /** No longer registered from here: the name is freed only after this, for an MBean that is not this one. */
    @Override
    public void preDeregister() throws Exception {
        registered = false;
        super.preDeregister();
    }

    @Override
    public boolean isRegistered() {
        return registered;
    }

    @Override
    protected MBeanInfo getCachedMBeanInfo() {
        return SHARED_INFO.get(mxbeanInterface);
    }

    @Override
    protected void cacheMBeanInfo(@Nullable MBeanInfo info) {
        if (info != null) {
            SHARED_INFO.putIfAbsent(mxbeanInterface, info);
        }
    }

    @Override
    protected String getDescription(MBeanInfo info) {
        Description description = mxbeanInterface.getAnnotation(Description.class);
        return description != null ? description.value() : super.getDescription(info);
    }

    @Override
    protected String getDescription(MBeanAttributeInfo info) {
        Method getter = getter(info.getName());
        Description description = getter == null ? null : getter.getAnnotation(Description.class);
        return description != null ? description.value() : super.getDescription(info);
    }

    @Override
    protected String getDescription(MBeanOperationInfo info) {
        Method method = operation(info);
        Description description = method == null ? null : method.getAnnotation(Description.class);
        return description != null ? description.value() : super.getDescription(info);
    }

    @Override
    protected String getDescription(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        Description description = parameterDescription(op, sequence);
        return description != null ? description.value() : super.getDescription(op, param, sequence);
    }

    @Override
    protected String getParameterName(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        Description description = parameterDescription(op, sequence);
        return description != null && !description.name().isEmpty()
                ? description.name() : super.getParameterName(op, param, sequence);
    }

    /** Every operation of this package's MXBeans changes a process; JConsole asks before invoking an ACTION. */
    @Override
    protected int getImpact(MBeanOperationInfo info) {
        return MBeanOperationInfo.ACTION;
    }

    private @Nullable Method getter(String attribute) {
        for (String prefix : new String[] {"get", "is"}) {
            try {
                return mxbeanInterface.getMethod(prefix + attribute);
            } catch (NoSuchMethodException tryNext) {
                // an "is" getter, or not an attribute of the interface
            }
        }
        return null;
    }

    /** The interface method of an operation; the interfaces have no overloads, so name and arity identify it. */
    private @Nullable Method operation(MBeanOperationInfo info) {
        for (Method method : mxbeanInterface.getMethods()) {
            if (method.getName().equals(info.getName())
                    && method.getParameterCount() == info.getSignature().length) {
                return method;
            }
        }
        return null;
    }

    private @Nullable Description parameterDescription(MBeanOperationInfo op, int sequence) {
        Method method = operation(op);
        if (method == null || sequence >= method.getParameterCount()) {
            return null;
        }
        Parameter parameter = method.getParameters()[sequence];
        return parameter.getAnnotation(Description.class);
    }
}
