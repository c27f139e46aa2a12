package org.simplevisor;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.logging.log4j.ThreadContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The process name in Log4j's ThreadContext around a line logged, and the thread's own entry afterwards. */
class ProcessLogContextTest {

    @AfterEach
    void clear() {
        ThreadContext.remove(ProcessLogContext.KEY);
    }

    @Test
    void theEntryIsRemovedAgainWhenTheThreadHadNone() {
        try (ProcessLogContext context = ProcessLogContext.open("payment-gateway")) {
            assertThat(ThreadContext.get(ProcessLogContext.KEY)).isEqualTo("payment-gateway");
        }
        assertThat(ThreadContext.containsKey(ProcessLogContext.KEY)).isFalse();
    }

    @Test
    void theThreadsOwnEntryIsPutBackEvenAfterNestedOnes() {
        ThreadContext.put(ProcessLogContext.KEY, "host-value");
        try (ProcessLogContext outer = ProcessLogContext.open("outer")) {
            try (ProcessLogContext inner = ProcessLogContext.open("inner")) {
                assertThat(ThreadContext.get(ProcessLogContext.KEY)).isEqualTo("inner");
            }
            assertThat(ThreadContext.get(ProcessLogContext.KEY)).isEqualTo("outer");
        }
        assertThat(ThreadContext.get(ProcessLogContext.KEY)).isEqualTo("host-value");
    }
}
