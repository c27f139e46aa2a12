package org.simplevisor.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * A real MBean server behind one that refuses to register or unregister the MBeans of chosen names, as an
 * {@code MBeanServerForwarder} or a security manager that denies them does; every other call reaches the real one.
 */
public final class RefusingMBeanServer {

    private final MBeanServer real = MBeanServerFactory.newMBeanServer();
    private final MBeanServer refusing = (MBeanServer) Proxy.newProxyInstance(MBeanServer.class.getClassLoader(),
            new Class<?>[] {MBeanServer.class}, (proxy, method, args) -> call(method, args));
    private volatile Predicate<ObjectName> refusedRegistrations = name -> false;
    private volatile Supplier<? extends Throwable> registrationRefusal = () -> new SecurityException("refused");
    private volatile Predicate<ObjectName> refusedUnregistrations = name -> false;

    /** {@return the server that refuses: the one to give the code under test} */
    public MBeanServer server() {
        return refusing;
    }

    /** {@return the real server behind it: what is registered, seen without refusals} */
    public MBeanServer real() {
        return real;
    }

    /**
     * From now on, refuses to register the MBeans whose names match.
     *
     * @param names   the names refused
     * @param refusal makes what registerMBean throws for them
     */
    public void refuseRegistrationOf(Predicate<ObjectName> names, Supplier<? extends Throwable> refusal) {
        registrationRefusal = refusal;
        refusedRegistrations = names;
    }

    /** From now on, registers every MBean. */
    public void registerAll() {
        refusedRegistrations = name -> false;
    }

    /** From now on, refuses to unregister the MBeans whose names match, with a {@code SecurityException}. */
    public void refuseUnregistrationOf(Predicate<ObjectName> names) {
        refusedUnregistrations = names;
    }

    private Object call(Method method, Object[] args) throws Throwable {
        if (method.getName().equals("registerMBean") && refusedRegistrations.test((ObjectName) args[1])) {
            throw registrationRefusal.get();
        }
        if (method.getName().equals("unregisterMBean") && refusedUnregistrations.test((ObjectName) args[0])) {
            throw new SecurityException("may not unregister " + args[0]);
        }
        try {
            return method.invoke(real, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
