package org.simplevisor.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** CPU time of the JVM: of its Java threads (ThreadMXBean), and of the whole process (GC and JIT threads too). */
final class CpuTime {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    static {
        if (THREADS.isThreadCpuTimeSupported() && !THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
    }

    private CpuTime() {
    }

    /**
     * @return the CPU time, in nanoseconds, used so far by the Java threads alive now (a thread that has ended no
     *         longer counts: the benchmarks keep theirs alive)
     */
    static long javaThreadsNanos() {
        long[] ids = THREADS.getAllThreadIds();
        long total = 0;
        if (THREADS instanceof com.sun.management.ThreadMXBean) {
            for (long t : ((com.sun.management.ThreadMXBean) THREADS).getThreadCpuTime(ids)) {
                total += Math.max(0, t);
            }
        } else {
            for (long id : ids) {
                total += Math.max(0, THREADS.getThreadCpuTime(id));
            }
        }
        return total;
    }

    /** @return the CPU time, in nanoseconds, used so far by the whole JVM process */
    static long processNanos() {
        return OS.getProcessCpuTime();
    }
}
