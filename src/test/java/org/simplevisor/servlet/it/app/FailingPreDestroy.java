package org.simplevisor.servlet.it.app;

import jakarta.annotation.PreDestroy;

/** Runs until cancelled; after its superclass's {@code @PreDestroy} has journaled, its own throws. */
public class FailingPreDestroy extends JournalingProcess {

    @PreDestroy
    void closeConnection() {
        throw new IllegalStateException("connection already closed");
    }
}
