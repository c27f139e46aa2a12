package org.simplevisor.servlet.it;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every in-container test starts from: before its first test, the Log4j Core statics initialised by the test
 * (see {@link Leaks#initializeSharedLog4jStatics()}); before each test, an empty {@link ItJournal} and
 * {@link TomcatLog}.
 */
public final class InContainerFixture implements BeforeAllCallback, BeforeEachCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        Leaks.initializeSharedLog4jStatics();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ItJournal.clear();
        TomcatLog.clear();
    }
}
