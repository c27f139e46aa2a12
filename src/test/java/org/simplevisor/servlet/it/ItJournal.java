package org.simplevisor.servlet.it;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What the test web applications report to the tests. Not packaged into any WAR: the web applications load it from
 * the test class path through their parent class loader, so the tests and every web application share it. It holds
 * only JDK objects: strings, weak references and, while a web application runs, its probe (removed on destroy).
 */
public final class ItJournal {

    private static final List<String> ENTRIES = new CopyOnWriteArrayList<>();
    private static final Map<String, Supplier<List<String>>> PROBES = new ConcurrentHashMap<>();
    private static final Map<String, WeakReference<ClassLoader>> LOADERS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> ON_A_THREAD = new ConcurrentHashMap<>();
    /** Notified at each record. */
    private static final Object RECORDED = new Object();

    private ItJournal() {
    }

    /** Records what happened, e.g. {@code run:ticker}. */
    public static void record(String entry) {
        ENTRIES.add(entry);
        synchronized (RECORDED) {
            RECORDED.notifyAll();
        }
    }

    /**
     * Waits until {@code entry} has been recorded, at most {@code timeout}: how a process of a test web application
     * waits for another.
     *
     * @return whether it was recorded
     */
    public static boolean awaitEntry(String entry, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (RECORDED) {
            while (!ENTRIES.contains(entry)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(RECORDED, left);
            }
            return true;
        }
    }

    public static List<String> entries() {
        return List.copyOf(ENTRIES);
    }

    public static long count(String entry) {
        return ENTRIES.stream().filter(entry::equals).count();
    }

    public static int indexOf(String entry) {
        return entries().indexOf(entry);
    }

    public static void clear() {
        ENTRIES.clear();
        ON_A_THREAD.clear();
    }

    /** A run of the process begins: journals {@code run:<name>}, and {@code overlap:<name>} if another still runs. */
    public static void runBegins(String process) {
        if (ON_A_THREAD.computeIfAbsent(process, p -> new AtomicInteger()).incrementAndGet() > 1) {
            record("overlap:" + process);
        }
        record("run:" + process);
    }

    /** A run of the process ends: journals {@code end:<name>}. */
    public static void runEnds(String process) {
        ON_A_THREAD.get(process).decrementAndGet();
        record("end:" + process);
    }

    /** @return how many runs of the process are on a thread now */
    public static int running(String process) {
        AtomicInteger count = ON_A_THREAD.get(process);
        return count == null ? 0 : count.get();
    }

    /** Called by a web application when it starts: how the tests ask it about its supervisor. */
    public static void publishProbe(String contextPath, Supplier<List<String>> probe, ClassLoader loader) {
        PROBES.put(contextPath, probe);
        LOADERS.put(contextPath, new WeakReference<>(loader));
    }

    public static void withdrawProbe(String contextPath) {
        PROBES.remove(contextPath);
    }

    /** @return the probe's answer: one line per process, or empty if the web application is not running */
    public static List<String> probe(String contextPath) {
        Supplier<List<String>> probe = PROBES.get(contextPath);
        return probe == null ? List.of() : probe.get();
    }

    public static boolean hasProbe(String contextPath) {
        return PROBES.containsKey(contextPath);
    }

    /** @return a weak reference to the class loader of the web application at that path, or {@code null} */
    public static WeakReference<ClassLoader> loader(String contextPath) {
        return LOADERS.get(contextPath);
    }
}
