package org.simplevisor.jmx;

import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.ExportException;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;

/**
 * A real JMX RMI connector server, as an operator's {@code com.sun.management.jmxremote} would run it (an RMI
 * registry and {@code service:jmx:rmi://127.0.0.1/jndi/rmi://127.0.0.1:<port>/jmxrmi}), but bound to the loopback
 * interface only. Optionally secured with a password file and an access file, the formats Tomcat's
 * {@code jmxremote.password} and {@code jmxremote.access} use. For tests of this package and of the servlet
 * integration and example.
 *
 * <pre>{@code
 * try (LoopbackJmxServer jmx = LoopbackJmxServer.start(ManagementFactory.getPlatformMBeanServer());
 *      JMXConnector client = jmx.connect()) {
 *     MBeanServerConnection connection = client.getMBeanServerConnection();
 * }
 * }</pre>
 */
public final class LoopbackJmxServer implements AutoCloseable {

    /**
     * Notifications the connector keeps for its clients to fetch. The JDK's default, 1000, drops notifications
     * (the client is told: NOTIFS_LOST) when a burst outruns the client's fetching; tests that count every
     * notification must not depend on that race.
     */
    public static final int NOTIFICATION_BUFFER_SIZE = 100_000;

    private static final int PORT_ATTEMPTS = 10;

    static {
        // The host RMI writes into the stubs it exports; otherwise the machine's address, which is not bound.
        if (System.getProperty("java.rmi.server.hostname") == null) {
            System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        }
    }

    private final Registry registry;
    private final int port;
    private final JMXConnectorServer connectorServer;

    private LoopbackJmxServer(Registry registry, int port, JMXConnectorServer connectorServer) {
        this.registry = registry;
        this.port = port;
        this.connectorServer = connectorServer;
    }

    /**
     * Starts a connector server without authentication.
     *
     * @param server the MBean server to expose
     * @return the started server
     * @throws IOException if it cannot start
     */
    public static LoopbackJmxServer start(MBeanServer server) throws IOException {
        return start(server, Map.of());
    }

    /**
     * Starts a connector server that authenticates users from a password file ({@code user password} lines) and
     * authorizes them from an access file ({@code user readonly|readwrite} lines).
     *
     * @param server       the MBean server to expose
     * @param passwordFile the password file; the JDK may rewrite it with hashed passwords
     * @param accessFile   the access file
     * @return the started server
     * @throws IOException if it cannot start
     */
    public static LoopbackJmxServer startSecured(MBeanServer server, Path passwordFile, Path accessFile)
            throws IOException {
        return start(server, Map.of("jmx.remote.x.password.file", passwordFile.toString(),
                "jmx.remote.x.access.file", accessFile.toString()));
    }

    /**
     * Starts a connector server with more environment entries (see {@link JMXConnectorServerFactory}).
     *
     * @param server   the MBean server to expose
     * @param extraEnv entries added to the loopback socket factories and the notification buffer size
     * @return the started server
     * @throws IOException if it cannot start
     */
    public static LoopbackJmxServer start(MBeanServer server, Map<String, ?> extraEnv) throws IOException {
        LoopbackServerSocketFactory serverSockets = new LoopbackServerSocketFactory();
        LoopbackClientSocketFactory clientSockets = new LoopbackClientSocketFactory();
        IOException lastFailure = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            int port = freeLoopbackPort();
            Registry registry;
            try {
                registry = LocateRegistry.createRegistry(port, null, serverSockets);
            } catch (ExportException taken) { // another process took the port since we looked: try another
                lastFailure = taken;
                continue;
            }
            try {
                Map<String, Object> env = new HashMap<>();
                env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, serverSockets);
                env.put(RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE, clientSockets);
                env.put("jmx.remote.x.notification.buffer.size", String.valueOf(NOTIFICATION_BUFFER_SIZE));
                env.putAll(extraEnv);
                JMXServiceURL url = new JMXServiceURL(
                        "service:jmx:rmi://127.0.0.1/jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
                JMXConnectorServer connectorServer = JMXConnectorServerFactory.newJMXConnectorServer(url, env, server);
                connectorServer.start();
                return new LoopbackJmxServer(registry, port, connectorServer);
            } catch (IOException | RuntimeException e) {
                unexport(registry);
                throw e;
            }
        }
        throw new IOException("no free loopback port for an RMI registry after " + PORT_ATTEMPTS + " attempts",
                lastFailure);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** @return the URL clients connect to */
    public JMXServiceURL url() {
        return connectorServer.getAddress();
    }

    /** @return the RMI registry's port on 127.0.0.1 */
    public int registryPort() {
        return port;
    }

    /**
     * @return a new client connection without credentials
     * @throws IOException if the connection fails
     */
    public JMXConnector connect() throws IOException {
        return JMXConnectorFactory.connect(url(), Map.of());
    }

    /**
     * @param user     the user name
     * @param password the password
     * @return a new client connection with these credentials
     * @throws IOException       if the connection fails
     * @throws SecurityException if the credentials are refused
     */
    public JMXConnector connect(String user, String password) throws IOException {
        return JMXConnectorFactory.connect(url(), Map.of(JMXConnector.CREDENTIALS, new String[] {user, password}));
    }

    /** Stops the connector server (closing its client connections) and unexports the registry. */
    @Override
    public void close() throws IOException {
        try {
            connectorServer.stop();
        } finally {
            unexport(registry);
        }
    }

    private static void unexport(Registry registry) {
        try {
            UnicastRemoteObject.unexportObject(registry, true);
        } catch (NoSuchObjectException alreadyUnexported) {
            // nothing left to release
        }
    }

    /** Listens on 127.0.0.1 only: a test never opens a port to the network. */
    private static final class LoopbackServerSocketFactory implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        }

        // RMI shares a listening socket between objects exported with equal factories
        @Override
        public boolean equals(Object other) {
            return other instanceof LoopbackServerSocketFactory;
        }

        @Override
        public int hashCode() {
            return LoopbackServerSocketFactory.class.hashCode();
        }
    }

    /**
     * Connects to 127.0.0.1 whatever host a stub names: if another test exported an RMI object before
     * {@code java.rmi.server.hostname} was set, stubs carry the machine's address, where nothing listens.
     */
    private static final class LoopbackClientSocketFactory implements RMIClientSocketFactory, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return new Socket(InetAddress.getLoopbackAddress(), port);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof LoopbackClientSocketFactory;
        }

        @Override
        public int hashCode() {
            return LoopbackClientSocketFactory.class.hashCode();
        }
    }
}
