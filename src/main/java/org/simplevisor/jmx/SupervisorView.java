package org.simplevisor.jmx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanException;
import javax.management.MBeanInfo;
import javax.management.NotificationEmitter;
import javax.management.ReflectionException;
import javax.management.StandardMBean;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenMBeanAttributeInfoSupport;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.openmbean.TabularData;
import javax.management.openmbean.TabularDataSupport;
import javax.management.openmbean.TabularType;
import org.jspecify.annotations.Nullable;
import org.simplevisor.ProcessSnapshot;
import org.simplevisor.Supervisor;

/**
 * The {@link SupervisorMXBean} of a supervisor, and the {@code Processes} table its MBean adds. What it tells of the
 * processes comes from their snapshots, taken afresh at each read, but in the view {@link #forOneCall()} makes, which
 * reads every attribute of one {@code getAttributes} call from the same snapshots.
 */
final class SupervisorView implements SupervisorMXBean {

    /** The name of the table attribute. */
    static final String PROCESSES = "Processes";

    private static final String[] ROW_ITEMS = {
        "name", "status", "running", "group", "restartPolicy", "restartCount", "maxRestarts", "totalStarts",
        "totalRestarts", "totalFailures", "totalCrashes", "lastExitReason", "lastFailure", "lastFailureTime",
        "uptimeMillis"};
    private static final String[] ROW_DESCRIPTIONS = {
        "The process's registered name", "STOPPED, STARTING, RUNNING, RESTARTING, FAILED or STANDBY",
        "Whether a run is in progress", "The process group it restarts with; null if none",
        "NEVER, ALWAYS or ON_FAILURE", "Restarts counted toward the limit",
        "The restart limit; 0 or less is unlimited", "Runs begun since registration",
        "Restarts performed since registration", "Runs that threw a checked exception or hung",
        "Runs that threw a RuntimeException or an Error",
        "How the last run ended: COMPLETED, FAILED, CRASHED, CANCELLED, SHUTDOWN, MANUAL, LEASE_LOST or GROUP;"
                + " null before the first end",
        "What the last failure threw, as \"class: message\"", "When the last failure happened",
        "How long the current run has lasted, in milliseconds"};
    private static final OpenType<?>[] ROW_TYPES = {
        SimpleType.STRING, SimpleType.STRING, SimpleType.BOOLEAN, SimpleType.STRING, SimpleType.STRING,
        SimpleType.INTEGER,
        SimpleType.INTEGER, SimpleType.LONG, SimpleType.LONG, SimpleType.LONG, SimpleType.LONG, SimpleType.STRING,
        SimpleType.STRING, SimpleType.DATE, SimpleType.LONG};

    static final CompositeType ROW_TYPE;
    static final TabularType TABLE_TYPE;

    static {
        try {
            ROW_TYPE = new CompositeType("org.simplevisor.jmx.ProcessRow", "The state of one process", ROW_ITEMS,
                    ROW_DESCRIPTIONS, ROW_TYPES);
            TABLE_TYPE = new TabularType("org.simplevisor.jmx.Processes", "Every process of the supervisor",
                    ROW_TYPE, new String[] {"name"});
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Supervisor supervisor;
    private final String executor;
    private final boolean oneSnapshot;
    private @Nullable List<ProcessSnapshot> taken; // of a view for one call: the snapshots every read shows

    SupervisorView(Supervisor supervisor, String executor) {
        this(supervisor, executor, false);
    }

    private SupervisorView(Supervisor supervisor, String executor, boolean oneSnapshot) {
        this.supervisor = supervisor;
        this.executor = executor;
        this.oneSnapshot = oneSnapshot;
    }

    /**
     * {@return a view for one {@code getAttributes} call, on its thread: it takes the snapshots of the processes at
     * its first read of them and shows those from then on, so that the counts, the names and the table of the call
     * hold together}
     */
    SupervisorView forOneCall() {
        return new SupervisorView(supervisor, executor, true);
    }

    private List<ProcessSnapshot> snapshots() {
        if (!oneSnapshot) {
            return supervisor.snapshots();
        }
        if (taken == null) {
            taken = supervisor.snapshots();
        }
        return taken;
    }

    @Override
    public String getName() {
        return supervisor.name();
    }

    @Override
    public String getExecutor() {
        return executor;
    }

    @Override
    public boolean isStarted() {
        return supervisor.isStarted();
    }

    @Override
    public int getProcessCount() {
        return snapshots().size();
    }

    @Override
    public int getRunningCount() {
        return (int) snapshots().stream().filter(ProcessSnapshot::running).count();
    }

    @Override
    public String[] getProcessNames() {
        return snapshots().stream().map(ProcessSnapshot::name).toArray(String[]::new);
    }

    @Override
    public String getNodeId() {
        return supervisor.nodeId();
    }

    @Override
    public Map<String, String> getGroups() {
        Map<String, String> groups = new LinkedHashMap<>();
        supervisor.groups().forEach((group, strategy) -> groups.put(group, strategy.name()));
        return groups;
    }

    @Override
    public long getShutdownTimeoutMillis() {
        return supervisor.shutdownTimeout().toMillis();
    }

    @Override
    public void startProcess(String process) {
        supervisor.start(process);
    }

    @Override
    public void stopProcess(String process) {
        supervisor.stop(process);
    }

    @Override
    public void restartProcess(String process) {
        supervisor.restart(process);
    }

    @Override
    public void restartGroup(String group) {
        supervisor.restartGroup(group);
    }

    @Override
    public void resetRestartCount(String process) {
        supervisor.resetRestartCount(process);
    }

    /** {@return a row per process, in registration order} */
    TabularData processTable() throws OpenDataException {
        TabularDataSupport table = new TabularDataSupport(TABLE_TYPE);
        for (ProcessSnapshot p : snapshots()) {
            table.put(row(p));
        }
        return table;
    }

    private static CompositeData row(ProcessSnapshot p) throws OpenDataException {
        return new CompositeDataSupport(ROW_TYPE, ROW_ITEMS, new Object[] {
            p.name(), p.status().name(), p.running(), p.group(), p.restartPolicy().name(), p.restartCount(),
            p.maxRestarts(), p.totalStarts(), p.totalRestarts(), p.totalFailures(), p.totalCrashes(),
            ProcessView.nameOf(p.lastExitReason()), p.lastFailureDescription(),
            ProcessView.toDate(p.lastFailureTime()), p.uptime().toMillis()});
    }

    /**
     * The supervisor's MBean: the MXBean plus the {@code Processes} table, which an MXBean interface cannot declare
     * (the MXBean mapping would turn a {@code TabularData} return type into a composite of its getters).
     */
    static final class MBean extends DescribedMBean<SupervisorMXBean> {

        private final SupervisorView view;
        private volatile @Nullable MBeanInfo info;

        MBean(SupervisorView view, NotificationEmitter emitter) {
            super(view, SupervisorMXBean.class, emitter);
            this.view = view;
        }

        @Override
        public MBeanInfo getMBeanInfo() {
            MBeanInfo cached = info;
            if (cached == null) {
                MBeanInfo base = super.getMBeanInfo();
                List<MBeanAttributeInfo> attributes = new ArrayList<>(Arrays.asList(base.getAttributes()));
                attributes.add(new OpenMBeanAttributeInfoSupport(PROCESSES,
                        "Every process with its status, restart count and limit, counters and last failure,"
                                + " indexed by name",
                        TABLE_TYPE, true, false, false));
                cached = new MBeanInfo(base.getClassName(), base.getDescription(),
                        attributes.toArray(new MBeanAttributeInfo[0]), base.getConstructors(),
                        base.getOperations(), base.getNotifications(), base.getDescriptor());
                info = cached;
            }
            return cached;
        }

        @Override
        public Object getAttribute(String attribute)
                throws AttributeNotFoundException, MBeanException, ReflectionException {
            return read(view, attribute, super::getAttribute);
        }

        @Override
        public AttributeList getAttributes(String[] attributes) {
            SupervisorView oneState = view.forOneCall();
            // maps the values as this MXBean does (Groups, a map, to a table)
            StandardMBean oneStateMBean = new StandardMBean(oneState, SupervisorMXBean.class, true);
            return MBeanAttributes.readEach(attribute -> read(oneState, attribute, oneStateMBean::getAttribute),
                    attributes);
        }

        /** {@return the attribute: the table from the view, any other from the MXBean of the view} */
        private static @Nullable Object read(SupervisorView view, String attribute, MBeanAttributes.Reader mxbean)
                throws AttributeNotFoundException, MBeanException, ReflectionException {
            if (!PROCESSES.equals(attribute)) {
                return mxbean.read(attribute);
            }
            try {
                return view.processTable();
            } catch (OpenDataException e) {
                throw new MBeanException(e, "cannot build the " + PROCESSES + " table: " + e.getMessage());
            }
        }
    }
}
