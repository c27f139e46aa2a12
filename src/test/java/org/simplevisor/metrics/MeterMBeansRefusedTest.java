package org.simplevisor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.simplevisor.GroupStrategy;
import org.simplevisor.ProcessContext;
import org.simplevisor.Supervisor;
import org.simplevisor.SupervisorEvent;
import org.simplevisor.testing.CapturedLogs;
import org.simplevisor.testing.RecordingListener;
import org.simplevisor.testing.RefusingMBeanServer;

/**
 * The meter MBeans in a server that refuses some of them: a registration that fails part-way leaves no MBean and no
 * listener behind (so a second registration, a redeploy, works), and a close whose server refuses to unregister one
 * MBean still unregisters the others.
 */
class MeterMBeansRefusedTest {

    private static final String DOMAIN = "test.refused";

    private final RefusingMBeanServer servers = new RefusingMBeanServer();
    private final Supervisor supervisor = Supervisor.builder().name("meters-refused")
            .shutdownTimeout(Duration.ofMillis(300)).group("pipeline", GroupStrategy.ONE_FOR_ALL).build();

    @AfterEach
    void shutDown() {
        supervisor.shutdown();
    }

    @Test
    void aRegistrationThatFailsPartWayLeavesNoMBeanBehind() throws Exception {
        supervisor.register("first", ProcessContext::awaitCancellation);
        supervisor.register("second", ProcessContext::awaitCancellation); // after the group's MBean and first's
        servers.refuseRegistrationOf(name -> "second".equals(name.getKeyProperty("process_name")),
                () -> new SecurityException("denied"));

        assertThatThrownBy(() -> SupervisorMeterMBeans.register(supervisor, servers.server(), DOMAIN,
                Map.of("context", "/app"))).isInstanceOf(SecurityException.class).hasMessage("denied");

        assertThat(meterMBeans()).as("left by the failed registration").isEmpty();
        RecordingListener events = new RecordingListener(); // called after any listener the registration left
        supervisor.addListener(events);
        supervisor.register("later", ProcessContext::awaitCancellation);
        events.await("later", SupervisorEvent.Type.REGISTERED);
        assertThat(meterMBeans()).as("made by a listener left behind").isEmpty();

        servers.registerAll();
        SupervisorMeterMBeans meters = SupervisorMeterMBeans.register(supervisor, servers.server(), DOMAIN,
                Map.of("context", "/app"));
        assertThat(meterMBeans()).extracting(name -> name.getKeyProperty("type") + " "
                + (name.getKeyProperty("process_name") != null ? name.getKeyProperty("process_name")
                        : name.getKeyProperty("group")))
                .containsExactlyInAnyOrder("simplevisor.group pipeline", "simplevisor.process first",
                        "simplevisor.process second", "simplevisor.process later");
        meters.close();
        assertThat(meterMBeans()).isEmpty();
    }

    @Test
    void closeUnregistersEveryMBeanTheServerDoesNotRefuse() throws Exception {
        supervisor.register("first", ProcessContext::awaitCancellation);
        supervisor.register("second", ProcessContext::awaitCancellation);
        SupervisorMeterMBeans meters = SupervisorMeterMBeans.register(supervisor, servers.server(), DOMAIN,
                Map.of("context", "/app"));
        ObjectName group = new ObjectName(DOMAIN + ":type=simplevisor.group,context=/app,group=pipeline");
        ObjectName first = servers.real().queryNames(new ObjectName(DOMAIN
                + ":type=simplevisor.process,process_name=first,*"), null).iterator().next();
        assertThat(meterMBeans()).contains(group, first).hasSize(3);
        servers.real().unregisterMBean(first); // by someone else
        servers.refuseUnregistrationOf(group::equals); // the first this registered

        assertThatCode(meters::close).doesNotThrowAnyException();

        assertThat(meterMBeans()).containsExactly(group);
    }

    @Test
    void closeLeavesWhatAnotherPartyRegisteredUnderTheNameOfAnMBeanSomeoneElseUnregistered() throws Exception {
        supervisor.register("first", ProcessContext::awaitCancellation);
        SupervisorMeterMBeans meters = SupervisorMeterMBeans.register(supervisor, servers.server(), DOMAIN,
                Map.of("context", "/app"));
        ObjectName first = servers.real().queryNames(new ObjectName(DOMAIN
                + ":type=simplevisor.process,process_name=first,*"), null).iterator().next();
        servers.real().unregisterMBean(first); // by someone else
        servers.real().registerMBean(new StandardMBean(() -> { }, Runnable.class), first); // another party's

        meters.close();

        assertThat(meterMBeans()).containsExactly(first);
    }

    @Test
    void anMBeanRefusedForAProcessRegisteredLaterIsLoggedOnceAndNotTriedAgainAtEachOfItsEvents() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        servers.refuseRegistrationOf(name -> {
            boolean later = "later".equals(name.getKeyProperty("process_name"));
            if (later) {
                attempts.incrementAndGet();
            }
            return later;
        }, () -> new SecurityException("denied"));
        SupervisorMeterMBeans meters = SupervisorMeterMBeans.register(supervisor, servers.server(), DOMAIN,
                Map.of("context", "/app"));
        RecordingListener events = new RecordingListener();
        supervisor.addListener(events); // called after the meters' listener
        try (CapturedLogs logs = CapturedLogs.attach()) {
            supervisor.register("later", ProcessContext::awaitCancellation);
            supervisor.run();
            events.await("later", SupervisorEvent.Type.STARTED);
            supervisor.stop("later");
            events.await("later", SupervisorEvent.Type.STOPPED);

            assertThat(attempts).as("registrations tried").hasValue(1);
            assertThat(logs.lines()).filteredOn(line -> line.level().isMoreSpecificThan(Level.WARN)).singleElement()
                    .satisfies(line -> assertThat(line.message()).contains("\"later\"", "denied"));
        }
        assertThat(meterMBeans()).hasSize(1); // the group's
        meters.close();
        assertThat(meterMBeans()).isEmpty();
    }

    private Set<ObjectName> meterMBeans() throws Exception {
        return servers.real().queryNames(new ObjectName(DOMAIN + ":*"), null);
    }
}
