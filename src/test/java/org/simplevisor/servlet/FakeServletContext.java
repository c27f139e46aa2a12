package org.simplevisor.servlet;

import jakarta.servlet.ServletContext;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link ServletContext} with init parameters, attributes, a context path, a class loader and added listeners. */
final class FakeServletContext {

    private final ServletContext context;
    final Map<String, Object> attributes = new ConcurrentHashMap<>();
    final List<Object> listeners = new ArrayList<>();

    private FakeServletContext(String contextPath, Map<String, String> parameters, ClassLoader loader) {
        context = (ServletContext) Proxy.newProxyInstance(ServletContext.class.getClassLoader(),
                new Class<?>[] {ServletContext.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getContextPath":
                            return contextPath;
                        case "getClassLoader":
                            return loader;
                        case "getInitParameterNames":
                            return Collections.enumeration(parameters.keySet());
                        case "getInitParameter":
                            return parameters.get((String) args[0]);
                        case "getAttribute":
                            return attributes.get((String) args[0]);
                        case "setAttribute":
                            attributes.put((String) args[0], args[1]);
                            return null;
                        case "removeAttribute":
                            attributes.remove((String) args[0]);
                            return null;
                        case "addListener":
                            listeners.add(args[0]);
                            return null;
                        case "toString":
                            return "FakeServletContext" + contextPath;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    static FakeServletContext create(String contextPath, Map<String, String> parameters) {
        return create(contextPath, parameters, FakeServletContext.class.getClassLoader());
    }

    static FakeServletContext create(String contextPath, Map<String, String> parameters, ClassLoader loader) {
        return new FakeServletContext(contextPath, parameters, loader);
    }

    ServletContext context() {
        return context;
    }
}
