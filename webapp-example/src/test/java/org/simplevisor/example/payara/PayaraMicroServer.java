package org.simplevisor.example.payara;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.simplevisor.example.StopOnJvmExit;
import org.simplevisor.example.tomcat.StandaloneTomcat;

/**
 * Payara Micro in a JVM of its own, driven by {@link PayaraDriver}: HTTP and JMX on free ports of 127.0.0.1 only,
 * no Hazelcast, no phone-home, its files under a root directory of its own. Its console (Payara Micro's server log)
 * goes to a file. Stopped by its PID: SIGTERM (Payara undeploys and shuts down in order), then SIGKILL if it is
 * not gone within a minute; a JVM shutdown hook stops it too if the JVM that started it ends first.
 */
public final class PayaraMicroServer implements AutoCloseable {

    /** Opened as Payara Micro's own launcher opens them (its JAR's manifest), for a start with {@code -cp}. */
    private static final List<String> MODULE_OPTIONS = List.of(
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=jdk.naming.dns/com.sun.jndi.dns=ALL-UNNAMED",
            "--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.management/sun.management=ALL-UNNAMED",
            "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens=java.base/sun.net.www.protocol.jrt=ALL-UNNAMED",
            "--add-opens=java.base/sun.net.www.protocol.jar=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.naming/javax.naming.spi=ALL-UNNAMED",
            "--add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED",
            "--add-opens=java.logging/java.util.logging=ALL-UNNAMED",
            "--add-opens=java.management/javax.management=ALL-UNNAMED",
            "--add-opens=java.management/javax.management.openmbean=ALL-UNNAMED");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path payaraJar;
    private final Path driverClasses;
    private final Path work;
    private final int httpPort;
    private final int jmxPort;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private Process process;
    private Writer commands;
    private Thread console;
    private StopOnJvmExit stopOnJvmExit;

    /**
     * @param payaraJar     {@code payara-micro-<version>.jar}
     * @param driverClasses where {@link PayaraDriver} was compiled to
     * @param work          a directory of its own: root directory, console log, pre-boot commands
     */
    public PayaraMicroServer(Path payaraJar, Path driverClasses, Path work) throws IOException {
        this.payaraJar = payaraJar.toAbsolutePath();
        this.driverClasses = driverClasses.toAbsolutePath();
        this.work = work.toAbsolutePath();
        this.httpPort = StandaloneTomcat.freePort();
        this.jmxPort = StandaloneTomcat.freePort();
    }

    /**
     * Starts Payara Micro with a WAR deployed and waits until it has booted.
     *
     * @param war     deployed at boot, at {@code /<its file name without .war>}
     * @param timeout the longest wait
     * @return how long the boot took
     */
    public Duration start(Path war, Duration timeout) throws IOException {
        StandaloneTomcat.deleteTree(work.resolve("root"));
        Files.createDirectories(work.resolve("root"));
        Path preBoot = work.resolve("pre-boot-commands.txt");
        Files.writeString(preBoot, "set configs.config.server-config.network-config.network-listeners."
                + "network-listener.http-listener.address=127.0.0.1\n");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.addAll(MODULE_OPTIONS);
        command.addAll(List.of("-cp", payaraJar + java.io.File.pathSeparator + driverClasses,
                PayaraDriver.class.getName(), String.valueOf(jmxPort),
                "--deploy", war.toAbsolutePath().toString(), "--port", String.valueOf(httpPort),
                "--nohazelcast", "--disablephonehome", "--prebootcommandfile", preBoot.toString(),
                "--rootdir", work.resolve("root").toString()));
        Files.deleteIfExists(log());
        long begun = System.nanoTime();
        process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        stopOnJvmExit = StopOnJvmExit.install("stop-payara-" + process.pid(), this::stop);
        commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        console = new Thread(this::copyConsole, "payara-console-" + process.pid());
        console.setDaemon(true);
        console.start();
        String ready = awaitAnswer(timeout, "the boot");
        if (!ready.startsWith(PayaraDriver.READY)) {
            throw new IOException("Payara did not boot: " + ready + "; see " + log());
        }
        return Duration.ofNanos(System.nanoTime() - begun);
    }

    /** Copies Payara's console to the log file, and the driver's answers to the queue. */
    private void copyConsole() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); Writer out = Files.newBufferedWriter(log())) {
            for (String line; (line = lines.readLine()) != null; ) {
                out.write(line);
                out.write('\n');
                out.flush();
                if (line.startsWith(PayaraDriver.ANSWER)) {
                    answers.add(line);
                }
            }
        } catch (IOException e) {
            answers.add("console lost: " + e);
        }
        answers.add("Payara exited");
    }

    private String awaitAnswer(Duration timeout, String what) throws IOException {
        try {
            String answer = answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (answer == null) {
                throw new IOException("no answer from Payara to " + what + " within " + timeout.toSeconds()
                        + " s; see " + log());
            }
            return answer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + what, e);
        }
    }

    /**
     * Runs a driver command and returns its answer line.
     *
     * @param command e.g. {@code undeploy simplevisor-example}
     * @return the answer, {@code <command> -> OK in <n> ms} on success
     * @throws IOException if it failed or Payara did not answer within two minutes
     */
    public String run(String command) throws IOException {
        commands.write(command + "\n");
        commands.flush();
        String answer = awaitAnswer(Duration.ofMinutes(2), command);
        if (!answer.startsWith(PayaraDriver.ANSWER + command + " -> OK")) {
            throw new IOException("Payara: " + answer + "; see " + log());
        }
        return answer;
    }

    /** @return the milliseconds an answer says the command took */
    public static long millis(String answer) {
        String tail = answer.substring(answer.lastIndexOf(" in ") + 4);
        return Long.parseLong(tail.substring(0, tail.indexOf(' ')));
    }

    /** @return a connection to Payara's JMX on 127.0.0.1; the caller closes it */
    public JMXConnector connectJmx() throws IOException {
        return JMXConnectorFactory.connect(new JMXServiceURL(
                "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi"));
    }

    /** @return Payara's console: its server log */
    public Path log() {
        return work.resolve("server.log");
    }

    /** @return Payara's PID */
    public long pid() {
        return process.pid();
    }

    /** @return the HTTP port on 127.0.0.1 */
    public int httpPort() {
        return httpPort;
    }

    /**
     * Stops Payara by its PID: SIGTERM, then SIGKILL after a minute; idempotent.
     *
     * @return whether it ended on SIGTERM, without being killed
     */
    public boolean stop() {
        if (process == null) {
            return true;
        }
        try {
            boolean orderly = true;
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    orderly = false;
                    process.destroyForcibly();
                    process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            if (console != null) {
                console.join(STOP_TIMEOUT.toMillis());
            }
            return orderly;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (stopOnJvmExit != null) {
                stopOnJvmExit.remove();
            }
        }
    }

    /** @return whether Payara's JVM is alive */
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }
}
