package org.simplevisor.example.e2e;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * Tomcat's JVM as an operator's monitoring sees it over remote JMX: the platform MXBeans, read as {@code monitor};
 * what only {@code control} may do (operations: a garbage collection, thread dumps) as {@code control}.
 */
final class RemoteJvm {

    static final ObjectName THREADING = TomcatEndToEndIT.name(ManagementFactory.THREAD_MXBEAN_NAME);
    static final ObjectName MEMORY = TomcatEndToEndIT.name(ManagementFactory.MEMORY_MXBEAN_NAME);
    static final ObjectName OPERATING_SYSTEM = TomcatEndToEndIT.name(ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME);
    static final ObjectName HOTSPOT_DIAGNOSTIC = TomcatEndToEndIT.name("com.sun.management:type=HotSpotDiagnostic");

    private final MBeanServerConnection monitor;
    private final MBeanServerConnection control;

    RemoteJvm(MBeanServerConnection monitor, MBeanServerConnection control) {
        this.monitor = monitor;
        this.control = control;
    }

    /** @return the live threads ({@code ThreadMXBean.getThreadCount()}) */
    long threadCount() throws JMException, java.io.IOException {
        return ((Number) monitor.getAttribute(THREADING, "ThreadCount")).longValue();
    }

    /** @return the names of the live threads ({@code getThreadInfo} is an operation: read as {@code control}) */
    List<String> threadNames() throws JMException, java.io.IOException {
        long[] ids = (long[]) control.getAttribute(THREADING, "AllThreadIds");
        CompositeData[] infos = (CompositeData[]) control.invoke(THREADING, "getThreadInfo",
                new Object[] {ids}, new String[] {long[].class.getName()});
        return Arrays.stream(infos).filter(Objects::nonNull).map(ThreadInfo::from).map(ThreadInfo::getThreadName)
                .toList();
    }

    /**
     * Runs {@code MemoryMXBean.gc()} (a full collection with the JVM's default collector) and reads the heap in use
     * after it: what is still reachable, without the garbage a sample taken at a random moment would count.
     *
     * @return bytes of heap in use
     */
    long heapUsedAfterGc() throws JMException, java.io.IOException {
        control.invoke(MEMORY, "gc", null, null);
        return MemoryUsage.from((CompositeData) monitor.getAttribute(MEMORY, "HeapMemoryUsage")).getUsed();
    }

    /** @return the process's open file descriptors ({@code UnixOperatingSystemMXBean.getOpenFileDescriptorCount()}) */
    long openFileDescriptors() throws JMException, java.io.IOException {
        return ((Number) monitor.getAttribute(OPERATING_SYSTEM, "OpenFileDescriptorCount")).longValue();
    }

    /**
     * Writes a heap dump of the live objects ({@code HotSpotDiagnosticMXBean.dumpHeap}, which collects garbage first).
     *
     * @param file where, on Tomcat's machine; must end in {@code .hprof} and not exist
     */
    void dumpHeap(java.nio.file.Path file) throws JMException, java.io.IOException {
        control.invoke(HOTSPOT_DIAGNOSTIC, "dumpHeap", new Object[] {file.toString(), true},
                new String[] {String.class.getName(), boolean.class.getName()});
    }
}
