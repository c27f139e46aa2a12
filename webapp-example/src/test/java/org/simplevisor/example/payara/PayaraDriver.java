package org.simplevisor.example.payara;

import fish.payara.micro.PayaraMicroRuntime;
import fish.payara.micro.boot.PayaraMicroBoot;
import fish.payara.micro.boot.PayaraMicroLauncher;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.rmi.registry.LocateRegistry;
import java.rmi.server.RMIServerSocketFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;

/**
 * The main class of the Payara Micro JVM that {@link PayaraMicroServer} starts: opens a JMX connector on
 * 127.0.0.1 only (registry and connector on one port; the JDK's own {@code com.sun.management.jmxremote} agent
 * also opens a local connector on every interface), boots Payara Micro with the given arguments through its
 * embedding API, and then deploys and undeploys as told, one command a line on standard input:
 * {@code deploy <name> <context root> <war>} or {@code undeploy <name>}. Each answer is a line
 * {@value #ANSWER}{@code <command> -> OK|FAILED ... in <n> ms}. End of input shuts Payara down: the JVM that started
 * it has gone.
 */
public final class PayaraDriver {

    /** How every line of the driver's own begins. */
    public static final String ANSWER = "payara-driver: ";
    /** The line that says Payara has booted and deployed what its arguments named. */
    public static final String READY = ANSWER + "ready";

    private PayaraDriver() {
    }

    /**
     * @param args the JMX port, then Payara Micro's own arguments
     */
    public static void main(String[] args) throws Exception {
        JMXConnectorServer jmx = startLoopbackJmx(Integer.parseInt(args[0]));
        String[] payaraArgs = java.util.Arrays.copyOfRange(args, 1, args.length);
        PayaraMicroBoot payara = PayaraMicroLauncher.create(payaraArgs);
        PayaraMicroRuntime runtime = payara.getRuntime();
        System.out.println(READY + " " + runtime.getDeployedApplicationNames());
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String command; (command = commands.readLine()) != null; ) {
            long start = System.nanoTime();
            String outcome = run(runtime, command.split(" "));
            System.out.println(ANSWER + command + " -> " + outcome + " in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
        }
        payara.shutdown();
        jmx.stop();
        System.exit(0);
    }

    private static String run(PayaraMicroRuntime runtime, String[] words) {
        try {
            switch (words[0]) {
                case "deploy":
                    return runtime.deploy(words[1], words[2], new File(words[3])) ? "OK" : "FAILED";
                case "undeploy":
                    runtime.undeploy(words[1]);
                    return runtime.getDeployedApplicationNames().contains(words[1]) ? "FAILED still deployed"
                            : "OK";
                default:
                    return "FAILED unknown command";
            }
        } catch (RuntimeException e) {
            return "FAILED " + e;
        }
    }

    private static JMXConnectorServer startLoopbackJmx(int port) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        RMIServerSocketFactory sockets = new LoopbackSockets(loopback);
        System.setProperty("java.rmi.server.hostname", loopback.getHostAddress());
        LocateRegistry.createRegistry(port, null, sockets);
        String host = loopback.getHostAddress();
        JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(
                new JMXServiceURL("service:jmx:rmi://" + host + ":" + port + "/jndi/rmi://" + host + ":" + port
                        + "/jmxrmi"),
                Map.of(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, sockets),
                ManagementFactory.getPlatformMBeanServer());
        server.start();
        return server;
    }

    /** Server sockets on the loopback address only. */
    private record LoopbackSockets(InetAddress loopback) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, loopback);
        }
    }
}
