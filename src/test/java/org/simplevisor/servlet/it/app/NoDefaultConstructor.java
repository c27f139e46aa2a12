package org.simplevisor.servlet.it.app;

import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;

/** A process without a public no-arg constructor. */
public class NoDefaultConstructor implements SupervisedProcess {

    public NoDefaultConstructor(String required) {
    }

    @Override
    public void run(ProcessContext ctx) {
    }
}
