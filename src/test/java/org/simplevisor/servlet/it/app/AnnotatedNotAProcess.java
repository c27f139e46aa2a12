package org.simplevisor.servlet.it.app;

import org.simplevisor.Supervised;

/** Annotated, but not a SupervisedProcess. */
@Supervised
public class AnnotatedNotAProcess {
}
