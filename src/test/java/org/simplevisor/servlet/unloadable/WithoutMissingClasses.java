package org.simplevisor.servlet.unloadable;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

/**
 * A web application's class loader without {@link MissingFailure} and {@link MissingEnclosing}: it defines the other
 * classes of this package itself, refuses those two, and delegates the rest.
 */
public final class WithoutMissingClasses extends ClassLoader {

    private static final String PACKAGE = WithoutMissingClasses.class.getPackageName() + ".";
    private static final Set<String> MISSING = Set.of(MissingFailure.class.getName(), MissingEnclosing.class.getName());

    public WithoutMissingClasses() {
        super(WithoutMissingClasses.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(PACKAGE) || name.equals(WithoutMissingClasses.class.getName())) {
            return super.loadClass(name, resolve);
        }
        if (MISSING.contains(name)) {
            throw new ClassNotFoundException(name);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded != null) {
                return loaded;
            }
            try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                if (in == null) {
                    throw new ClassNotFoundException(name);
                }
                byte[] bytes = in.readAllBytes();
                return defineClass(name, bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }
    }
}
