package org.simplevisor.servlet.unloadable;

import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;

/** A process with a method whose signature names a class the web application does not have. */
public class MethodOfMissingType implements SupervisedProcess {
    @Override
    public void run(ProcessContext ctx) {
    }

    public void report(MissingFailure failure) {
    }
}
