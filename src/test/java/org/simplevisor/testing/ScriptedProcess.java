package org.simplevisor.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.awaitility.Awaitility;
import org.simplevisor.ProcessContext;
import org.simplevisor.SupervisedProcess;

/**
 * A process whose runs do what the test says: each run records its context, then waits for the next scripted
 * outcome (fail, crash, complete). A run with no outcome queued waits until it is cancelled; the interrupt of the
 * cancellation then ends it.
 */
public class ScriptedProcess implements SupervisedProcess {

    private static final Object COMPLETE = new Object();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final String whose;
    private final BlockingQueue<Object> outcomes = new LinkedBlockingQueue<>();
    private final List<ProcessContext> runs = new CopyOnWriteArrayList<>();

    /** A process whose scripted failures say {@code scripted failure}, and crashes {@code scripted crash}. */
    public ScriptedProcess() {
        this("");
    }

    /** @param whose added to the messages of its scripted failures and crashes, e.g. {@code " of reader"} */
    protected ScriptedProcess(String whose) {
        this.whose = whose;
    }

    /** The next run fails: it throws a checked exception. {@return this} */
    public ScriptedProcess fail() {
        return fail(new Exception("scripted failure" + whose));
    }

    /** The next run throws {@code error}. {@return this} */
    public ScriptedProcess fail(Throwable error) {
        outcomes.add(error);
        return this;
    }

    /** The next run crashes: it throws a runtime exception. {@return this} */
    public ScriptedProcess crash() {
        return fail(new IllegalStateException("scripted crash" + whose));
    }

    /** The next run returns. {@return this} */
    public ScriptedProcess complete() {
        outcomes.add(COMPLETE);
        return this;
    }

    @Override
    public void run(ProcessContext ctx) throws Exception {
        runs.add(ctx);
        Object outcome = outcomes.take();
        if (outcome instanceof Exception exception) {
            throw exception;
        }
        if (outcome instanceof Error error) {
            throw error;
        }
    }

    /** {@return how many runs reached the process} */
    public int runs() {
        return runs.size();
    }

    /** Waits until the {@code n}th run (1-based) has begun; {@return its context} */
    public ProcessContext awaitRun(int n) {
        Awaitility.await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                .until(() -> runs.size() >= n);
        return runs.get(n - 1);
    }

    /** {@return the context of the {@code n}th run (1-based), which has begun} */
    public ProcessContext run(int n) {
        return runs.get(n - 1);
    }
}
