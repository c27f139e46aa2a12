package org.simplevisor.servlet.unloadable;

/** An exception class that {@link WithoutMissingClasses} hides: as if its library were not in WEB-INF/lib. */
public class MissingFailure extends Exception {
    private static final long serialVersionUID = 1L;
}
