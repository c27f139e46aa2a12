package org.simplevisor.servlet.unloadable;

import org.simplevisor.ProcessContext;
import org.simplevisor.Supervised;
import org.simplevisor.SupervisedProcess;

/** A class that {@link WithoutMissingClasses} hides, around process classes that it does not hide. */
public class MissingEnclosing {

    /** A process class declared by a context parameter, nested in a class the web application does not have. */
    public static class Declared implements SupervisedProcess {
        @Override
        public void run(ProcessContext ctx) {
        }
    }

    /** An annotated process class, named after itself, nested in a class the web application does not have. */
    @Supervised
    public static class Annotated implements SupervisedProcess {
        @Override
        public void run(ProcessContext ctx) {
        }
    }
}
